// The process runtime against real processes, driven the way a container machine drives it: an
// XState parent invokes it with `id: 'runtime'`, forwards commands with sendTo and records reports.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { assign, createActor, sendTo, setup, type Actor } from 'xstate';
import { createProcessRuntime } from '../../src/actors/process.js';
import { isProcessAlive, listProcessGroup, readProcessState } from '../../src/actors/proc.js';
import type { RuntimeCommand, RuntimeInput, RuntimeReport } from '../../src/machines/protocol.js';
import type { ContainerSpec } from '../../src/machines/spec.js';

interface Output {
  containerId: string;
  stream: 'stdout' | 'stderr';
  text: string;
}
const outputs: Output[] = [];
const runtime = createProcessRuntime({
  onOutput: (containerId, stream, chunk) => outputs.push({ containerId, stream, text: chunk.toString('utf8') }),
});

type HostEvent = RuntimeReport | { type: 'command'; command: RuntimeCommand };

// The smallest container machine: it runs the runtime for as long as it lives.
const hostMachine = setup({
  types: {
    input: {} as RuntimeInput,
    events: {} as HostEvent,
    context: {} as { runtimeInput: RuntimeInput; reports: RuntimeReport[] },
  },
  actors: { runtime },
}).createMachine({
  // invoke's input mapper sees context and event, not the machine input: keep it in context
  context: ({ input }) => ({ runtimeInput: input, reports: [] }),
  invoke: { id: 'runtime', src: 'runtime', input: ({ context }) => context.runtimeInput },
  on: {
    command: { actions: sendTo('runtime', ({ event }) => event.command) },
    '*': { actions: assign({ reports: ({ context, event }) => [...context.reports, event as RuntimeReport] }) },
  },
});

const hosts: Actor<typeof hostMachine>[] = [];
const extraPids = new Set<number>(); // grandchildren found by a test, killed even if it fails
const tmpDir = mkdtempSync(join(tmpdir(), 'berth-process-test-'));
let nextId = 0;

afterEach(() => {
  for (const host of hosts.splice(0)) {
    const started = host.getSnapshot().context.reports.filter((r) => r.type === 'runtime.started');
    host.stop();
    for (const report of started) killQuietly(-report.pid);
  }
  for (const pid of extraPids) killQuietly(pid);
  extraPids.clear();
  outputs.length = 0;
});

afterAll(() => rmSync(tmpDir, { recursive: true, force: true }));

function killQuietly(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // already gone
  }
}

function makeSpec(cmd: ContainerSpec['cmd'], extra: Partial<ContainerSpec> = {}): ContainerSpec {
  const id = `proc-test-${process.pid}-${++nextId}`;
  return {
    id, name: id, cmd, env: {}, restart: { name: 'no', maximumRetryCount: 0 },
    autoRemove: false, init: false, labels: {}, image: 'host', createdAt: Date.now(), ...extra,
  };
}

// Starts one container run and returns ways to drive and observe it.
function run(cmd: ContainerSpec['cmd'], extra: Partial<ContainerSpec> = {}) {
  const spec = makeSpec(cmd, extra);
  const host = createActor(hostMachine, { input: { spec, generation: 7 } });
  hosts.push(host);
  host.start();
  let seq = 0;
  const reports = (): RuntimeReport[] => host.getSnapshot().context.reports;
  const waitForReport = <T extends RuntimeReport['type']>(type: T, timeout = 5_000) =>
    vi.waitFor(
      () => {
        const found = reports().find((r) => r.type === type);
        if (found === undefined) throw new Error(`no ${type} report yet; got ${JSON.stringify(reports())}`);
        return found as Extract<RuntimeReport, { type: T }>;
      },
      { timeout, interval: 10 },
    );
  const send = (command: RuntimeCommand): void => host.send({ type: 'command', command });
  // Asks for the delivery report (as the machine does for a kill), which these tests wait on.
  const signal = (signal: number, scope: 'main' | 'all', direct?: boolean): number => {
    send({ type: 'signal', seq: ++seq, signal, scope, ack: true, ...(direct === undefined ? {} : { direct }) });
    return seq;
  };
  const started = async (): Promise<number> => (await waitForReport('runtime.started')).pid;
  const waitForOutput = (pattern: RegExp, timeout = 5_000) =>
    vi.waitFor(
      () => {
        const text = outputs.filter((o) => o.containerId === spec.id).map((o) => o.text).join('');
        const match = pattern.exec(text);
        if (match === null) throw new Error(`output ${JSON.stringify(text)} does not match ${pattern}`);
        return match;
      },
      { timeout, interval: 10 },
    );
  return { spec, host, reports, waitForReport, send, signal, started, waitForOutput };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const types = (reports: RuntimeReport[]) => reports.map((r) => r.type);

// The other members of a container's process group, once the main process has forked them.
async function waitForGroupMembers(pgid: number, count: number): Promise<number[]> {
  return vi.waitFor(
    () => {
      const members = listProcessGroup(pgid).filter((pid) => pid !== pgid && isProcessAlive(pid));
      if (members.length < count) throw new Error(`group ${pgid} has ${members.length} other live members`);
      for (const pid of members) extraPids.add(pid);
      return members;
    },
    { timeout: 5_000, interval: 10 },
  );
}

async function waitForDeath(pid: number): Promise<void> {
  await vi.waitFor(() => expect(isProcessAlive(pid)).toBe(false), { timeout: 3_000, interval: 10 });
}

describe('process runtime: start and exit', () => {
  it('runs the exec form and reports started, then exited with the exit status', async () => {
    const c = run(['sh', '-c', 'exit 3']);
    const pid = await c.started();
    expect(pid).toBeGreaterThan(0);
    const exited = await c.waitForReport('runtime.exited');
    expect(exited).toEqual({ type: 'runtime.exited', generation: 7, exitCode: 3 });
    await sleep(100);
    expect(types(c.reports())).toEqual(['runtime.started', 'runtime.exited']);
  });

  it('runs the shell form through /bin/sh -c with only PATH and the spec env', async () => {
    const c = run('test -z "$HOME" && test "$GREETING" = "hello world" && exit 5; exit 1', {
      env: { GREETING: 'hello world' },
    });
    expect((await c.waitForReport('runtime.exited')).exitCode).toBe(5);
  });

  it('runs in the spec cwd', async () => {
    const c = run(['sh', '-c', 'test "$(pwd)" = /tmp && exit 6'], { cwd: '/tmp' });
    expect((await c.waitForReport('runtime.exited')).exitCode).toBe(6);
  });

  it('streams stdout and stderr to onOutput as they are written', async () => {
    const c = run('echo to-out; echo to-err >&2');
    await c.waitForReport('runtime.exited');
    await c.waitForOutput(/to-out/);
    await vi.waitFor(() => {
      const mine = outputs.filter((o) => o.containerId === c.spec.id);
      expect(mine.filter((o) => o.stream === 'stdout').map((o) => o.text).join('')).toBe('to-out\n');
      expect(mine.filter((o) => o.stream === 'stderr').map((o) => o.text).join('')).toBe('to-err\n');
    });
  });

  it('reports the exit only after the last output has arrived', async () => {
    const c = run('echo first; printf "%s" last-words');
    await c.waitForReport('runtime.exited');
    const text = outputs.filter((o) => o.containerId === c.spec.id).map((o) => o.text).join('');
    expect(text).toBe('first\nlast-words');
  });

  it('does not hold the exit report forever for a pipe kept open by a process that left the group', async () => {
    // setsid puts the sleep in a session of its own: the group kill cannot reach it, and it keeps
    // stdout open; the report still comes, after the drain bound.
    // The main shell exits only once the escapee is in its own session (it touches the file after
    // setsid), so the group kill at the exit cannot catch it half-way.
    const c = run('f=$(mktemp -u); setsid sh -c "echo escaped=\\$\\$; touch $f; exec sleep 1000" & while [ ! -e "$f" ]; do sleep 0.01; done; rm -f "$f"; exit 0');
    const escaped = Number((await c.waitForOutput(/escaped=(\d+)/))[1]);
    extraPids.add(escaped);
    expect((await c.waitForReport('runtime.exited', 8_000)).exitCode).toBe(0);
    expect(isProcessAlive(escaped)).toBe(true);
  });

  it('kills a grandchild left behind when the main process exits by itself', async () => {
    const c = run('sleep 1000 & echo "bg=$!"; exit 0');
    const match = await c.waitForOutput(/bg=(\d+)/);
    const grandchild = Number(match[1]);
    extraPids.add(grandchild);
    expect((await c.waitForReport('runtime.exited')).exitCode).toBe(0);
    await waitForDeath(grandchild);
  });
});

describe('process runtime: start failures', () => {
  it('reports 127 with Docker\'s message for a command not in PATH, and never started', async () => {
    const c = run(['berth-no-such-command', 'x']);
    const failed = await c.waitForReport('runtime.startFailed');
    expect(failed.exitCode).toBe(127);
    expect(failed.message).toContain('exec: "berth-no-such-command": executable file not found in $PATH');
    await sleep(100);
    expect(types(c.reports())).toEqual(['runtime.startFailed']);
  });

  it('reports 127 for a missing absolute path', async () => {
    const failed = await run([join(tmpDir, 'missing-binary')]).waitForReport('runtime.startFailed');
    expect(failed.exitCode).toBe(127);
    expect(failed.message).toContain('no such file or directory');
  });

  it('reports 126 for a file without the execute bit', async () => {
    const file = join(tmpDir, 'not-executable');
    writeFileSync(file, '#!/bin/sh\nexit 0\n');
    chmodSync(file, 0o644);
    const failed = await run([file]).waitForReport('runtime.startFailed');
    expect(failed.exitCode).toBe(126);
    expect(failed.message).toContain(`exec: "${file}": permission denied`);
  });

  it('reports 126 for a directory', async () => {
    expect((await run([tmpDir]).waitForReport('runtime.startFailed')).exitCode).toBe(126);
  });

  it('names the missing cwd instead of blaming the command', async () => {
    const cwd = join(tmpDir, 'no-such-dir');
    const failed = await run(['sh', '-c', 'exit 0'], { cwd }).waitForReport('runtime.startFailed');
    expect(failed.exitCode).toBe(127);
    expect(failed.message).toContain(`cwd "${cwd}"`);
    expect(failed.message).not.toContain('executable file not found');
  });

  it('reports a cwd that is a file (a failure spawn throws synchronously)', async () => {
    const cwd = join(tmpDir, 'a-file');
    writeFileSync(cwd, '');
    const failed = await run(['sh', '-c', 'exit 0'], { cwd }).waitForReport('runtime.startFailed');
    expect(failed.message).toContain('not a directory');
  });

  it('reports an empty exec-form command without spawning anything', async () => {
    const failed = await run([]).waitForReport('runtime.startFailed');
    expect(failed.exitCode).toBe(128);
    expect(failed.message).toContain('empty command');
  });

  it('answers commands for a run that never started with failures, not exceptions', async () => {
    const c = run(['berth-no-such-command']);
    await c.waitForReport('runtime.startFailed');
    c.signal(15, 'main');
    c.send({ type: 'freeze' });
    expect((await c.waitForReport('runtime.signalFailed')).code).toBe('ESRCH');
    await c.waitForReport('runtime.freezeFailed');
    expect(c.host.getSnapshot().status).toBe('active');
  });
});

describe('process runtime: signals', () => {
  it('reports exit by signal as 128 + n: SIGTERM gives 143', async () => {
    const c = run(['sleep', '1000']);
    await c.started();
    const seq = c.signal(15, 'main');
    expect(await c.waitForReport('runtime.signalDelivered')).toEqual({ type: 'runtime.signalDelivered', generation: 7, seq });
    expect(await c.waitForReport('runtime.exited')).toEqual({ type: 'runtime.exited', generation: 7, exitCode: 143, signal: 15 });
    expect(types(c.reports()).indexOf('runtime.signalDelivered')).toBeLessThan(types(c.reports()).indexOf('runtime.exited'));
  });

  it('lets a SIGTERM trap exit cleanly with 0 (scope main)', async () => {
    const c = run(['sh', '-c', 'trap "exit 0" TERM; echo ready; while :; do sleep 0.05; done']);
    await c.waitForOutput(/ready/);
    c.signal(15, 'main');
    expect((await c.waitForReport('runtime.exited')).exitCode).toBe(0);
  });

  it('keeps a SIGTERM-ignoring process alive until SIGKILL to the group, which gives 137', async () => {
    const c = run(['sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done']);
    const pid = await c.started();
    await c.waitForOutput(/ready/);
    c.signal(15, 'all');
    await c.waitForReport('runtime.signalDelivered');
    await sleep(300);
    expect(types(c.reports())).not.toContain('runtime.exited');
    expect(isProcessAlive(pid)).toBe(true);
    c.signal(9, 'all');
    expect(await c.waitForReport('runtime.exited')).toMatchObject({ exitCode: 137, signal: 9 });
  });

  it('shell form, no trap: SIGTERM to the main process kills only dash; the runtime then kills its sleep', async () => {
    // dash runs `sleep` as a child (it is not the last command) and, with no trap, dies on SIGTERM
    // at once; the sleep is not signalled and would live on, orphaned, but for the group kill.
    const c = run('sleep 1000; echo done');
    const pid = await c.started();
    const [sleeper] = await waitForGroupMembers(pid, 1);
    c.signal(15, 'main');
    expect(await c.waitForReport('runtime.exited')).toMatchObject({ exitCode: 143, signal: 15 });
    await waitForDeath(sleeper!);
    expect(listProcessGroup(pid).filter(isProcessAlive)).toEqual([]);
  });

  it('shell form with a trap: dash defers SIGTERM until its child ends, so only scope all stops it', async () => {
    const c = run('trap "exit 0" TERM; sleep 1000; echo done');
    const pid = await c.started();
    const [sleeper] = await waitForGroupMembers(pid, 1);
    c.signal(15, 'main');
    await c.waitForReport('runtime.signalDelivered');
    await sleep(300);
    expect(types(c.reports())).not.toContain('runtime.exited');
    expect(isProcessAlive(sleeper!)).toBe(true);
    c.signal(15, 'all'); // the sleep dies of it, then dash runs its trap
    expect((await c.waitForReport('runtime.exited')).exitCode).toBe(0);
    await waitForDeath(sleeper!);
    expect(outputs.some((o) => o.containerId === c.spec.id && o.text.includes('done'))).toBe(false);
  });

  it('confirms a delivered signal only when asked (ack); a failure is reported either way', async () => {
    const c = run(['sleep', '1000']);
    await c.started();
    c.send({ type: 'signal', seq: 100, signal: 999, scope: 'main' });
    expect(await c.waitForReport('runtime.signalFailed')).toMatchObject({ seq: 100, code: 'EINVAL' });
    c.send({ type: 'signal', seq: 101, signal: 15, scope: 'main' });
    expect(await c.waitForReport('runtime.exited')).toMatchObject({ exitCode: 143 });
    expect(types(c.reports())).not.toContain('runtime.signalDelivered');
  });

  it('reports a signal the kernel rejects as signalFailed with its errno code', async () => {
    const c = run(['sleep', '1000']);
    await c.started();
    const seq = c.signal(999, 'main');
    expect(await c.waitForReport('runtime.signalFailed')).toMatchObject({ seq, code: 'EINVAL' });
    expect(c.host.getSnapshot().status).toBe('active');
  });

  it('kills directly (main pid, each member, the group) and reports delivery', async () => {
    const c = run('sleep 1000 & wait');
    const pid = await c.started();
    const [sleeper] = await waitForGroupMembers(pid, 1);
    c.signal(9, 'all', true);
    await c.waitForReport('runtime.signalDelivered');
    expect(await c.waitForReport('runtime.exited')).toMatchObject({ exitCode: 137 });
    await waitForDeath(sleeper!);
  });

  it('after the exit, signals go to the (empty) group: ESRCH, direct counts as done, never a throw', async () => {
    const c = run(['sleep', '1000']);
    await c.started();
    c.signal(9, 'main');
    await c.waitForReport('runtime.exited');
    const plainSeq = c.signal(15, 'main');
    const plain = await c.waitForReport('runtime.signalFailed');
    expect(plain).toMatchObject({ seq: plainSeq, code: 'ESRCH' });
    const directSeq = c.signal(9, 'all', true);
    await vi.waitFor(() => {
      expect(c.reports()).toContainEqual({ type: 'runtime.signalDelivered', generation: 7, seq: directSeq });
    });
    expect(c.reports().filter((r) => r.type === 'runtime.exited')).toHaveLength(1);
    expect(c.host.getSnapshot().status).toBe('active');
  });
});

describe('process runtime: freeze and thaw', () => {
  it('stops every process of the group and continues them', async () => {
    const c = run('sleep 1000 & wait');
    const pid = await c.started();
    const [sleeper] = await waitForGroupMembers(pid, 1);
    c.send({ type: 'freeze' });
    await c.waitForReport('runtime.frozen');
    await vi.waitFor(() => {
      expect(readProcessState(pid)).toBe('T');
      expect(readProcessState(sleeper!)).toBe('T');
    });
    c.send({ type: 'thaw' });
    await c.waitForReport('runtime.thawed');
    await vi.waitFor(() => {
      expect(readProcessState(pid)).not.toBe('T');
      expect(readProcessState(sleeper!)).not.toBe('T');
    });
  });

  it('SIGKILL ends a frozen container (137)', async () => {
    const c = run(['sleep', '1000']);
    await c.started();
    c.send({ type: 'freeze' });
    await c.waitForReport('runtime.frozen');
    c.signal(9, 'all');
    expect((await c.waitForReport('runtime.exited')).exitCode).toBe(137);
  });

  it('reports freezeFailed once the container has exited', async () => {
    const c = run(['sh', '-c', 'exit 0']);
    await c.waitForReport('runtime.exited');
    c.send({ type: 'freeze' });
    expect((await c.waitForReport('runtime.freezeFailed')).message).toContain(c.spec.id);
  });
});

describe('process runtime: cleanup', () => {
  it('kills the whole group when the invoking state is left, and reports nothing after', async () => {
    const c = run('sleep 1000 & wait');
    const pid = await c.started();
    const [sleeper] = await waitForGroupMembers(pid, 1);
    const before = c.reports().length;
    c.host.stop();
    await waitForDeath(pid);
    await waitForDeath(sleeper!);
    await sleep(100);
    expect(c.host.getSnapshot().context.reports).toHaveLength(before);
  });
});
