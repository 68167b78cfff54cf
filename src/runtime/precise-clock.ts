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
/** libuv's loop time is in whole milliseconds: a wait can end up to one early on the monotonic clock. */
const roundingMs = 1;
/** The shortest wait that tells a clock that moves from one that does not (see check). */
const probeMs = 5;
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
    const dueAt = base.monotonicNow() + ms;
    const timer: PreciseTimer = { handle: undefined };
    let early = earlyWakeMs(ms);
    const check = (): void => {
      const now = base.monotonicNow();
      const left = dueAt - now;
      if (left <= 0) {
        fn();
        return;
      }
      if (left > early + roundingMs) {
        // The wait ended with more left than libuv's rounding explains. Either it was armed while
        // the loop's cached time lagged the clock (a long synchronous task), so it ended early by
        // that lag, or the timers run on a time of their own (a test's fake timers that leave
        // performance.now() alone). A wait armed now, from a timer callback, starts on fresh loop
        // time: if the clock moves during it, the rest is counted on the clock; if it does not,
        // the timers' own time has reached the due time (or passed it by a probe's length).
        const probe = Math.max(early, probeMs);
        timer.handle = base.setTimeout(() => (base.monotonicNow() - now >= probe / 2 ? check() : fn()), probe);
        return;
      }
      early = earlyWakeMs(left);
      timer.handle = base.setTimeout(check, left - early);
    };
    timer.handle = base.setTimeout(check, ms - early);
    return timer;
  }

  clearTimeout(timer: unknown): void {
    this.base.clearTimeout((timer as PreciseTimer | undefined)?.handle);
  }
}
