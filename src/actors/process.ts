// The default runtime: each container run is a plain host process in its own process group, driven
// through the runtime protocol (machines/protocol.ts). The main process exiting ends the container,
// like PID 1 exiting in a PID namespace: whatever it leaves behind in its group is killed.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync } from 'node:fs';
import { constants } from 'node:os';
import { fromCallback } from 'xstate';
import type { RuntimeCommand, RuntimeInput, RuntimeReport } from '../machines/protocol.js';
import { exitCodeOf } from '../machines/protocol.js';
import type { ContainerSpec } from '../machines/spec.js';
import { runCommand } from './commands.js';
import { killRemainingProcesses, type ContainerProcess } from './kill.js';
import type { LogFiles, LogFollower } from './log-files.js';
import { forwardOutput, waitForOutputEnd, type OutputListener } from './output.js';
import { describeStartError } from './start-error.js';
import { superviseAdopted } from './adopt.js';
import { createTurnQueue } from './turn-queue.js';

export type { OutputListener } from './output.js';

export interface ProcessRuntimeOptions {
  onOutput?: OutputListener;
  /**
   * Output through these files instead of pipes (with `onOutput`): for an engine with a state dir,
   * whose containers outlive it. A pipe dies with the engine and its writer with it (SIGPIPE).
   */
  logFiles?: LogFiles;
}

// Docker does not hand the daemon's environment to containers; PATH is the one variable a command
// needs to be found, so it comes from the engine unless the spec sets its own.
const fallbackPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** How long an exit report waits for the container's output pipes to close. */
const stdioDrainMs = 2_000;

/** How much of each output file an adopted run shows again: what it wrote while no engine read it. */
const adoptedTailBytes = 256 * 1024;

// Exec form runs argv as is (no shell); shell form runs through `/bin/sh -c`, like Docker's CMD.
function resolveCommand(cmd: ContainerSpec['cmd']): { file: string | undefined; args: string[] } {
  if (typeof cmd === 'string') return { file: '/bin/sh', args: ['-c', cmd] };
  return { file: cmd[0], args: cmd.slice(1) };
}

// Starts the process with node:child_process itself, not execa: execa's promise, abort-signal and
// stream bookkeeping more than doubled the stop time of 200 containers and held 25 KB of heap per
// running one (bench/README.md, "Where berth missed"), and the container machine owns the stop
// ladder anyway. spawn() throws for some errors (ENOTDIR cwd), which the caller catches; the
// others (ENOENT, EACCES) arrive as an 'error' event, with no pid.
function spawnContainer(spec: ContainerSpec, file: string, args: string[], stdio: StdioOptions): ChildProcess {
  return spawn(file, args, {
    detached: true, // setsid(): its own process group, pgid = pid, so one kill(-pid) reaches it all
    stdio,
    env: { PATH: process.env.PATH ?? fallbackPath, ...spec.env }, // exactly this: not the engine's environment
    ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
  });
}

// The process groups of running containers that nothing could adopt after this process is gone
// (no state dir). If it exits without stopping them (an uncaught exception, process.exit in the
// embedder), its 'exit' hook SIGKILLs them rather than leave them with no owner. Only children not
// reaped yet are listed, so each pid, and the group id that is the same number, is still ours.
const unadoptable = new Set<number>();
let exitHookInstalled = false;

function killUnadoptableOnExit(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const group of unadoptable) killRemainingProcesses({ pid: group, startTime: undefined }, true);
    });
  }
  unadoptable.add(pid);
}

/**
 * Creates the process runtime logic that container machines invoke with `{ spec, generation }`.
 * @example setup({ actors: { runtime: createProcessRuntime({ onOutput: writeLog }) } })
 */
export function createProcessRuntime(options: ProcessRuntimeOptions = {}) {
  // One queue for every container of the engine: a stop of all of them is one batch (turn-queue.ts).
  const defer = createTurnQueue();
  return fromCallback<RuntimeCommand, RuntimeInput>(({ input, sendBack, receive }) => {
    const { spec, generation } = input;
    const { onOutput, logFiles } = options;
    if (input.adopt) {
      // What the run wrote while no engine read it is in its files: the last of it is shown again.
      const follower = onOutput && logFiles ? logFiles.follow(spec.id, onOutput, { tailBytes: adoptedTailBytes }) : undefined;
      return superviseAdopted({ ...input, adopt: input.adopt }, sendBack, receive, follower);
    }
    let active = true; // false once XState ran the cleanup: nothing may be reported after that
    let settled = false; // startFailed or exited was reported: each run ends exactly once
    const deliver = (event: RuntimeReport): void => {
      if (active) sendBack(event);
    };
    const report = (event: RuntimeReport): void => defer(() => deliver(event));
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
    let child: ChildProcess;
    let follower: LogFollower | undefined;
    try {
      if (onOutput && logFiles) {
        const fds = logFiles.openForRun(spec.id);
        try {
          child = spawnContainer(spec, file, args, ['ignore', fds.stdout, fds.stderr]);
        } finally {
          closeSync(fds.stdout); // the child has its own copies
          closeSync(fds.stderr);
        }
        follower = logFiles.follow(spec.id, onOutput, { start: true });
      } else {
        const output = onOutput ? 'pipe' : 'ignore';
        child = spawnContainer(spec, file, args, ['ignore', output, output]);
      }
    } catch (error) {
      reportStartFailure(error, file);
      return;
    }

    // No start time: until the reap (the 'exit' listener) the pid cannot name anyone else, and
    // after it, a live pid of that number is someone else's for sure (kill.ts, ownsProcessGroup).
    const main: ContainerProcess | undefined = child.pid === undefined ? undefined : { pid: child.pid, startTime: undefined };
    let exited = false;

    // Delivered at once, not at the end of the turn: a start is one report, not a burst, and the
    // end of the turn can be a whole poll phase away (beside a container flooding its output, the
    // start took twice raw Node's: bench W6).
    const onSpawn = (): void => {
      if (main !== undefined) deliver({ type: 'runtime.started', generation, pid: main.pid });
    };
    // 'exit', not 'close': 'close' waits for stdout to close, which a grandchild holding the pipe
    // could delay forever.
    const onExit = (code: number | null, signalName: NodeJS.Signals | null): void => {
      if (main === undefined || exited) return;
      exited = true;
      unadoptable.delete(main.pid);
      // Reaped a moment ago, in this same callback: Linux hands out pids in turn up to pid_max
      // before it reuses one, so the group id is still ours without a look at /proc (26 µs).
      killRemainingProcesses(main, true);
      const signal = signalName === null ? undefined : constants.signals[signalName];
      if (settled) return;
      settled = true;
      const exitReport: RuntimeReport = { type: 'runtime.exited', generation, exitCode: exitCodeOf(code, signal), ...(code === null && signal !== undefined ? { signal } : {}) };
      if (follower) {
        // Files: everything written is there already.
        follower.drain();
        follower.close();
        report(exitReport);
        return;
      }
      // Report once the last output is in, so logs are complete when `die` is seen; the group is
      // dead, so the pipes close at once unless a process outside it holds them (then: the bound).
      void waitForOutputEnd([child.stdout, child.stderr], stdioDrainMs).then(() => report(exitReport));
    };
    // A spawn that failed after all (no pid) reports its error here; the listener stays for good,
    // since an 'error' with no listener would be thrown.
    const onError = (error: Error): void => {
      if (main === undefined) reportStartFailure(error, file);
    };
    // With log files the run is meant to outlive this process, for the next engine to adopt.
    if (main !== undefined && !logFiles) killUnadoptableOnExit(main.pid);
    child.on('spawn', onSpawn);
    child.on('exit', onExit);
    child.on('error', onError);
    forwardOutput(child.stdout, 'stdout', spec.id, onOutput);
    forwardOutput(child.stderr, 'stderr', spec.id, onOutput);

    receive((command) => defer(() => {
      // The run ended meanwhile: its cleanup killed what was left, and no one hears a report.
      if (!active) return;
      // `exited` is set in the 'exit' listener, which Node calls right after the reap; it is read
      // when the command runs, so a process reaped since it was queued is never signalled by pid.
      const outcome = runCommand({ containerId: spec.id, generation, main, exited, unreaped: !exited }, command);
      if (outcome) deliver(outcome);
    }));

    // The container leaves the state that runs it (or the system stops): kill what is left.
    // Output listeners stay until the pipes end, so the last lines written before exit still arrive.
    return () => {
      active = false;
      child.off('spawn', onSpawn);
      child.off('exit', onExit);
      if (main !== undefined && !exited) {
        killRemainingProcesses(main, true);
        unadoptable.delete(main.pid);
      }
      follower?.close();
    };
  });
}
