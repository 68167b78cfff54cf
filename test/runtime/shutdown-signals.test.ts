// The engine process's own SIGTERM, with handleSignals: a graceful shutdown of every container,
// then the signal raised again so the process ends as it would have.
import { execa } from 'execa';
import { afterEach, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/actors/proc.js';

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
});

it('SIGTERM to the engine stops its containers (each with its own timeout), then the engine exits by SIGTERM', async () => {
  const engine = execa('node', ['test/fixtures/engine-with-signals.mjs'], { reject: false, buffer: true, lines: true });
  const pids = await new Promise<number[]>((resolve, reject) => {
    engine.stdout!.on('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()).pids));
    engine.on('exit', () => reject(new Error('the engine exited before it was ready')));
  });
  leftovers.push(...pids);
  expect(pids.every(isProcessAlive)).toBe(true);
  const began = Date.now();
  engine.kill('SIGTERM');
  const result = await engine;
  expect(Date.now() - began).toBeLessThan(8_000);
  expect(result.signal).toBe('SIGTERM');
  expect(pids.some(isProcessAlive)).toBe(false);
  const log = (result.stderr as unknown as string[]).map((line) => JSON.parse(line) as { msg: string; container?: string; exitCode?: number });
  expect(log.find((l) => l.container === 'graceful' && l.msg.startsWith('exited'))?.exitCode).toBe(0);
  expect(log.find((l) => l.container === 'stubborn' && l.msg.startsWith('exited'))?.exitCode).toBe(137);
  expect(log.at(-1)?.msg).toBe('shut down');
});
