// The runc runtime: each container run is a real OCI container run by `runc run` in the
// foreground, so berth is its parent and sees its exit status; it has its own PID namespace (PID 1
// semantics), a cgroup, and pause through the cgroup freezer, exactly as Docker does with runc.
// Same protocol as the process runtime: signals through `runc kill` (`--all` for every process),
// freeze and thaw through `runc pause` / `runc resume`.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { fromCallback } from 'xstate';
import type { RuntimeCommand, RuntimeInput, RuntimeReport } from '../../machines/protocol.js';
import { makeDirectory } from '../make-directory.js';
import { isSameProcess, readProcessStartTime } from '../proc.js';
import { forwardOutput, waitForOutputEnd, type OutputListener } from '../output.js';
import { runc, runcMessage, runcSync } from './cli.js';
import { buildOciSpec, type OciSpec } from './oci-spec.js';

export interface RuncRuntimeOptions {
  /** runc's --root: berth's own, so it never touches other runc users' containers. */
  root: string;
  /** Where each run's bundle (config.json) is written. */
  bundles: string;
  /** runc's default spec, from `runc spec`. */
  template: OciSpec;
  /** The root filesystem of an image; throws when the image is unknown. */
  resolveImage(image: string): string;
  /** A static tini on the host, bind-mounted as docker-init for `init: true`. */
  tiniPath?: string;
  onOutput?: OutputListener;
}

/** How long a start may take before runc is considered stuck. */
const startDeadlineMs = 10_000;
/** How long an exit report waits for the output pipes to close. */
const stdioDrainMs = 2_000;

/** The runc id of one run: a container's runs never share an id, so a late command cannot hit the next run. */
export function runcIdOf(containerId: string, generation: number): string {
  return `berth-${containerId.slice(0, 12)}-${generation}`;
}

/**
 * Creates the runc runtime logic that container machines invoke with `{ spec, generation }`.
 * @example setup({ actors: { runtime: createRuncRuntime({ root, bundles, template, resolveImage }) } })
 */
export function createRuncRuntime(options: RuncRuntimeOptions) {
  return fromCallback<RuntimeCommand, RuntimeInput>(({ input, sendBack, receive }) => {
    const { spec, generation } = input;
    const id = runcIdOf(spec.id, generation);
    const bundle = join(options.bundles, id);
    let active = true;
    let settled = false;
    let main: { pid: number; startTime: string | undefined } | undefined;
    const report = (event: RuntimeReport) => {
      if (active) sendBack(event);
    };
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      report({ type: 'runtime.startFailed', generation, ...classifyStartError(message) });
    };

    let rootfs: string;
    try {
      rootfs = options.resolveImage(spec.image);
      makeDirectory(bundle);
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(buildOciSpec(options.template, spec, rootfs, id, options.tiniPath)));
    } catch (error) {
      fail((error as Error).message);
      return;
    }

    const child = execa('runc', ['--root', options.root, 'run', '--bundle', bundle, id], {
      reject: false, detached: true, cleanup: false, forceKillAfterDelay: false, stdin: 'ignore', buffer: false,
      stdout: options.onOutput ? 'pipe' : 'ignore', stderr: 'pipe',
    });
    let runcErrors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      // Until the container runs, stderr is runc's own (its start errors); afterwards it is the container's.
      if (main === undefined) runcErrors += chunk.toString();
      else options.onOutput?.(spec.id, 'stderr', chunk);
    });
    forwardOutput(child.stdout, 'stdout', spec.id, options.onOutput);
    child.on('error', () => {});
    void child.then(() => {}, () => {});

    // `runc run` only returns at the exit: ask runc for the container's pid once it runs.
    const deadline = Date.now() + startDeadlineMs;
    const awaitRunning = async (): Promise<void> => {
      while (active && !settled && main === undefined) {
        const state = await runc(options.root, ['state', id]);
        if (state.ok) {
          const { pid, status } = JSON.parse(state.stdout) as { pid: number; status: string };
          if (status === 'running' || status === 'paused') {
            main = { pid, startTime: readProcessStartTime(pid) };
            report({ type: 'runtime.started', generation, pid });
            if (runcErrors && !/level=(error|fatal)/.test(runcErrors)) options.onOutput?.(spec.id, 'stderr', Buffer.from(runcErrors));
            runcErrors = '';
            return;
          }
        }
        if (child.exitCode !== null || child.signalCode !== null) return;
        if (Date.now() > deadline) {
          fail(`runc did not start container ${spec.name} within ${startDeadlineMs / 1000} s`);
          void runc(options.root, ['delete', '--force', id]);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    void awaitRunning();

    child.on('exit', (code, signalName) => {
      const finish = () => {
        rmSync(bundle, { recursive: true, force: true });
        if (main === undefined) {
          // runc's own errors are logrus lines; anything else on stderr came from a container that
          // ran and exited before `runc state` saw it running.
          if (/level=(error|fatal)/.test(runcErrors) || code === null) {
            fail(runcErrors.trim() ? runcMessage(runcErrors) : `runc exited with ${code ?? signalName} before the container ran`);
            return;
          }
          if (runcErrors) options.onOutput?.(spec.id, 'stderr', Buffer.from(runcErrors));
          main = { pid: 0, startTime: undefined };
          report({ type: 'runtime.started', generation, pid: 0 });
        }
        if (settled) return;
        settled = true;
        // runc reports a container killed by signal N as 128 + N, Docker's own rule.
        report({ type: 'runtime.exited', generation, exitCode: code ?? 128 });
      };
      void waitForOutputEnd([child.stdout, child.stderr], stdioDrainMs).then(finish);
    });

    // Commands run one after another, so a stop signal is always sent before the thaw that follows it.
    let queue: Promise<void> = Promise.resolve();
    receive((command) => {
      queue = queue.then(async () => {
        const outcome = await runCommand(options.root, id, generation, main, command);
        if (outcome) report(outcome);
      });
    });

    return () => {
      active = false;
      if (child.exitCode === null && child.signalCode === null) {
        // The container leaves the state that runs it (the engine stops): nothing may outlive it.
        runcSync(options.root, ['kill', '--all', id, 'KILL']);
        runcSync(options.root, ['delete', '--force', id]);
        rmSync(bundle, { recursive: true, force: true });
      }
    };
  });
}

async function runCommand(
  root: string, id: string, generation: number, main: { pid: number; startTime: string | undefined } | undefined, command: RuntimeCommand,
): Promise<RuntimeReport | undefined> {
  if (command.type === 'signal') {
    const { seq, signal } = command;
    const delivered: RuntimeReport | undefined = command.ack ? { type: 'runtime.signalDelivered', generation, seq } : undefined;
    if (command.direct) {
      // The last resort: from outside runc, and only at a pid that is still the container's init.
      if (main && isSameProcess(main.pid, main.startTime)) {
        try { process.kill(main.pid, 'SIGKILL'); } catch { /* gone already */ }
      }
      await runc(root, ['kill', '--all', id, 'KILL']);
      return delivered;
    }
    const result = await runc(root, ['kill', ...(command.scope === 'all' ? ['--all'] : []), id, String(signal)]);
    if (result.ok) return delivered;
    const gone = /not running|does not exist|no such process/i.test(result.stderr);
    return { type: 'runtime.signalFailed', generation, seq, code: gone ? 'ESRCH' : 'ERUNC', message: `runc kill ${signal}: ${result.stderr}` };
  }
  const result = await runc(root, [command.type === 'freeze' ? 'pause' : 'resume', id]);
  if (result.ok) return command.type === 'freeze' ? { type: 'runtime.frozen', generation } : { type: 'runtime.thawed', generation };
  return { type: 'runtime.freezeFailed', generation, message: `runc ${command.type === 'freeze' ? 'pause' : 'resume'}: ${result.stderr}` };
}

// Docker's start-failure codes from runc's message: 127 not found, 126 not executable, else 128.
function classifyStartError(message: string): { exitCode: number; message: string } {
  if (/executable file not found|no such file or directory/i.test(message)) return { exitCode: 127, message };
  if (/permission denied|is a directory/i.test(message)) return { exitCode: 126, message };
  return { exitCode: 128, message };
}
