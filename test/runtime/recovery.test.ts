// Durable state: a daemon killed with SIGKILL while containers run (one of them mid-stop) is
// restarted on the same state dir; nothing is lost, nothing is orphaned, nothing starts twice.
import Docker from 'dockerode';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/actors/proc.js';
import { ContainerStore } from '../../src/runtime/store.js';
import { until } from '../support/real-engine.js';

const daemons: ResultPromise[] = [];
const pids: number[] = [];
afterEach(async () => {
  for (const daemon of daemons.splice(0)) { daemon.kill('SIGKILL'); await daemon.catch(() => {}); }
  for (const pid of pids.splice(0)) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
});

async function startDaemon(dir: string): Promise<{ daemon: ResultPromise; docker: Docker }> {
  const socket = join(dir, 'api.sock');
  const daemon = execa('node', ['bin/berth.js', 'daemon', '--host', `unix://${socket}`, '--state-dir', join(dir, 'state'), '--log-level', 'warn'], { reject: false });
  daemons.push(daemon);
  let out = '';
  daemon.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); });
  await until(() => out.includes('listening'), 10_000, 'the daemon to listen');
  return { daemon, docker: new Docker({ socketPath: socket }) };
}

async function listUntil(docker: Docker, ok: (all: Docker.ContainerInfo[]) => boolean): Promise<Docker.ContainerInfo[]> {
  let all: Docker.ContainerInfo[] = [];
  for (let i = 0; i < 50 && !ok(all); i++) {
    all = await docker.listContainers({ all: true });
    if (!ok(all)) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return all;
}

const quiet = (trap: string) => ['sh', '-c', `${trap}; while :; do sleep 0.05; done`];

describe('durable state and recovery', () => {
  it('a daemon killed mid-stop comes back: every container listed, running ones adopted and controlled, none started twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-recover-'));
    try {
      const first = await startDaemon(dir);
      const run = async (name: string, cmd: string[], extra: object = {}) => {
        const container = await first.docker.createContainer({ name, Image: 'none', Cmd: cmd, ...extra });
        await container.start();
        const { State } = await container.inspect();
        pids.push(State.Pid);
        return State.Pid;
      };
      const calm = await run('calm', quiet('trap "exit 0" TERM'));
      const stubborn = await run('stubborn', quiet('trap "" TERM'));
      const keeper = await run('keeper', quiet('trap "exit 0" TERM'), { HostConfig: { RestartPolicy: { Name: 'unless-stopped' } } });
      const done = await first.docker.createContainer({ name: 'done', Image: 'none', Cmd: ['sh', '-c', 'exit 3'] });
      await done.start();
      await done.wait();
      await run('phoenix', quiet('trap "exit 0" TERM'), { HostConfig: { RestartPolicy: { Name: 'always' } } });
      await run('resting', quiet('trap "exit 0" TERM'), { HostConfig: { RestartPolicy: { Name: 'unless-stopped' } } });
      await first.docker.getContainer('phoenix').stop();
      await first.docker.getContainer('resting').stop();
      void first.docker.getContainer('stubborn').stop({ t: 60 }).catch(() => {}); // mid-stop when the daemon dies
      await new Promise((resolve) => setTimeout(resolve, 300));
      first.daemon.kill('SIGKILL');
      await first.daemon;
      expect([calm, stubborn, keeper].every(isProcessAlive)).toBe(true);

      const second = await startDaemon(dir);
      // Docker's rules at daemon start: always comes back even after a manual stop; unless-stopped does not.
      const listed = await listUntil(second.docker, (all) => all.some((c) => c.Names[0] === '/phoenix' && c.State === 'running'));
      expect(listed.map((c) => `${c.Names[0]} ${c.State}`).sort()).toEqual([
        '/calm running', '/done exited', '/keeper running', '/phoenix running', '/resting exited', '/stubborn running',
      ]);
      pids.push((await second.docker.getContainer('phoenix').inspect()).State.Pid);
      expect((await second.docker.getContainer('calm').inspect()).State.Pid).toBe(calm); // adopted, not started again
      expect((await second.docker.getContainer('keeper').inspect()).State.Pid).toBe(keeper);
      expect((await second.docker.getContainer('done').inspect()).State.ExitCode).toBe(3);
      await second.docker.getContainer('stubborn').stop({ t: 1 });
      await second.docker.getContainer('calm').stop();
      expect(isProcessAlive(calm)).toBe(false);
      expect(isProcessAlive(stubborn)).toBe(false);
      const calmState = (await second.docker.getContainer('calm').inspect()).State;
      expect(calmState.Error).toMatch(/exit status unknown/);
      second.daemon.kill('SIGTERM');
      expect((await second.daemon).exitCode).toBe(0);
      await until(() => !isProcessAlive(keeper), 3_000, 'the daemon to stop keeper');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it('a chatty container outlives a killed daemon (no SIGPIPE), and nothing it wrote meanwhile is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-chatty-'));
    const logsOf = async (docker: Docker) => {
      const raw = await docker.getContainer('chatty').logs({ stdout: true, stderr: true, follow: false }) as unknown as Buffer;
      return [...raw.toString('latin1').matchAll(/tick (\d+)/g)].map((m) => Number(m[1]));
    };
    try {
      const first = await startDaemon(dir);
      const container = await first.docker.createContainer({
        name: 'chatty', Image: 'none', Cmd: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; echo "err $i" >&2; sleep 0.02; done'],
      });
      await container.start();
      const { Pid: pid } = (await container.inspect()).State;
      pids.push(pid);
      let before: number[] = [];
      await until(async () => (before = await logsOf(first.docker)).length > 3, 5_000, 'the first ticks');
      first.daemon.kill('SIGKILL');
      await first.daemon;
      await new Promise((resolve) => setTimeout(resolve, 300)); // a dozen writes with nobody reading
      expect(isProcessAlive(pid)).toBe(true);

      const second = await startDaemon(dir);
      expect((await second.docker.getContainer('chatty').inspect()).State).toMatchObject({ Running: true, Pid: pid });
      // Its output went to files: the new daemon shows the run's output again, the ticks written
      // while no daemon ran included, and follows it on.
      let after: number[] = [];
      const last = Math.max(...before);
      await until(async () => Math.max(...(after = await logsOf(second.docker))) > last + 20, 5_000, 'ticks written after the restart');
      expect(after).toEqual(Array.from({ length: after.length }, (_, i) => i + 1));
      await second.docker.getContainer('chatty').stop({ t: 1 });
      expect(isProcessAlive(pid)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a corrupt or partial record is set aside and reported, never fatal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-store-'));
    try {
      const store = new ContainerStore(dir);
      writeFileSync(join(dir, 'broken.json'), '{"version":1,"spec":');
      writeFileSync(join(dir, 'half.json.tmp'), '{');
      const { records, setAside } = store.loadAll();
      expect(records).toEqual([]);
      expect(setAside[0]).toMatch(/^broken\.json: /);
      expect(readdirSync(join(dir, 'corrupt'))).toHaveLength(1);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
