// What every contender does for the workloads: start a group of identical processes, stop them
// all at once, forget them, and say how much memory its supervising process uses. Each call
// resolves when the contender itself reports the result (running, exited), not when the bench
// sees it in /proc: the time measured is the time a user of that tool waits.
import type { Program, ProgramMode } from '../program.js';

export type ContenderName = 'c-floor' | 'raw-node' | 'xstate-floor' | 'berth' | 'pm2' | 'supervisord';

export const contenderNames: readonly ContenderName[] = ['c-floor', 'raw-node', 'xstate-floor', 'berth', 'pm2', 'supervisord'];

/** The contenders that run inside the bench's own process (the others are daemons of their own). */
export function isInProcess(name: ContenderName): boolean {
  return name === 'raw-node' || name === 'xstate-floor' || name === 'berth';
}

/** A set of identical processes a workload starts and stops together. */
export interface Group {
  /** A short name (letters and digits); process i is named `${name}-${i}`. */
  name: string;
  count: number;
  mode: ProgramMode;
  /** SIGTERM, then SIGKILL when the process has not exited after this long. */
  stopTimeoutMs: number;
}

/** The memory of the process that supervises (the engine process, or the daemon). */
export interface MemorySample {
  rssBytes: number;
  /** V8 heap in use after a full GC; only where the bench can read it (an engine in a Node process it runs). */
  heapUsedBytes?: number;
}

export interface Contender {
  readonly name: ContenderName;
  /** Brings the contender up for these groups (its daemon running and answering); never timed. */
  open(groups: Group[]): Promise<void>;
  /** Starts every process of the group; resolves once the contender reports them all running. */
  start(group: Group): Promise<void>;
  /** Stops every process of the group at once; resolves once the contender reports them all exited. */
  stop(group: Group): Promise<void>;
  /** Forgets the group's stopped processes, so the next start begins from nothing. */
  reset(group: Group): Promise<void>;
  memory(): Promise<MemorySample>;
  /** Stops and removes everything it started, daemon included; safe to call after any failure. */
  close(): Promise<void>;
}

/** What a contender is built from: the program to run and a private directory for its files. */
export interface ContenderContext {
  program: Program;
  /** A temporary directory of this run, for daemon homes, sockets and configs. */
  workDir: string;
}

export function processName(group: Group, index: number): string {
  return `${group.name}-${index}`;
}

export function processNames(group: Group): string[] {
  return Array.from({ length: group.count }, (_, index) => processName(group, index));
}
