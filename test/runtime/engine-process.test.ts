// The engine with the real process runtime: real processes, real signals, short timings.
// Real-time assertions are about order and bounds, never exact milliseconds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { readProcessState } from '../../src/actors/proc.js';
import type { DockerEvent } from '../../src/index.js';
import { livingInGroup, realEngine, until } from '../support/real-engine.js';

// Commands print "ready" once their traps are set: a signal sent before that would meet the shell's
// default action instead of the trap.
const loop = 'echo ready; while :; do sleep 0.05; done';

async function startReady(engine: ReturnType<typeof realEngine>, name: string): Promise<void> {
  await engine.start(name);
  await until(() => engine.logs(name).some((l) => l.text === 'ready'), 5_000, `${name} to be ready`);
}

function actions(events: DockerEvent[]): string[] {
  return events.map((e) => (e.Action === 'kill' ? `kill ${e.Actor.Attributes.signal}` : e.Action === 'die' ? `die ${e.Actor.Attributes.exitCode}` : e.Action));
}

async function record(engine: ReturnType<typeof realEngine>, name: string, count: number): Promise<DockerEvent[]> {
  const seen: DockerEvent[] = [];
  for await (const event of engine.events({ container: [name] })) {
    seen.push(event);
    if (seen.length === count) break;
  }
  return seen;
}

describe('stop with real processes', () => {
  it('a process with a SIGTERM handler exits at once with its own status', async () => {
    const engine = realEngine();
    await engine.create({ name: 'graceful', cmd: ['sh', '-c', `trap "exit 0" TERM; ${loop}`] });
    await startReady(engine, 'graceful');
    const began = Date.now();
    await engine.stop('graceful', { timeout: 10 });
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(engine.inspect('graceful').State).toMatchObject({ Status: 'exited', ExitCode: 0 });
  });

  it('a SIGTERM-ignoring process gets SIGKILL after the timeout: 137, kill 15, kill 9, die, stop', async () => {
    const engine = realEngine();
    await engine.create({ name: 'stubborn', cmd: ['sh', '-c', `trap "" TERM; ${loop}`] });
    const events = record(engine, 'stubborn', 5);
    await startReady(engine, 'stubborn');
    const began = Date.now();
    await engine.stop('stubborn', { timeout: 0.3 });
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(3_000);
    expect(engine.inspect('stubborn').State.ExitCode).toBe(137);
    expect(actions(await events)).toEqual(['start', 'kill 15', 'kill 9', 'die 137', 'stop']);
  });

  it('shell form: the stop signal reaches only the shell, never its child, and no child is left afterwards', async () => {
    const engine = realEngine();
    // The child traps TERM and would say so; the outer shell is the container's main process.
    await engine.create({ name: 'shell', cmd: `sh -c 'trap "echo child got TERM; exit 0" TERM; echo child ready; while :; do sleep 0.05; done'; echo done` });
    await engine.create({ name: 'seed', cmd: 'sleep 1000; echo done' });
    await engine.start('shell');
    await engine.start('seed');
    await until(() => engine.logs('shell').some((l) => l.text === 'child ready'), 5_000, 'the child to start');
    const shellGroup = engine.inspect('shell').State.Pid;
    const seedGroup = engine.inspect('seed').State.Pid;
    expect(livingInGroup(seedGroup).length).toBe(2); // sh and sleep
    await engine.stop('shell', { timeout: 5 });
    await engine.stop('seed', { timeout: 5 });
    expect(engine.inspect('shell').State.ExitCode).toBe(143); // the shell died of SIGTERM
    expect(engine.logs('shell').map((l) => l.text)).toEqual(['child ready']); // no "child got TERM", no "done"
    expect(engine.inspect('seed').State.ExitCode).toBe(143);
    await until(() => livingInGroup(shellGroup).length === 0 && livingInGroup(seedGroup).length === 0, 2_000, 'the groups to be empty');
  });

  it('a custom stop signal is used instead of SIGTERM', async () => {
    const engine = realEngine();
    await engine.create({ name: 'usr1', cmd: ['sh', '-c', `trap "exit 7" USR1; trap "" TERM; ${loop}`], stopSignal: 'SIGUSR1' });
    const events = record(engine, 'usr1', 4);
    await startReady(engine, 'usr1');
    await engine.stop('usr1', { timeout: 5 });
    expect(actions(await events)).toEqual(['start', 'kill 10', 'die 7', 'stop']);
  });

  it('a negative timeout never sends SIGKILL: the stop waits until the process ends on its own', async () => {
    const engine = realEngine();
    await engine.create({ name: 'patient', cmd: ['sh', '-c', `trap "sleep 0.5; exit 4" TERM; ${loop}`] });
    await startReady(engine, 'patient');
    await engine.stop('patient', { timeout: -1 });
    expect(engine.inspect('patient').State.ExitCode).toBe(4);
    expect(engine.inspect('patient').Berth.StopFlow.map((s) => s.signalName).filter(Boolean)).toEqual(['SIGTERM']);
  });

  it('a timeout longer than any timer (35 days) still waits: Node would fire it after 1 ms and SIGKILL at once', async () => {
    const engine = realEngine();
    await engine.create({ name: 'long', cmd: ['sh', '-c', `trap "" TERM; ${loop}`] });
    await startReady(engine, 'long');
    let settled = false;
    const stopping = engine.stop('long', { timeout: 35 * 24 * 3600 }).finally(() => { settled = true; });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    expect(engine.inspect('long').State.Status).toBe('running');
    expect(engine.inspect('long').Berth.StopFlow.at(-1)?.cause).toContain('the longest a timer waits; 3024000000 ms was asked');
    await engine.kill('long');
    await stopping;
    expect(engine.inspect('long').State.ExitCode).toBe(137);
  });
});

describe('pause, kill and restart with real processes', () => {
  it('pause freezes the whole group (SIGSTOP), unpause thaws it, stop while paused still lands', async () => {
    const engine = realEngine();
    await engine.create({ name: 'frozen', cmd: ['sh', '-c', `trap "exit 0" TERM; ${loop}`] });
    await startReady(engine, 'frozen');
    const pid = engine.inspect('frozen').State.Pid;
    await engine.pause('frozen');
    expect(engine.inspect('frozen').State.Status).toBe('paused');
    await until(() => readProcessState(pid) === 'T', 2_000, 'the process to be stopped');
    await engine.unpause('frozen');
    await until(() => readProcessState(pid) !== 'T', 2_000, 'the process to run again');
    await engine.pause('frozen');
    await engine.stop('frozen', { timeout: 5 });
    expect(engine.inspect('frozen').State).toMatchObject({ Status: 'exited', ExitCode: 0 });
  });

  it('kill -s HUP is delivered and keeps the container running; kill (SIGKILL) resolves after the exit', async () => {
    const engine = realEngine();
    await engine.create({ name: 'reload', cmd: ['sh', '-c', `trap "echo reloaded" HUP; ${loop}`], restart: 'unless-stopped' });
    await startReady(engine, 'reload');
    await engine.kill('reload', { signal: 'HUP' });
    await until(() => engine.logs('reload').some((l) => l.text === 'reloaded'), 3_000, 'the reload');
    expect(engine.inspect('reload').State.Status).toBe('running');
    expect(engine.inspect('reload').Berth.ManuallyStopped).toBe(false);
    await engine.kill('reload');
    expect(engine.inspect('reload').State).toMatchObject({ Status: 'exited', ExitCode: 137 });
  });

  it('rm -f and kill sent while the process is still being spawned: it is killed as soon as it runs, nothing is left', async () => {
    const engine = realEngine();
    await engine.create({ name: 'cancelled', cmd: ['sh', '-c', loop] });
    await engine.create({ name: 'killed', cmd: ['sh', '-c', loop] });
    const starts = [engine.start('cancelled'), engine.start('killed')];
    expect(engine.inspect('cancelled').Berth.MachineState).toBe('alive.starting');
    const removed = engine.remove('cancelled', { force: true });
    const killed = engine.kill('killed');
    await Promise.all(starts);
    const pids = [engine.inspect('cancelled').State.Pid, engine.inspect('killed').State.Pid];
    expect(pids.every((pid) => pid > 0)).toBe(true);
    await Promise.all([removed, killed]);
    expect(() => engine.inspect('cancelled')).toThrow(/No such container/);
    expect(engine.inspect('killed').State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    expect(engine.inspect('killed').Berth.StopFlow.map((step) => step.cause).join('; ')).toMatch(/a kill asked for while starting/);
    expect(pids.flatMap(livingInGroup)).toEqual([]);
  });

  it('restart sent while the process is still being spawned: it runs, is stopped and runs again', async () => {
    const engine = realEngine();
    await engine.create({ name: 'bounced', cmd: ['sleep', '30'] }); // SIGTERM ends it whenever it lands
    const events = record(engine, 'bounced', 6);
    const started = engine.start('bounced');
    expect(engine.inspect('bounced').Berth.MachineState).toBe('alive.starting');
    const restarted = engine.restart('bounced', { timeout: 2 });
    await started;
    const first = engine.inspect('bounced').State.Pid;
    await restarted;
    const second = engine.inspect('bounced').State;
    expect(second).toMatchObject({ Status: 'running' });
    expect(second.Pid).not.toBe(first);
    expect(actions(await events)).toEqual(['start', 'kill 15', 'die 143', 'stop', 'start', 'restart']);
    expect(livingInGroup(first)).toEqual([]);
    await engine.remove('bounced', { force: true });
    expect(livingInGroup(second.Pid)).toEqual([]);
  });

  it('a signal sent while the process is still being spawned lands once it runs', async () => {
    const engine = realEngine();
    await engine.create({ name: 'hung-up', cmd: ['sleep', '30'] }); // SIGHUP's default action ends it
    const started = engine.start('hung-up');
    expect(engine.inspect('hung-up').Berth.MachineState).toBe('alive.starting');
    const signalled = engine.kill('hung-up', { signal: 'SIGHUP' });
    await Promise.all([started, signalled]);
    await until(() => engine.inspect('hung-up').State.Status === 'exited', 5_000, 'the exit on SIGHUP');
    expect(engine.inspect('hung-up').State.ExitCode).toBe(129);
  });

  it('on-failure:2 restarts a failing container twice with back-off, emitting die then start', async () => {
    const engine = realEngine();
    await engine.create({ name: 'flaky', cmd: ['sh', '-c', 'exit 3'], restart: 'on-failure:2' });
    const events = record(engine, 'flaky', 6);
    await engine.start('flaky');
    expect(actions(await events)).toEqual(['start', 'die 3', 'start', 'die 3', 'start', 'die 3']);
    await until(() => engine.inspect('flaky').State.Status === 'exited', 3_000, 'the last exit');
    expect(engine.inspect('flaky').RestartCount).toBe(2);
  });

  it('unless-stopped restarts after a crash but not after a stop', async () => {
    const engine = realEngine();
    await engine.create({ name: 'svc', cmd: ['sh', '-c', `trap "exit 0" TERM; ${loop}`], restart: 'unless-stopped' });
    await startReady(engine, 'svc');
    const first = engine.inspect('svc').State.Pid;
    const restarted = engine.wait('svc', { condition: 'next-exit' });
    process.kill(first, 'SIGKILL'); // a crash, not a berth command
    expect(await restarted).toEqual({ StatusCode: 137 });
    await until(() => engine.inspect('svc').State.Pid !== 0 && engine.inspect('svc').State.Pid !== first, 3_000, 'the policy restart');
    await until(() => engine.logs('svc').filter((l) => l.text === 'ready').length === 2, 3_000, 'the new run to be ready');
    await engine.stop('svc');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(engine.inspect('svc').State.Status).toBe('exited');
  });

  it('restart: stop then start, with a new pid', async () => {
    const engine = realEngine();
    await engine.create({ name: 'again', cmd: ['sh', '-c', `trap "exit 0" TERM; ${loop}`] });
    await startReady(engine, 'again');
    const before = engine.inspect('again').State.Pid;
    await engine.restart('again', { timeout: 5 });
    const after = engine.inspect('again');
    expect(after.State.Status).toBe('running');
    expect(after.State.Pid).not.toBe(before);
  });
});

describe('start failures, logs, many containers', () => {
  it('command not found is 127, not executable is 126, both with the message in State.Error; the engine stays healthy', async () => {
    const engine = realEngine();
    await engine.create({ name: 'missing', cmd: ['/no/such/binary'] });
    await expect(engine.start('missing')).rejects.toMatchObject({ status: 400 });
    expect(engine.inspect('missing').State).toMatchObject({ Status: 'created', ExitCode: 127, Error: expect.stringMatching(/no such file|not found/i) });
    const notExecutable = join(mkdtempSync(join(tmpdir(), 'berth-')), 'script');
    writeFileSync(notExecutable, 'echo hi\n', { mode: 0o644 });
    await engine.create({ name: 'noexec', cmd: [notExecutable] });
    await expect(engine.start('noexec')).rejects.toMatchObject({ status: 400 });
    expect(engine.inspect('noexec').State).toMatchObject({ ExitCode: 126, Error: expect.stringMatching(/permission denied/i) });
    // Past the kernel's limit for one argument (128 KiB): 126 as a shell says it, a 400 that says what to do.
    await engine.create({ name: 'toolong', cmd: ['true', 'x'.repeat(200_000)] });
    await expect(engine.start('toolong')).rejects.toMatchObject({ status: 400, message: expect.stringContaining('argument list too long') });
    expect(engine.inspect('toolong').State).toMatchObject({ Status: 'created', ExitCode: 126 });
    await engine.create({ name: 'fine', cmd: ['sh', '-c', 'exit 0'] });
    await engine.start('fine');
    expect((await engine.wait('fine')).StatusCode).toBe(0);
  });

  it('captures stdout and stderr line by line', async () => {
    const engine = realEngine();
    await engine.create({ name: 'talker', cmd: ['sh', '-c', 'echo out one; echo err one >&2; printf "no newline"'] });
    const exited = engine.wait('talker', { condition: 'next-exit' });
    await engine.start('talker');
    await exited;
    const lines = engine.logs('talker');
    expect(lines.map((l) => `${l.stream}:${l.text}`).sort()).toEqual(['stderr:err one', 'stdout:no newline', 'stdout:out one']);
    expect(engine.logs('talker', { stderr: false, tail: 1 }).map((l) => l.text)).toEqual(['no newline']);
  });

  it('a followLogs listener that throws is dropped and logged; the engine and the other followers carry on (was: the engine process died)', async () => {
    const errors: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => { errors.push(JSON.parse(line).msg); } });
    const engine = realEngine({ logger });
    await engine.create({ name: 'printer', cmd: ['sh', '-c', 'sleep 0.2; echo one; sleep 0.1; echo two'] });
    await engine.start('printer');
    let calls = 0;
    const seen: string[] = [];
    engine.followLogs('printer', () => { calls++; throw new Error('a bug in the embedder'); });
    engine.followLogs('printer', (line) => seen.push(line.text));
    expect(() => engine.followLogs('printer', undefined as never)).toThrow(/followLogs needs a function/);
    await engine.wait('printer');
    expect(seen).toEqual(['one', 'two']);
    expect(calls).toBe(1);
    expect(errors).toEqual(['a followLogs listener threw: it was unsubscribed; the container and the engine carry on']);
    expect(() => engine.logs('printer', { tail: 1.5 })).toThrow(/`tail` to be a whole number/);
    expect(() => engine.logs('printer', { since: 'yesterday' as never })).toThrow(/`since` to be a time/);
    expect(() => engine.logs('printer', { until: Number.NaN })).toThrow(/`until` to be a time/);
  });

  it('a next-exit wait registered just before a fast exit is never lost', async () => {
    const engine = realEngine();
    for (let i = 0; i < 10; i++) {
      await engine.create({ name: `fast${i}`, cmd: ['true'] });
      const wait = engine.wait(`fast${i}`, { condition: 'next-exit' });
      await engine.start(`fast${i}`);
      await expect(wait).resolves.toEqual({ StatusCode: 0 });
    }
  });

  it('50 containers stopped at once: each by its own ladder, none left behind', async () => {
    const engine = realEngine();
    const pids: number[] = [];
    for (let i = 0; i < 50; i++) {
      const stubborn = i % 2 === 1;
      await engine.create({ name: `many${i}`, cmd: stubborn ? ['sh', '-c', `trap "" TERM; ${loop}`] : ['sleep', '1000'], stopTimeout: 0.5 });
      await engine.start(`many${i}`);
      pids.push(engine.inspect(`many${i}`).State.Pid);
    }
    const began = Date.now();
    await Promise.all(pids.map((_, i) => engine.stop(`many${i}`)));
    expect(Date.now() - began).toBeLessThan(10_000);
    const codes = pids.map((_, i) => engine.inspect(`many${i}`).State.ExitCode);
    expect(codes.filter((c) => c === 143)).toHaveLength(25);
    expect(codes.filter((c) => c === 137)).toHaveLength(25);
    await until(() => pids.every((pid) => livingInGroup(pid).length === 0), 3_000, 'every group to be empty');
  }, 30_000);
});
