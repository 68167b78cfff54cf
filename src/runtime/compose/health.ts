// Compose healthchecks for `berth up`: the test command run every interval (on the host, as the
// process runtime runs everything), failures during the start period not counted, healthy at the
// first success, unhealthy after `retries` failures in a row.
import { spawn, type ChildProcess } from 'node:child_process';
import { killRemainingProcesses } from '../../actors/kill.js';
import { messageOf } from '../../machines/records.js';
import type { Healthcheck } from './project.js';

export type Health = 'starting' | 'healthy' | 'unhealthy';

/** One run of the check: resolves with why it failed, or undefined when it passed. */
interface CheckRun {
  failure: Promise<string | undefined>;
  /** Kills the check and everything it started. */
  cancel(): void;
}

// The check runs in its own process group, and its deadline kills the group: a shell check's
// children (`sleep 100`, a hung curl) would otherwise outlive it, hold the verdict past the
// timeout, and outlive berth up itself. Its output is not kept, so nothing waits on a pipe.
function runCheck(check: Healthcheck, env: Record<string, string>): CheckRun {
  const [file, ...args] = typeof check.test === 'string' ? ['/bin/sh', '-c', check.test] : check.test;
  let child: ChildProcess;
  try {
    child = spawn(file!, args, { detached: true, stdio: 'ignore', env });
  } catch (error) {
    return { failure: Promise.resolve(`could not run: ${messageOf(error)}`), cancel() {} };
  }
  let exited = false;
  // Until the reap our own child's pid, and so its group id, cannot be anyone else's; after it the
  // group is killed only if it is still ours (kill.ts).
  const cancel = () => {
    if (child.pid !== undefined) killRemainingProcesses({ pid: child.pid, startTime: undefined }, !exited);
  };
  const failure = new Promise<string | undefined>((resolve) => {
    const deadline = setTimeout(() => {
      cancel();
      resolve(`timed out after ${check.timeoutMs} ms`);
    }, check.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(deadline);
      resolve(`could not run: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      exited = true;
      clearTimeout(deadline);
      cancel(); // what the check left running in its group
      resolve(code === 0 ? undefined : `exit ${code ?? signal}`);
    });
  });
  return { failure, cancel };
}

/** Runs a healthcheck until stopped; calls onChange when the status changes. */
export function monitorHealth(check: Healthcheck, env: Record<string, string>, onChange: (health: Health, detail: string) => void): () => void {
  let stopped = false;
  let failures = 0;
  let health: Health = 'starting';
  let timer: NodeJS.Timeout | undefined;
  let running: CheckRun | undefined;
  const began = Date.now();
  const set = (next: Health, detail: string) => {
    if (next === health) return;
    health = next;
    onChange(next, detail);
  };
  const probe = async () => {
    if (stopped) return;
    running = runCheck(check, env);
    const why = await running.failure;
    running = undefined;
    if (stopped) return;
    if (why === undefined) {
      failures = 0;
      set('healthy', 'check passed');
    } else if (Date.now() - began >= check.startPeriodMs) {
      failures++;
      if (failures >= check.retries) set('unhealthy', `${failures} failed checks in a row (last: ${why})`);
    }
    timer = setTimeout(() => void probe(), check.intervalMs);
  };
  timer = setTimeout(() => void probe(), 0);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    running?.cancel();
  };
}
