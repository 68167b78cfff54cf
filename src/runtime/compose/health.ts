// Compose healthchecks for `berth up`: the test command run every interval (on the host, as the
// process runtime runs everything), failures during the start period not counted, healthy at the
// first success, unhealthy after `retries` failures in a row.
import { execa } from 'execa';
import type { Healthcheck } from './project.js';

export type Health = 'starting' | 'healthy' | 'unhealthy';

/** Runs a healthcheck until stopped; calls onChange when the status changes. */
export function monitorHealth(check: Healthcheck, env: Record<string, string>, onChange: (health: Health, detail: string) => void): () => void {
  let stopped = false;
  let failures = 0;
  let health: Health = 'starting';
  let timer: NodeJS.Timeout | undefined;
  const began = Date.now();
  const set = (next: Health, detail: string) => {
    if (next === health) return;
    health = next;
    onChange(next, detail);
  };
  const probe = async () => {
    if (stopped) return;
    const [file, ...args] = typeof check.test === 'string' ? ['/bin/sh', '-c', check.test] : check.test;
    const result = await execa(file!, args, { reject: false, timeout: check.timeoutMs, env, stdin: 'ignore' });
    if (stopped) return;
    if (result.exitCode === 0) {
      failures = 0;
      set('healthy', 'check passed');
    } else if (Date.now() - began >= check.startPeriodMs) {
      failures++;
      const why = result.timedOut ? `timed out after ${check.timeoutMs} ms` : `exit ${result.exitCode ?? result.signal}`;
      if (failures >= check.retries) set('unhealthy', `${failures} failed checks in a row (last: ${why})`);
    }
    timer = setTimeout(() => void probe(), check.intervalMs);
  };
  timer = setTimeout(() => void probe(), 0);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
