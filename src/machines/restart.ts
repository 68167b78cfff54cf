// Docker's restart decision and back-off as pure functions, so the container machine can ask
// "restart, and after how long?" in one place and tests can check the sequence without a clock.
// Source: moby daemon/internal/restartmanager/restartmanager.go (docker-lifecycle.md (e)).
import type { RestartPolicy } from './spec.js';

/** The first back-off delay. */
export const backoffInitialMs = 100;
/** The back-off cap. */
export const backoffMaximumMs = 60_000;
/** A run at least this long resets the back-off. */
export const backoffResetAfterMs = 10_000;

export interface RestartState {
  /** The delay used for the last restart, 0 when none yet (or after a reset). */
  backoffMs: number;
  /** Policy restarts since the last manual start. */
  restartCount: number;
}

export interface ExitFacts {
  exitCode: number;
  /** Set when a stopping signal was sent or the user stopped the container. */
  manuallyStopped: boolean;
  /** Set when a stopping signal cancelled the policy for this run (Docker's ExitOnNext). */
  restartCanceled: boolean;
  runDurationMs: number;
}

export interface RestartDecision {
  restart: boolean;
  /** The delay before the next start, and the back-off state to keep. */
  backoffMs: number;
}

/**
 * Decides whether a run that just ended starts again, and when.
 * @example
 * decideRestart({ name: 'always', maximumRetryCount: 0 }, { backoffMs: 0, restartCount: 0 },
 *   { exitCode: 1, manuallyStopped: false, restartCanceled: false, runDurationMs: 50 })
 * // -> { restart: true, backoffMs: 100 }
 */
export function decideRestart(policy: RestartPolicy, state: RestartState, exit: ExitFacts): RestartDecision {
  if (policy.name === 'no') return { restart: false, backoffMs: state.backoffMs };
  if (exit.restartCanceled) return { restart: false, backoffMs: state.backoffMs };
  const backoffMs = nextBackoff(state.backoffMs, exit.runDurationMs);
  return { restart: policyWantsRestart(policy, state.restartCount, exit), backoffMs };
}

// The delay advances even when the policy then says no, as Docker's does.
function nextBackoff(previousMs: number, runDurationMs: number): number {
  const base = runDurationMs >= backoffResetAfterMs ? 0 : previousMs;
  if (base === 0) return backoffInitialMs;
  return Math.min(base * 2, backoffMaximumMs);
}

function policyWantsRestart(policy: RestartPolicy, restartCount: number, exit: ExitFacts): boolean {
  switch (policy.name) {
    case 'always':
      return true;
    case 'unless-stopped':
      return !exit.manuallyStopped;
    case 'on-failure':
      return exit.exitCode !== 0 && (policy.maximumRetryCount === 0 || restartCount < policy.maximumRetryCount);
    default:
      return false;
  }
}

/** Docker at daemon start: does a container that was started before come back? (docker-lifecycle.md (e)) */
export function restartsOnEngineStart(policy: RestartPolicy, exitCode: number, manuallyStopped: boolean): boolean {
  switch (policy.name) {
    case 'always': return true;
    case 'unless-stopped': return !manuallyStopped;
    case 'on-failure': return exitCode !== 0;
    default: return false;
  }
}
