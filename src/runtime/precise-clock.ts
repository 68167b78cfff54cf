// The engine's real clock: timers that fire at their due time, not up to 0.1 % of their delay
// after it. Node's setTimeout sleeps in epoll_wait, and Linux lets a sleep of t overrun by t/1000
// (timer slack, at most 100 ms) so that wake-ups can be merged; libuv then counts in whole
// milliseconds. Measured on the bench's VM: a 1 s setTimeout fired 1.8-3.1 ms late, a 10 s one
// 10-13 ms late, so Docker's default stop timeout SIGKILLed more than 10 ms after its deadline.
// Here a long wait wakes early on a coarse timer and waits the rest on a short one, whose slack
// is microseconds; a wait that ends before the due time (libuv's rounding) is followed by the rest.
import type { Clock } from '../machines/clock.js';

/** The timer functions a PreciseClock builds on: Node's, or a test's own. */
export interface TimerBase {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Monotonic milliseconds, with fractions. */
  monotonicNow(): number;
  /** Epoch milliseconds, for the clock's now(). */
  wallNow(): number;
}

const nodeTimers: TimerBase = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  monotonicNow: () => performance.now(),
  wallNow: () => Date.now(),
};

/** A wait this short or shorter is armed as is: its slack is at most tens of microseconds. */
const shortWaitMs = 20;
/** Linux caps the timer slack of a sleep at 100 ms, however long the sleep. */
const maxSlackMs = 100;
/**
 * Margin on top of the slack, for the rounding and a virtual CPU's own wake-up: a 1 s wait was
 * 3.5 ms late on the bench's VM, where the kernel's slack alone is 1 ms.
 */
const wakeMarginMs = 5;

/** How long before its due time a wait of `ms` wakes, so that the lateness of its sleep cannot make it late. */
export function earlyWakeMs(ms: number): number {
  if (ms <= shortWaitMs) return 0;
  // Twice the kernel's slack (ms/1000): the lateness measured was 1.1 to 1.3 ms per second waited.
  return Math.min(maxSlackMs, Math.ceil(ms / 500)) + wakeMarginMs;
}

interface PreciseTimer {
  handle: unknown;
}

/**
 * A clock whose timers fire no earlier than their due time and, on an idle event loop, within
 * about a millisecond after it, however long the delay. Every real-time timer of the engine runs
 * on one: the stop timeout, the 2 s grace, the direct kill, restart back-offs.
 * @example new PreciseClock().setTimeout(sendKill, 10_000) // 10 s on, not 10 s and 10 ms
 */
export class PreciseClock implements Clock {
  constructor(private readonly base: TimerBase = nodeTimers) {}

  now(): number {
    return this.base.wallNow();
  }

  setTimeout(fn: (...args: unknown[]) => void, ms: number): PreciseTimer {
    const { base } = this;
    const armedAt = base.monotonicNow();
    const dueAt = armedAt + ms;
    const timer: PreciseTimer = { handle: undefined };
    let early = earlyWakeMs(ms);
    const check = (): void => {
      const left = dueAt - base.monotonicNow();
      if (left <= 0) {
        fn();
        return;
      }
      early = earlyWakeMs(left);
      timer.handle = base.setTimeout(check, left - early);
    };
    const firstWait = ms - early;
    timer.handle = base.setTimeout(() => {
      // The clock moved less than half the first wait: the timers run on a time of their own (a
      // test's fake timers that leave performance.now() alone), so the rest is on theirs. A real
      // wait ends early by libuv's rounding at most (up to 1.5 ms was seen on the bench's VM), so
      // only a timer of under 3 ms can be taken for one on fake time and fire that much early.
      if (base.monotonicNow() - armedAt < firstWait / 2) timer.handle = base.setTimeout(fn, early);
      else check();
    }, firstWait);
    return timer;
  }

  clearTimeout(timer: unknown): void {
    this.base.clearTimeout((timer as PreciseTimer | undefined)?.handle);
  }
}
