// The runtime protocol: the only messages that pass between a container machine and the actor
// that runs its process, whatever runtime that is (process, runc, fake). Modeled on containerd's
// task API: Start (input), Kill with an `all` flag, Pause, Resume, Wait (the exit report).
import type { ContainerSpec } from './spec.js';

/** What a runtime actor is started with: one run ("generation") of one container. */
export interface RuntimeInput {
  spec: ContainerSpec;
  generation: number;
  /** Attach to this already running main process (after an engine restart) instead of starting one. */
  adopt?: { pid: number; startTime: string };
}

/**
 * Sent to the runtime. `seq` is echoed in the delivery report so replies pair up exactly. A failed
 * signal is always reported; a delivered one only when `ack` asks (a kill answers on delivery): a
 * stop needs no confirmation, its answer is the exit, and each report costs the machine a step.
 */
export type RuntimeCommand =
  | {
      type: 'signal';
      seq: number;
      signal: number;
      /** main: the main process only (Docker signals PID 1). all: every process of the container. */
      scope: 'main' | 'all';
      /** The last resort: kill the pid from outside the runtime, identity-checked. */
      direct?: boolean;
      /** Report `signalDelivered` on success (a runtime may report it for others too). */
      ack?: boolean;
    }
  | { type: 'freeze' }
  | { type: 'thaw' };

/** Sent back by the runtime. Every report names the generation it belongs to. */
export type RuntimeReport =
  | { type: 'runtime.started'; generation: number; pid: number }
  | { type: 'runtime.startFailed'; generation: number; message: string; exitCode: number }
  | { type: 'runtime.signalDelivered'; generation: number; seq: number }
  | { type: 'runtime.signalFailed'; generation: number; seq: number; code: string; message: string }
  | { type: 'runtime.frozen'; generation: number }
  | { type: 'runtime.thawed'; generation: number }
  | { type: 'runtime.freezeFailed'; generation: number; message: string }
  | { type: 'runtime.exited'; generation: number; exitCode: number; signal?: number; statusUnknown?: boolean };

/** Docker's exit code rule: the exit status, or 128 + the number of the signal that ended it. */
export function exitCodeOf(status: number | null | undefined, signal: number | null | undefined): number {
  if (typeof status === 'number') return status;
  if (typeof signal === 'number' && signal > 0) return 128 + signal;
  return 128;
}
