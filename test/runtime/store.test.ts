// The state dir's container records: written off the event loop, one write at a time per
// container, the latest record winning, a removal never undone by a write still in flight, and
// the engine's answers given only once the record they report is on disk.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ContainerStore, type ContainerRecord } from '../../src/runtime/store.js';
import { realEngine } from '../support/real-engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-store-'));
  dirs.push(dir);
  return dir;
}

function record(id: string, exitCode: number): ContainerRecord {
  return {
    version: 1,
    spec: { id, name: id, cmd: ['x'], env: {}, restart: { name: 'no', maximumRetryCount: 0 }, autoRemove: false, init: false, labels: {}, image: '', createdAt: 0 },
    state: { running: false, pid: 0, startedAt: null, finishedAt: null, exitCode, error: '', restartCount: 0, manuallyStopped: false, generation: 1 },
  };
}

const onDisk = (dir: string, id: string) => JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as ContainerRecord;

it('writes off the event loop: save returns before the file exists, and resolves once it does', async () => {
  const dir = tempDir();
  const store = new ContainerStore(dir);
  const saved = store.save(record('a', 1));
  expect(existsSync(join(dir, 'a.json'))).toBe(false); // was: an fsync on the event loop, done before save returned
  expect(store.pending('a')).toBeDefined();
  await saved;
  expect(onDisk(dir, 'a').state.exitCode).toBe(1);
  expect(store.pending('a')).toBeUndefined();
});

it('the latest record wins, and a removal is not undone by a write still in flight', async () => {
  const dir = tempDir();
  const store = new ContainerStore(dir);
  for (let code = 0; code < 50; code++) void store.save(record('b', code));
  void store.save(record('c', 1));
  void store.remove('c');
  await store.flush();
  expect(onDisk(dir, 'b').state.exitCode).toBe(49);
  expect(existsSync(join(dir, 'c.json'))).toBe(false);
  expect(store.loadAll().records.map((r) => r.spec.id)).toEqual(['b']);
});

it('a write that fails is reported to the listener, never thrown', async () => {
  const dir = tempDir();
  const failures: string[] = [];
  const store = new ContainerStore(join(dir, 'gone'), (error, id) => failures.push(`${id}: ${(error as NodeJS.ErrnoException).code}`));
  rmSync(join(dir, 'gone'), { recursive: true });
  await store.save(record('d', 0));
  expect(failures).toEqual(['d: ENOENT']);
});

it('an engine answers a stop once the record says exited, and its shutdown once every record is final', async () => {
  const stateDir = tempDir();
  const engine = realEngine({ stateDir });
  const { id } = await engine.create({ name: 'recorded', cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.05; done'] });
  expect(existsSync(join(stateDir, 'containers', `${id}.json`))).toBe(true); // create answers once it is on disk
  await engine.create({ name: 'other', cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.05; done'] });
  await engine.start('recorded');
  await engine.start('other');
  await engine.stop('recorded');
  expect(onDisk(join(stateDir, 'containers'), id).state).toMatchObject({ running: false, exitCode: 0 });
  const other = engine.inspect('other').Id;
  await engine.shutdown({ timeout: 5 });
  expect(onDisk(join(stateDir, 'containers'), other).state).toMatchObject({ running: false, exitCode: 0 });
});

it('a rename is on disk when it answers, and the next engine knows the container by its new name', async () => {
  const stateDir = tempDir();
  const engine = realEngine({ stateDir });
  const { id } = await engine.create({ name: 'old-name', cmd: ['true'] });
  await engine.rename('old-name', 'new-name');
  expect(onDisk(join(stateDir, 'containers'), id).spec.name).toBe('new-name');
  await engine.shutdown({ timeout: 2 });
  const next = realEngine({ stateDir });
  expect(next.inspect('new-name').Id).toBe(id);
  expect(() => next.inspect('old-name')).toThrow(/No such container/);
});
