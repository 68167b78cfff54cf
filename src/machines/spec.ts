// The container's normalized description and the engine's timing knobs: the input every
// container machine is created with. Validation lives in runtime/spec.ts; by the time a spec
// reaches a machine it is well formed.

/** Docker's restart policy names (docker-lifecycle.md (e)). */
export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  /** Only meaningful for on-failure; 0 means no limit. */
  maximumRetryCount: number;
}

/** A validated container spec. Times are milliseconds, signals are numbers. */
export interface ContainerSpec {
  id: string;
  name: string;
  /** Exec form (argv, no shell) or shell form (run by `/bin/sh -c`). */
  cmd: string[] | string;
  env: Record<string, string>;
  cwd?: string;
  /** The configured stop signal; undefined means SIGTERM. */
  stopSignal?: number;
  /** The configured stop timeout; undefined means the engine default; negative means forever. */
  stopTimeoutMs?: number;
  restart: RestartPolicy;
  autoRemove: boolean;
  init: boolean;
  labels: Record<string, string>;
  image: string;
  createdAt: number;
}

/** Every duration the stop ladder uses, with Docker's defaults (docker-lifecycle.md (b), (c), (h)). */
export interface Timings {
  /** Stop timeout when neither the call nor the container gives one. */
  defaultStopTimeoutMs: number;
  /** Wait after a stop signal that could not be delivered, before SIGKILL. */
  signalFailureGraceMs: number;
  /** Wait after SIGKILL before killing the pid directly. */
  killWaitMs: number;
  /** Wait after the direct kill before the stop is reported as failed. */
  directKillWaitMs: number;
  /** Engine shutdown: the least time given to all containers to stop. */
  shutdownMinimumMs: number;
  /** Engine shutdown: added to the largest stop timeout. */
  shutdownGraceMs: number;
}

export const defaultTimings: Timings = {
  defaultStopTimeoutMs: 10_000,
  signalFailureGraceMs: 2_000,
  killWaitMs: 10_000,
  directKillWaitMs: 2_000,
  shutdownMinimumMs: 15_000,
  shutdownGraceMs: 5_000,
};

export const SIGKILL = 9;
export const SIGTERM = 15;
