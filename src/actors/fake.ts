// A scriptable runtime for tests and the simulator: a "process" whose reaction to each signal is
// scripted (exit with a code, ignore, exit after a delay, fail delivery, never die). It speaks the
// same protocol as the real runtimes and keeps time on the clock it is given, so a whole stop
// flow runs instantly on a SimulatedClock.
import { fromCallback } from 'xstate';
import type { Clock } from '../machines/clock.js';
import type { RuntimeCommand, RuntimeInput, RuntimeReport } from '../machines/protocol.js';
import type { ContainerSpec } from '../machines/spec.js';

/** What the fake process does when a signal reaches it. */
export type SignalReaction =
  /** Dies of the signal: exit code 128 + signal. */
  | 'die'
  /** Catches it and exits with this code at once. */
  | { exit: number }
  /** Catches it and exits after a delay, with `exit` or 128 + signal. */
  | { exitAfterMs: number; exit?: number }
  /** Ignores it (as PID 1 without a handler ignores SIGTERM). */
  | 'ignore'
  /** The signal cannot be delivered (the runtime answers EPERM). */
  | 'fail-delivery';

/** The scripted behaviour of one container's process. */
export interface FakeBehaviour {
  /** Fail the start with this message and exit code (127: not found, 126: not executable). */
  startFailure?: { message: string; exitCode: number };
  /** Exit by itself this long after starting, with `exitCode` (default 0). */
  exitAfterMs?: number;
  exitCode?: number;
  /** Reaction per signal number; `default` for the others. Unlisted: 'die'. */
  signals?: Partial<Record<number | 'default', SignalReaction>>;
  /** 'survive': even SIGKILL and the direct kill do not end it (a process stuck in the D state). */
  sigkill?: 'die' | 'survive';
  /** The direct kill (after SIGKILL) ends it even when SIGKILL did not. */
  directKill?: 'die' | 'survive';
}

/** One signal as the fake process saw it. */
export interface FakeSignalRecord {
  at: number;
  containerId: string;
  generation: number;
  signal: number;
  scope: 'main' | 'all';
  direct: boolean;
  /** The process had already exited when the signal was sent. */
  afterExit: boolean;
}

/** One run of a fake process. */
export interface FakeProcess {
  containerId: string;
  generation: number;
  pid: number;
  startedAt: number;
  exitedAt: number | null;
  exitCode: number | null;
  frozen: boolean;
  /** Signals held while frozen; they land on thaw. */
  pending: number[];
}

export interface FakeRuntimeOptions {
  clock: Clock;
  /** The behaviour of a container's process; called once per run. */
  behaviour?: (spec: ContainerSpec) => FakeBehaviour;
}

/** The fake runtime's actor logic, plus the record of what happened and a way to crash a process. */
export interface FakeRuntime {
  logic: ReturnType<typeof fromCallback<RuntimeCommand, RuntimeInput>>;
  processes: FakeProcess[];
  signals: FakeSignalRecord[];
  /** Makes the current run of a container exit by itself, as a crash would. */
  exit(containerId: string, exitCode: number): boolean;
}

const SIGKILL = 9;

/**
 * Creates a fake runtime on the given clock.
 * @example
 * const clock = new SimulatedClock();
 * const fake = createFakeRuntime({ clock, behaviour: () => ({ signals: { 15: 'ignore' } }) });
 * const engine = createEngine({ runtime: fake.logic, clock });
 */
export function createFakeRuntime(options: FakeRuntimeOptions): FakeRuntime {
  const { clock } = options;
  const processes: FakeProcess[] = [];
  const signals: FakeSignalRecord[] = [];
  const exiters = new Map<string, (exitCode: number) => void>();
  let nextPid = 1000;

  const logic = fromCallback<RuntimeCommand, RuntimeInput>(({ input, sendBack, receive }) => {
    const { spec, generation } = input;
    const behaviour = options.behaviour?.(spec) ?? {};
    const report = (event: RuntimeReport) => {
      if (!stopped) sendBack(event);
    };
    let stopped = false;
    const timers = new Set<unknown>();
    const later = (ms: number, fn: () => void) => {
      const id = clock.setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timers.add(id);
    };

    if (behaviour.startFailure) {
      report({ type: 'runtime.startFailed', generation, ...behaviour.startFailure });
      return;
    }
    const proc: FakeProcess = {
      containerId: spec.id, generation, pid: nextPid++, startedAt: clock.now(),
      exitedAt: null, exitCode: null, frozen: false, pending: [],
    };
    processes.push(proc);
    const exit = (exitCode: number, signal?: number) => {
      if (proc.exitedAt !== null) return;
      proc.exitedAt = clock.now();
      proc.exitCode = exitCode;
      report({ type: 'runtime.exited', generation, exitCode, ...(signal === undefined ? {} : { signal }) });
    };
    exiters.set(spec.id, exit);
    report({ type: 'runtime.started', generation, pid: proc.pid });
    if (behaviour.exitAfterMs !== undefined) later(behaviour.exitAfterMs, () => exit(behaviour.exitCode ?? 0));

    const land = (signal: number) => {
      const reaction = behaviour.signals?.[signal] ?? behaviour.signals?.default ?? 'die';
      if (reaction === 'die') exit(128 + signal, signal);
      else if (reaction === 'ignore' || reaction === 'fail-delivery') return;
      else if ('exitAfterMs' in reaction) later(reaction.exitAfterMs, () => exit(reaction.exit ?? 128 + signal));
      else exit(reaction.exit);
    };

    receive((command) => {
      if (command.type === 'freeze') {
        proc.frozen = true;
        report({ type: 'runtime.frozen', generation });
        return;
      }
      if (command.type === 'thaw') {
        proc.frozen = false;
        report({ type: 'runtime.thawed', generation });
        for (const signal of proc.pending.splice(0)) if (proc.exitedAt === null) land(signal);
        return;
      }
      const { seq, signal, scope } = command;
      const direct = command.direct === true;
      signals.push({ at: clock.now(), containerId: spec.id, generation, signal, scope, direct, afterExit: proc.exitedAt !== null });
      const reaction = behaviour.signals?.[signal] ?? behaviour.signals?.default;
      if (signal !== SIGKILL && reaction === 'fail-delivery') {
        report({ type: 'runtime.signalFailed', generation, seq, code: 'EPERM', message: 'operation not permitted' });
        return;
      }
      if (command.ack) report({ type: 'runtime.signalDelivered', generation, seq });
      if (proc.exitedAt !== null) return;
      if (signal === SIGKILL) {
        const survives = direct ? (behaviour.directKill ?? behaviour.sigkill) === 'survive' : behaviour.sigkill === 'survive';
        if (!survives) exit(128 + SIGKILL, SIGKILL);
      } else if (proc.frozen) {
        proc.pending.push(signal);
      } else {
        land(signal);
      }
    });

    return () => {
      stopped = true;
      for (const id of timers) clock.clearTimeout(id);
      if (exiters.get(spec.id) === exit) exiters.delete(spec.id);
    };
  });

  return {
    logic,
    processes,
    signals,
    exit(containerId, exitCode) {
      const exit = exiters.get(containerId);
      if (!exit) return false;
      exit(exitCode);
      return true;
    },
  };
}
