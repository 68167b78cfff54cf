// A clock that only moves when told to, firing each timer at exactly its due time, in order,
// including timers armed by other timers. XState's SimulatedClock fires everything due at the
// new time with now() already there; simulate() needs each step stamped with its own time.
import type { Clock } from '../machines/clock.js';

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

/** A deterministic clock for simulations: `advanceTo(t)` runs every timer due up to t. */
export class ManualClock implements Clock {
  private current: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: (...args: unknown[]) => void, ms: number): number {
    const timer = { id: this.nextId++, due: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(id: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== id);
  }

  /** The due time of the earliest pending timer, if any. */
  nextDue(): number | undefined {
    return this.timers.reduce<number | undefined>((min, t) => (min === undefined || t.due < min ? t.due : min), undefined);
  }

  /** Fires, one at a time and in due order, every timer due at or before `time`, then sets now to `time`. */
  advanceTo(time: number): void {
    for (;;) {
      const due = this.nextDue();
      if (due === undefined || due > time) break;
      const timer = this.timers.find((t) => t.due === due)!;
      this.timers = this.timers.filter((t) => t !== timer);
      this.current = Math.max(this.current, due);
      timer.fn();
    }
    this.current = Math.max(this.current, time);
  }
}
