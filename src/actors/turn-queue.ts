// The process runtime's kill(2) calls and its reports to the container machines, each run once
// per turn of the event loop, all of them together. A stop of many containers otherwise
// alternates an XState step with a kill(2), and on the machines berth is measured on, each kill
// hands the CPU to the process it wakes, which runs its exit then and there, so the next step
// starts with cold caches (and, on a kernel with PTI and no PCID, a flushed TLB). Batched, the
// steps run back to back, then the kills, then the exits' steps (bench/ROUNDS.md, eighth round).

/** Queues work for the end of this turn of the event loop; everything queued in a turn runs together, in order. */
export type TurnQueue = (work: () => void) => void;

/**
 * Creates a queue flushed by `setImmediate`: after the I/O callbacks of the turn (the exits, the
 * closed pipes), before the next turn's timers. Work queued during a flush runs in the next one.
 * @example const defer = createTurnQueue(); defer(() => process.kill(pid, 'SIGTERM'));
 */
export function createTurnQueue(): TurnQueue {
  let queue: (() => void)[] = [];
  const flush = (): void => {
    const batch = queue;
    queue = [];
    for (let index = 0; index < batch.length; index++) {
      try {
        batch[index]!();
      } catch (error) {
        // What is left still runs, in the next turn; the error surfaces as it would have unbatched.
        queue = [...batch.slice(index + 1), ...queue];
        if (queue.length > 0) setImmediate(flush);
        throw error;
      }
    }
  };
  return (work) => {
    if (queue.push(work) === 1) setImmediate(flush);
  };
}
