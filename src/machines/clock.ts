// The time a machine stamps on its records. XState hands a machine's actions the actor system,
// whose clock is the one given to createActor (a SimulatedClock in tests); the default clock has
// no now(), so real runs fall back to Date.now.
import type { AnyActorRef } from 'xstate';

/** A clock XState can schedule timers on and berth can read time from. */
export interface Clock {
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  now(): number;
}

/** The current time on the clock the actor system runs on, in epoch milliseconds. */
export function nowOf(system: AnyActorRef['system']): number {
  const clock = (system as unknown as { _clock?: Partial<Clock> })._clock;
  return typeof clock?.now === 'function' ? clock.now() : Date.now();
}

/**
 * The longest delay a timer can have: Node (and XState's default clock, which is setTimeout) fires
 * a longer one after 1 ms, so a stop with a 30-day timeout would SIGKILL at once.
 */
export const maxTimerMs = 2 ** 31 - 1;

/** A delay as timers can take it: 0 to maxTimerMs (about 24.8 days; longer waits that long). */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), maxTimerMs);
}
