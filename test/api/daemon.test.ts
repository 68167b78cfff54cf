// `berth daemon` as a real subprocess: it serves the API, and SIGTERM stops its containers
// gracefully, removes its socket and state file, and exits 0.
import Docker from 'dockerode';
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/actors/proc.js';
import { rawRequest, startApi } from '../support/api.js';
import { until } from '../support/real-engine.js';

const daemons: ResultPromise[] = [];
const groups: number[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const daemon of daemons.splice(0)) if (daemon.exitCode === null) daemon.kill('SIGKILL');
  for (const pgid of groups.splice(0)) try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-daemon-'));
  dirs.push(dir);
  return dir;
}

function startDaemon(...args: string[]) {
  const daemon = execa('node', ['bin/berth.js', 'daemon', ...args], {
    reject: false, env: { ...process.env, BERTH_HOST: undefined }, timeout: 30_000,
  });
  daemons.push(daemon);
  const listening = new Promise<string>((resolve, reject) => {
    daemon.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match) resolve(match[1]!);
    });
    void daemon.then((result) => reject(new Error(`the daemon exited (${result.exitCode}) before listening: ${String(result.stderr)}`)));
  });
  listening.catch(() => { /* the tests that expect an exit await the daemon instead */ });
  return { daemon, listening };
}

it('serves the API; SIGTERM stops its containers gracefully, removes the socket and exits 0', async () => {
  const dir = tempDir();
  const socketPath = join(dir, 'berth.sock');
  const stateDir = join(dir, 'state');
  const { daemon, listening } = startDaemon('--host', `unix://${socketPath}`, '--state-dir', stateDir);
  expect(await listening).toBe(`unix://${socketPath}`);
  expect(statSync(socketPath).mode & 0o777).toBe(0o600);
  expect(statSync(stateDir).mode & 0o777).toBe(0o700);
  expect(JSON.parse(readFileSync(join(stateDir, 'daemon.json'), 'utf8'))).toMatchObject({ pid: daemon.pid, host: `unix://${socketPath}` });
  expect((await rawRequest(socketPath, '/_ping')).body).toBe('OK');

  const docker = new Docker({ socketPath });
  const marker = join(dir, 'graceful-exit');
  const graceful = await docker.createContainer({
    name: 'graceful', Image: 'alpine', Env: [`MARK=${marker}`], StopTimeout: 5,
    Cmd: ['sh', '-c', 'trap \'echo bye > "$MARK"; exit 0\' TERM; sleep 1000 & wait'],
  });
  const stubborn = await docker.createContainer({ name: 'stubborn', Image: 'alpine', StopTimeout: 1, Cmd: ['sh', '-c', 'trap "" TERM; exec sleep 1000'] });
  await graceful.start();
  await stubborn.start();
  const pids = [(await graceful.inspect()).State.Pid, (await stubborn.inspect()).State.Pid];
  groups.push(...pids);
  expect(pids.every(isProcessAlive)).toBe(true);

  const began = Date.now();
  daemon.kill('SIGTERM');
  const result = await daemon;
  expect(result.exitCode).toBe(0);
  expect(Date.now() - began).toBeGreaterThanOrEqual(900); // the stubborn one's stop timeout
  expect(Date.now() - began).toBeLessThan(8_000);
  expect(readFileSync(marker, 'utf8')).toBe('bye\n');
  expect(pids.some(isProcessAlive)).toBe(false);
  expect(existsSync(socketPath)).toBe(false);
  expect(existsSync(join(stateDir, 'daemon.json'))).toBe(false);
});

it('a daemon whose stdout and stderr are gone (berth daemon 2>&1 | head) serves on and stops cleanly', async () => {
  const dir = tempDir();
  const socketPath = join(dir, 'berth.sock');
  const { daemon } = startDaemon('--host', `unix://${socketPath}`, '--state-dir', join(dir, 'state'));
  daemon.stdout!.destroy(); // before it writes its first line: every write it makes fails with EPIPE
  daemon.stderr!.destroy();
  await until(async () => existsSync(socketPath) && (await rawRequest(socketPath, '/_ping').catch(() => undefined))?.body === 'OK', 10_000, 'the API to answer');
  const docker = new Docker({ socketPath });
  const container = await docker.createContainer({ name: 'quiet', Image: 'alpine', Cmd: ['sleep', '1000'] });
  await container.start(); // logged: more writes into the closed pipes
  const { Pid } = (await container.inspect()).State;
  groups.push(Pid);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(daemon.exitCode).toBeNull();
  daemon.kill('SIGTERM');
  expect((await daemon).exitCode).toBe(0);
  expect(isProcessAlive(Pid)).toBe(false);
});

it('SIGHUP (its terminal closing) does not end the daemon or its containers: it says so and serves on', async () => {
  const dir = tempDir();
  const socketPath = join(dir, 'berth.sock');
  const { daemon, listening } = startDaemon('--host', `unix://${socketPath}`, '--state-dir', join(dir, 'state'));
  await listening;
  const docker = new Docker({ socketPath });
  const container = await docker.createContainer({ name: 'through-hangup', Image: 'alpine', Cmd: ['sleep', '1000'] });
  await container.start();
  const { Pid } = (await container.inspect()).State;
  groups.push(Pid);
  let stderr = '';
  daemon.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  daemon.kill('SIGHUP');
  await until(() => stderr.includes('SIGHUP: berth has no configuration to reload'), 5_000, 'the SIGHUP line');
  expect(daemon.exitCode).toBeNull();
  expect((await rawRequest(socketPath, '/_ping')).body).toBe('OK');
  expect((await container.inspect()).State.Running).toBe(true);
  daemon.kill('SIGTERM');
  expect((await daemon).exitCode).toBe(0);
  expect(isProcessAlive(Pid)).toBe(false);
});

it('a bad --host is one clear line and exit 1, never a stack trace', async () => {
  const { daemon } = startDaemon('--host', 'http://localhost:2375');
  const result = await daemon;
  expect(result.exitCode).toBe(1);
  expect(String(result.stderr)).toBe('berth daemon: Expected the host to be unix:///path/to/berth.sock or tcp://127.0.0.1:PORT, got "http://localhost:2375"');
});

it('refuses a socket another live daemon serves, and leaves that daemon alone', async () => {
  const { socketPath } = await startApi();
  const { daemon } = startDaemon('--host', `unix://${socketPath}`);
  const result = await daemon;
  expect(result.exitCode).toBe(1);
  expect(String(result.stderr)).toMatch(/^berth daemon: another daemon is serving .*berth daemon --host/);
  expect(String(result.stderr)).not.toMatch(/\n\s+at /);
  expect((await rawRequest(socketPath, '/_ping')).body).toBe('OK');
});

it('replaces a stale socket file nothing answers on', async () => {
  const dir = tempDir();
  const socketPath = join(dir, 'stale.sock');
  const { daemon: first, listening } = startDaemon('--host', `unix://${socketPath}`);
  await listening;
  first.kill('SIGKILL'); // no chance to remove its socket
  await first;
  expect(existsSync(socketPath)).toBe(true);
  const { daemon: second, listening: again } = startDaemon('--host', `unix://${socketPath}`);
  expect(await again).toBe(`unix://${socketPath}`);
  expect((await rawRequest(socketPath, '/_ping')).body).toBe('OK');
  second.kill('SIGTERM');
  expect((await second).exitCode).toBe(0);
});
