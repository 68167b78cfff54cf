// The default runtime: each container run is a plain host process in its own process group, driven
// through the runtime protocol (machines/protocol.ts). The main process exiting ends the container,
// like PID 1 exiting in a PID namespace: whatever it leaves behind in its group is killed.
import { constants } from 'node:os';
import { execa } from 'execa';
import { fromCallback } from 'xstate';
import type { RuntimeCommand, RuntimeInput, RuntimeReport } from '../machines/protocol.js';
import { exitCodeOf } from '../machines/protocol.js';
import type { ContainerSpec } from '../machines/spec.js';
import { killProcessDirectly, signalProcessGroup, type ContainerProcess } from './kill.js';
import { readProcessStartTime } from './proc.js';
import { describeStartError } from './start-error.js';

/** Receives container output as it arrives; the runtime itself never keeps any. */
export type OutputListener = (containerId: string, stream: 'stdout' | 'stderr', chunk: Buffer) => void;

export interface ProcessRuntimeOptions {
  onOutput?: OutputListener;
}

// Docker does not hand the daemon's environment to containers; PATH is the one variable a command
// needs to be found, so it comes from the engine unless the spec sets its own.
const fallbackPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// Exec form runs argv as is (no shell); shell form runs through `/bin/sh -c`, like Docker's CMD.
function resolveCommand(cmd: ContainerSpec['cmd']): { file: string | undefined; args: string[] } {
  if (typeof cmd === 'string') return { file: '/bin/sh', args: ['-c', cmd] };
  return { file: cmd[0], args: cmd.slice(1) };
}

// Starts the process; a spawn that fails synchronously (bad options, ENOTDIR cwd in execa's own
// checks) is returned as the error instead of thrown, so the actor never crashes.
function spawnContainer(spec: ContainerSpec, file: string, args: string[], withOutput: boolean) {
  return execa(file, args, {
    reject: false,
    detached: true, // setsid(): its own process group, pgid = pid, so one kill(-pid) reaches it all
    cleanup: false,
    forceKillAfterDelay: false, // the container machine owns the stop ladder
    stdin: 'ignore',
    stdout: withOutput ? 'pipe' : 'ignore',
    stderr: withOutput ? 'pipe' : 'ignore',
    buffer: false,
    extendEnv: false,
    env: { PATH: process.env.PATH ?? fallbackPath, ...spec.env },
    ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
  });
}

/**
 * Creates the process runtime logic that container machines invoke with `{ spec, generation }`.
 * @example setup({ actors: { runtime: createProcessRuntime({ onOutput: writeLog }) } })
 */
export function createProcessRuntime(options: ProcessRuntimeOptions = {}) {
  return fromCallback<RuntimeCommand, RuntimeInput>(({ input, sendBack, receive }) => {
    const { spec, generation } = input;
    let active = true; // false once XState ran the cleanup: nothing may be reported after that
    let settled = false; // startFailed or exited was reported: each run ends exactly once
    const report = (event: RuntimeReport): void => {
      if (active) sendBack(event);
    };
    const reportStartFailure = (error: unknown, file: string): void => {
      if (settled) return;
      settled = true;
      report({ type: 'runtime.startFailed', generation, ...describeStartError(error, file, spec.cwd) });
    };

    const { file, args } = resolveCommand(spec.cmd);
    if (file === undefined || file === '') {
      settled = true;
      report({ type: 'runtime.startFailed', generation, exitCode: 128, message: `container ${spec.id} has an empty command: give at least the program to run` });
      return;
    }
    let child: ReturnType<typeof spawnContainer>;
    try {
      child = spawnContainer(spec, file, args, options.onOutput !== undefined);
    } catch (error) {
      reportStartFailure(error, file);
      return;
    }

    // Read right away: uv_spawn returns only after exec, and the child cannot be reaped before
    // this line runs, so the pid still names our process.
    const main: ContainerProcess | undefined =
      child.pid === undefined ? undefined : { pid: child.pid, startTime: readProcessStartTime(child.pid) };
    let exited = false;

    const onSpawn = (): void => {
      if (main !== undefined) report({ type: 'runtime.started', generation, pid: main.pid });
    };
    // 'exit', not the execa promise: the promise waits for stdout to close, which a grandchild
    // holding the pipe could delay forever.
    const onExit = (code: number | null, signalName: NodeJS.Signals | null): void => {
      if (main === undefined || exited) return;
      exited = true;
      killGroupQuietly(main);
      const signal = signalName === null ? undefined : constants.signals[signalName];
      if (settled) return;
      settled = true;
      report({ type: 'runtime.exited', generation, exitCode: exitCodeOf(code, signal), ...(code === null && signal !== undefined ? { signal } : {}) });
    };
    const ignoreError = (): void => {}; // spawn errors arrive through the result below
    child.on('spawn', onSpawn);
    child.on('exit', onExit);
    child.on('error', ignoreError);
    // With reject: false the result of a failed spawn is the error itself, never a rejection.
    child.then(
      (result) => {
        if (main === undefined) reportStartFailure(result.cause ?? result, file);
      },
      (error: unknown) => {
        if (main === undefined) reportStartFailure(error, file);
      },
    );
    forwardOutput(child.stdout, 'stdout', spec.id, options.onOutput);
    forwardOutput(child.stderr, 'stderr', spec.id, options.onOutput);

    receive((command) => {
      if (main === undefined) {
        if (command.type === 'signal') {
          report({ type: 'runtime.signalFailed', generation, seq: command.seq, code: 'ESRCH', message: `container ${spec.id} has no process: it never started` });
        } else {
          report({ type: 'runtime.freezeFailed', generation, message: `container ${spec.id} has no process to ${command.type}: it never started` });
        }
        return;
      }
      if (command.type === 'signal') {
        try {
          if (command.direct === true) killProcessDirectly(main);
          else if (command.scope === 'main' && !exited) process.kill(main.pid, command.signal);
          else signalProcessGroup(main, command.signal);
          report({ type: 'runtime.signalDelivered', generation, seq: command.seq });
        } catch (error) {
          const { code, message } = error as NodeJS.ErrnoException;
          report({ type: 'runtime.signalFailed', generation, seq: command.seq, code: code ?? 'EUNKNOWN', message: `could not send signal ${command.signal} to container ${spec.id} (pid ${main.pid}): ${message}` });
        }
        return;
      }
      // Freezing stops every process of the group (SIGSTOP cannot be caught); thawing continues them.
      try {
        signalProcessGroup(main, command.type === 'freeze' ? 'SIGSTOP' : 'SIGCONT');
        report(command.type === 'freeze' ? { type: 'runtime.frozen', generation } : { type: 'runtime.thawed', generation });
      } catch (error) {
        report({ type: 'runtime.freezeFailed', generation, message: `could not ${command.type} container ${spec.id} (pid ${main.pid}): ${(error as Error).message}` });
      }
    });

    // The container leaves the state that runs it (or the system stops): kill what is left.
    // Output listeners stay until the pipes end, so the last lines written before exit still arrive.
    return () => {
      active = false;
      child.off('spawn', onSpawn);
      child.off('exit', onExit);
      if (main !== undefined && !exited) killGroupQuietly(main);
    };
  });
}

// The end-of-container kill: the group may already be empty (ESRCH), which is the goal anyway.
function killGroupQuietly(main: ContainerProcess): void {
  try {
    signalProcessGroup(main, 'SIGKILL');
  } catch {
    // nothing left to kill, or the pid now belongs to someone else
  }
}

// Streams chunks straight to the listener; a stream error (EPIPE, a destroyed pipe) must not
// become an uncaught exception in the engine.
function forwardOutput(
  stream: NodeJS.ReadableStream | null,
  name: 'stdout' | 'stderr',
  containerId: string,
  onOutput: OutputListener | undefined,
): void {
  if (stream === null || onOutput === undefined) return;
  stream.on('error', () => {});
  stream.on('data', (chunk: Buffer | string) => {
    onOutput(containerId, name, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  });
}
