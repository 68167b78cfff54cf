// An engine process that dies without stopping its containers (an uncaught exception in the
// embedder): what nothing could adopt later is killed on the way out; what a state dir records
// is left running for the next engine.
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { livingInGroup, until } from '../support/real-engine.js';

const groups: number[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const pgid of groups.splice(0)) try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function crash(...args: string[]): Promise<{ pid: number; exitCode: number | undefined; stderr: string }> {
  const result = await execa('node', ['test/fixtures/crashing-engine.mjs', ...args], { reject: false, timeout: 15_000 });
  const { pid } = JSON.parse(String(result.stdout).trim().split('\n')[0]!) as { pid: number };
  groups.push(pid);
  return { pid, exitCode: result.exitCode, stderr: String(result.stderr) };
}

it('without a state dir, the container and its children are SIGKILLed as the process exits (was: left running, orphaned)', async () => {
  const { pid, exitCode, stderr } = await crash();
  expect(exitCode).toBe(1);
  expect(stderr).toContain('a bug in the embedder');
  await until(() => livingInGroup(pid).length === 0, 2_000, `container group ${pid} to be gone`);
});

it('with a state dir, the container keeps running for the next engine to adopt', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'berth-crash-'));
  dirs.push(stateDir);
  const { pid, exitCode } = await crash(stateDir);
  expect(exitCode).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(livingInGroup(pid).length).toBeGreaterThanOrEqual(2); // the shell and its sleep
});

it('a container whose grandchild escaped its group (setsid) holding the pipes does not keep the engine process alive after shutdown', async () => {
  const began = Date.now();
  const result = await execa('node', ['test/fixtures/escaping-container.mjs'], { reject: false, timeout: 15_000 });
  const { escaped, status } = JSON.parse(String(result.stdout).trim()) as { escaped: number; status: string };
  try {
    expect(status).toBe('exited');
    expect(result.timedOut).toBe(false); // was: alive until the grandchild ended (its sleep)
    expect(result.exitCode).toBe(0);
    expect(Date.now() - began).toBeLessThan(10_000); // the 2 s bound on the pipes, then shutdown
  } finally {
    try { process.kill(escaped, 'SIGKILL'); } catch { /* gone */ }
  }
}, 20_000);
