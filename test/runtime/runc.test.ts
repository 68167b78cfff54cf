// The runc runtime: real OCI containers, PID 1 semantics, the cgroup freezer, --init, no leaks.
// Needs root and runc (.ci/run installs runc, busybox-static and tini).
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuncContainers } from '../../src/actors/runc/cli.js';
import { runcIdOf } from '../../src/actors/runc/runtime.js';
import { isProcessAlive } from '../../src/actors/proc.js';
import { ImageStore } from '../../src/runtime/images.js';
import { createEngine, type Engine } from '../../src/index.js';
import { until } from '../support/real-engine.js';
import { serveApi } from '../../src/runtime/api/server.js';
import { dockerCli, hasDocker } from '../support/docker-cli.js';

const hasRunc = (await execa('runc', ['--version'], { reject: false })).exitCode === 0;
const isRoot = process.getuid?.() === 0;
const hasBusybox = existsSync('/bin/busybox');
const ready = hasRunc && isRoot && hasBusybox;
if (!ready) console.log(`runc tests skipped: need root, runc and busybox-static (root: ${isRoot}, runc: ${hasRunc}, busybox: ${hasBusybox}); .ci/run installs them`);

const stateDir = mkdtempSync(join(tmpdir(), 'berth-runc-'));

/** A process's command name, from /proc ('' once it is gone). */
function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The pids a process has started, from /proc (empty once it is gone). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
let engine: Engine;

describe.skipIf(!ready)('runc runtime', () => {
  beforeAll(() => {
    new ImageStore(join(stateDir, 'images')).busybox();
    engine = createEngine({ runtime: 'runc', stateDir, timings: { killWaitMs: 2_000, directKillWaitMs: 500 } });
  });
  afterAll(async () => {
    await engine?.shutdown({ timeout: 5 });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('runs a container from the busybox image, in its own PID namespace, with its output', async () => {
    await engine.create({ name: 'hello', image: 'busybox', cmd: ['sh', '-c', 'echo pid=$$; echo oops >&2; exit 3'] });
    const exited = engine.wait('hello', { condition: 'next-exit' });
    await engine.start('hello');
    expect(await exited).toEqual({ StatusCode: 3 });
    // Two pipes: the order between stdout and stderr lines is not defined.
    expect(engine.logs('hello').map((l) => `${l.stream}:${l.text}`).sort()).toEqual(['stderr:oops', 'stdout:pid=1']);
    expect(engine.inspect('hello').Driver).toBe('runc');
  });

  it('PID 1 without a handler ignores SIGTERM: stop -t 1 ends with 137 after about 1 s', async () => {
    await engine.create({ name: 'pid1', image: 'busybox', cmd: ['sleep', '1000'] });
    await engine.start('pid1');
    const began = Date.now();
    await engine.stop('pid1', { timeout: 1 });
    const took = Date.now() - began;
    expect(engine.inspect('pid1').State.ExitCode).toBe(137);
    expect(took).toBeGreaterThanOrEqual(1_000);
    expect(took).toBeLessThan(5_000);
  });

  it('with init (tini as PID 1) the same stop ends at once with 143', async () => {
    await engine.create({ name: 'withinit', image: 'busybox', cmd: ['sleep', '1000'], init: true });
    await engine.start('withinit');
    // tini blocks the signals it forwards before it starts its child: until then a SIGTERM to a
    // PID 1 with no handler is dropped (Docker has the same window), and the stop would time out.
    const tini = engine.inspect('withinit').State.Pid;
    await until(() => childrenOf(tini).some((child) => commOf(child) === 'sleep'), 5_000, 'tini to start sleep');
    const began = Date.now();
    await engine.stop('withinit', { timeout: 10 });
    expect(engine.inspect('withinit').State.ExitCode).toBe(143);
    expect(Date.now() - began).toBeLessThan(3_000);
  });

  it('a shell-form command gets a warning, in the create result and in inspect', async () => {
    const { warnings } = await engine.create({ name: 'shelly', image: 'busybox', cmd: 'sleep 1000; echo done' });
    expect(warnings[0]).toMatch(/shell-form command: the stop signal goes to \/bin\/sh/);
    expect(engine.inspect('shelly').Berth.Warnings).toEqual(warnings);
  });

  it('pause freezes the cgroup; kill while paused still lands (signal, then thaw)', async () => {
    await engine.create({ name: 'icy', image: 'busybox', cmd: ['sleep', '1000'] });
    await engine.start('icy');
    const runId = runcIdOf(engine.inspect('icy').Id, 1);
    const freezer = `/sys/fs/cgroup/freezer/berth/${runId}/freezer.state`;
    await engine.pause('icy');
    if (existsSync(freezer)) expect((await import('node:fs')).readFileSync(freezer, 'utf8').trim()).toBe('FROZEN');
    expect(engine.inspect('icy').State.Status).toBe('paused');
    await engine.unpause('icy');
    await engine.pause('icy');
    const pid = engine.inspect('icy').State.Pid;
    await engine.kill('icy');
    expect(engine.inspect('icy').State.ExitCode).toBe(137);
    expect(isProcessAlive(pid)).toBe(false);
  });

  it('after remove nothing is left: no runc container, no cgroup, no process', async () => {
    await engine.create({ name: 'tidy', image: 'busybox', cmd: ['sleep', '1000'] });
    await engine.start('tidy');
    const { Id, State } = engine.inspect('tidy');
    await engine.remove('tidy', { force: true });
    const runId = runcIdOf(Id, 1);
    expect(listRuncContainers(join(stateDir, 'runc'))).not.toContain(runId);
    expect(existsSync(`/sys/fs/cgroup/pids/berth/${runId}`)).toBe(false);
    expect(isProcessAlive(State.Pid)).toBe(false);
    expect(existsSync(join(stateDir, 'bundles', runId))).toBe(false);
  });

  it('an unknown image is a 404 that says how to import one', async () => {
    await expect(engine.create({ name: 'nope', image: 'alpine', cmd: ['true'] })).rejects.toMatchObject({
      status: 404, message: expect.stringContaining('berth image import alpine DIR'),
    });
  });

  it('an engine killed mid-stop leaves its container running; the next engine finds it, kills and deletes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-runc-crash-'));
    try {
      new ImageStore(join(dir, 'images')).busybox();
      const child = execa('node', ['test/fixtures/runc-engine.mjs', dir], { reject: false });
      const { pid } = await new Promise<{ pid: number }>((resolve, reject) => {
        child.stdout!.on('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString())));
        void child.then(() => reject(new Error('the engine exited early')));
      });
      child.kill('SIGKILL');
      await child;
      // What a restart finds: the container still runs, unsupervised.
      expect(listRuncContainers(join(dir, 'runc'))).toHaveLength(1);
      expect(isProcessAlive(pid)).toBe(true);
      const next = createEngine({ runtime: 'runc', stateDir: dir });
      await until(() => !isProcessAlive(pid), 5_000, 'the orphan to be killed');
      expect(listRuncContainers(join(dir, 'runc'))).toEqual([]);
      await next.shutdown({ timeout: 1 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasRunc || !isRoot)('runc runtime: refusing to half-start', () => {
  it('without root, createEngine({ runtime: "runc" }) fails at once saying how to run it', async () => {
    const script = "import('./dist/src/index.js').then(({ createEngine }) => { try { createEngine({ runtime: 'runc', stateDir: '/tmp/berth-nobody' }); } catch (e) { console.log(e.name + ': ' + e.message); } })";
    const result = await execa('node', ['-e', script], { reject: false, uid: 65534, gid: 65534, cwd: process.cwd() });
    expect(result.stdout).toMatch(/RuntimeUnavailableError: the runc runtime needs root/);
  });
});

describe.skipIf(!ready || !hasDocker)('runc runtime through the docker CLI', () => {
  it('docker run --init vs without: stop -t 2 takes about 2 s (137) without, no time (143) with; a pull is refused with advice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-runc-docker-'));
    new ImageStore(join(dir, 'images')).busybox();
    const runcEngine = createEngine({ runtime: 'runc', stateDir: dir });
    const api = await serveApi(runcEngine, { host: `unix://${join(dir, 'api.sock')}` });
    const docker = dockerCli(join(dir, 'api.sock'));
    try {
      expect((await docker('run', '-d', '--name', 'plain', 'busybox', 'sleep', '1000')).exitCode).toBe(0);
      expect((await docker('run', '-d', '--init', '--name', 'tini', 'busybox', 'sleep', '1000')).exitCode).toBe(0);
      let began = Date.now();
      expect((await docker('stop', '-t', '2', 'plain')).stdout.trim()).toBe('plain');
      const plainTook = Date.now() - began;
      began = Date.now();
      await docker('stop', '-t', '2', 'tini');
      const tiniTook = Date.now() - began;
      expect((await docker('inspect', '-f', '{{.State.ExitCode}}', 'plain', 'tini')).stdout.trim().split('\n')).toEqual(['137', '143']);
      expect(plainTook).toBeGreaterThanOrEqual(2_000);
      expect(tiniTook).toBeLessThan(plainTook - 1_000);
      const pull = await docker('run', '-d', 'alpine', 'true');
      expect(pull.exitCode).not.toBe(0);
      expect(pull.stderr).toContain('berth does not pull images from registries: alpine:latest');
    } finally {
      await runcEngine.shutdown({ timeout: 2 });
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
