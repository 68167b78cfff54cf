// Compose healthchecks with real check commands: the verdicts, and the deadline, which must hold
// even for a check whose children hang on, and must leave none of them behind.
import { expect, it } from 'vitest';
import { monitorHealth, type Health } from '../../src/runtime/compose/health.js';
import type { Healthcheck } from '../../src/runtime/compose/project.js';
import { processesMatching, until } from '../support/real-engine.js';

const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
const check = (test: Healthcheck['test'], overrides: Partial<Healthcheck> = {}): Healthcheck => ({ test, intervalMs: 50, timeoutMs: 2_000, retries: 1, startPeriodMs: 0, ...overrides });

// Each test finds its check's processes by an odd sleep length of its own.

function watch(healthcheck: Healthcheck) {
  const seen: Array<{ health: Health; detail: string; at: number }> = [];
  const began = Date.now();
  const stop = monitorHealth(healthcheck, env, (health, detail) => seen.push({ health, detail, at: Date.now() - began }));
  return { seen, stop };
}

it('healthy at the first passing check; unhealthy after `retries` failures, with the exit status', async () => {
  const passing = watch(check('true'));
  const failing = watch(check(['sh', '-c', 'exit 3'], { retries: 2 }));
  try {
    await until(() => passing.seen.length > 0 && failing.seen.length > 0, 5_000, 'both verdicts');
    expect(passing.seen[0]).toMatchObject({ health: 'healthy', detail: 'check passed' });
    expect(failing.seen[0]).toMatchObject({ health: 'unhealthy', detail: '2 failed checks in a row (last: exit 3)' });
  } finally {
    passing.stop();
    failing.stop();
  }
});

it('a check that hangs in a child process fails at its timeout, and the child is killed (was: the verdict waited for the child)', async () => {
  const marker = 'sleep 31.71';
  const hung = watch(check(`${marker}; echo never`, { timeoutMs: 300 }));
  try {
    await until(() => hung.seen.length > 0, 5_000, 'the verdict');
    expect(hung.seen[0]).toMatchObject({ health: 'unhealthy', detail: '1 failed checks in a row (last: timed out after 300 ms)' });
    expect(hung.seen[0]!.at).toBeLessThan(3_000);
    await until(async () => (await processesMatching(marker)).length === 0, 2_000, 'the hung check to be killed');
  } finally {
    hung.stop();
    for (const pid of await processesMatching(marker)) process.kill(pid, 'SIGKILL');
  }
});

it('stopping the monitor kills a check in flight, children included', async () => {
  const marker = 'sleep 31.72';
  const slow = watch(check(`${marker}; true`, { timeoutMs: 60_000 }));
  try {
    await until(async () => (await processesMatching(marker)).length > 0, 5_000, 'the check to run');
    slow.stop();
    await until(async () => (await processesMatching(marker)).length === 0, 2_000, 'the check to be killed');
    expect(slow.seen).toEqual([]);
  } finally {
    for (const pid of await processesMatching(marker)) process.kill(pid, 'SIGKILL');
  }
});

it('a check command that does not exist is a failed check that says so', async () => {
  const missing = watch(check(['/nonexistent/berth-check']));
  try {
    await until(() => missing.seen.length > 0, 5_000, 'the verdict');
    expect(missing.seen[0]!.detail).toMatch(/could not run: .*ENOENT/);
  } finally {
    missing.stop();
  }
});
