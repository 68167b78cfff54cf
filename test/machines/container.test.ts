// The container machine on a SimulatedClock with the fake runtime: every timed path of Docker's
// stop ladder, with exact times.
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { createPuppetRuntime } from '../../src/actors/puppet.js';
import { containerMachine, type ContainerCommand } from '../../src/machines/container.js';
import type { ContainerEmitted } from '../../src/machines/records.js';
import { runMachine, testSpec } from '../support/machine-harness.js';

const SIGHUP = 1, SIGKILL = 9, SIGUSR1 = 10, SIGTERM = 15;

describe('stop', () => {
  it('graceful: the process exits on SIGTERM; die then stop, the stop answered at once', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: { exit: 0 } } } });
    m.send({ type: 'start' });
    const stop = m.send({ type: 'stop' });
    expect(m.state()).toBe('exited');
    expect(m.lifecycle()).toEqual(['start', 'kill 15', 'die 0', 'stop']);
    expect(m.reply(stop)).toMatchObject({ ok: true, time: 0 });
    expect(m.context().exitCode).toBe(0);
  });

  it('stubborn: SIGTERM ignored, SIGKILL exactly at the stop timeout, exit 137', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: 'ignore' } } });
    m.send({ type: 'start' });
    const stop = m.send({ type: 'stop', timeoutMs: 10_000 });
    m.clock.increment(9_999);
    expect(m.state()).toEqual({ alive: { stopping: 'graceful' } });
    m.clock.increment(1);
    expect(m.signalsSeen()).toEqual([[0, SIGTERM, 'main'], [10_000, SIGKILL, 'all']]);
    expect(m.state()).toBe('exited');
    expect(m.context().exitCode).toBe(137);
    expect(m.lifecycle()).toEqual(['start', 'kill 15', 'kill 9', 'die 137', 'stop']);
    expect(m.reply(stop)).toMatchObject({ ok: true, time: 10_000 });
    expect(m.context().flow.steps.map((s) => [s.elapsedMs, s.state, s.signal])).toEqual([
      [0, 'stopping', SIGTERM], [10_000, 'killing', SIGKILL], [10_000, 'exited', undefined],
    ]);
  });

  it('uses the container stop timeout, then the default of 10 s, when the call gives none', () => {
    const own = runMachine({ spec: { stopTimeoutMs: 3_000 }, behaviour: { signals: { [SIGTERM]: 'ignore' } } });
    own.send({ type: 'start' });
    own.send({ type: 'stop' });
    own.clock.increment(3_000);
    expect(own.signalsSeen().at(-1)).toEqual([3_000, SIGKILL, 'all']);
    const fallback = runMachine({ behaviour: { signals: { [SIGTERM]: 'ignore' } } });
    fallback.send({ type: 'start' });
    fallback.send({ type: 'stop' });
    fallback.clock.increment(10_000);
    expect(fallback.signalsSeen().at(-1)).toEqual([10_000, SIGKILL, 'all']);
  });

  it('signal-delivery failure: SIGKILL after the 2 s grace, not the stop timeout', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: 'fail-delivery' } } });
    m.send({ type: 'start' });
    m.send({ type: 'stop', timeoutMs: 30_000 });
    expect(m.state()).toEqual({ alive: { stopping: 'signalFailed' } });
    m.clock.increment(1_999);
    expect(m.signalsSeen()).toHaveLength(1);
    m.clock.increment(1);
    expect(m.signalsSeen()).toEqual([[0, SIGTERM, 'main'], [2_000, SIGKILL, 'all']]);
    expect(m.context().exitCode).toBe(137);
  });

  it('negative timeout: no timer at all, never SIGKILL; the stop ends when the process does', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: 'ignore' } } });
    m.send({ type: 'start' });
    const stop = m.send({ type: 'stop', timeoutMs: -1 });
    expect(m.state()).toEqual({ alive: { stopping: 'untimed' } });
    m.clock.increment(365 * 24 * 3600 * 1000);
    expect(m.signalsSeen()).toEqual([[0, SIGTERM, 'main']]);
    expect(m.reply(stop)).toBeUndefined();
    m.fake.exit(m.context().spec.id, 0);
    expect(m.reply(stop)).toMatchObject({ ok: true });
    expect(m.lifecycle()).toEqual(['start', 'kill 15', 'die 0', 'stop']);
  });

  it('stuck kill: direct kill 10 s after SIGKILL, stop fails 2 s later, the machine still takes the exit', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: 'ignore' }, sigkill: 'survive' } });
    m.send({ type: 'start' });
    const stop = m.send({ type: 'stop', timeoutMs: 1_000 });
    m.clock.increment(1_000);
    m.clock.increment(10_000);
    expect(m.signalsSeen()).toEqual([[0, SIGTERM, 'main'], [1_000, SIGKILL, 'all'], [11_000, SIGKILL, 'direct']]);
    expect(m.reply(stop)).toBeUndefined();
    m.clock.increment(2_000);
    expect(m.state()).toEqual({ alive: { killing: 'stuck' } });
    expect(m.reply(stop)).toMatchObject({ ok: false, time: 13_000, error: { kind: 'System' } });
    expect((m.reply(stop) as { error: { message: string } }).error.message).toMatch(/cannot stop container: web: tried to kill container/);
    // No timer is left: a day later it is still waiting, and a late exit is still taken.
    m.clock.increment(86_400_000);
    expect(m.state()).toEqual({ alive: { killing: 'stuck' } });
    const wait = m.send({ type: 'wait', condition: 'not-running' });
    m.fake.exit(m.context().spec.id, 137);
    expect(m.state()).toBe('exited');
    expect(m.reply(wait)).toMatchObject({ ok: true, value: { StatusCode: 137 } });
  });

  it('a paused container: the stop signal is sent, then the container is thawed so it lands', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: { exit: 0 } } } });
    m.send({ type: 'start' });
    m.send({ type: 'pause' });
    expect(m.state()).toEqual({ alive: 'paused' });
    m.send({ type: 'stop' });
    expect(m.state()).toBe('exited');
    expect(m.lifecycle()).toEqual(['start', 'pause', 'kill 15', 'unpause', 'die 0', 'stop']);
  });

  it('a container waiting to restart: the restart is cancelled, no signal, only a stop event', () => {
    const m = runMachine({ spec: { restart: { name: 'always', maximumRetryCount: 0 } }, behaviour: { exitAfterMs: 50, exitCode: 1 } });
    m.send({ type: 'start' });
    m.clock.increment(50);
    expect(m.state()).toBe('restarting');
    const stop = m.send({ type: 'stop' });
    expect(m.state()).toBe('exited');
    expect(m.reply(stop)).toMatchObject({ ok: true });
    expect(m.lifecycle()).toEqual(['start', 'die 1', 'stop']);
    expect(m.fake.signals).toHaveLength(0);
    m.clock.increment(120_000);
    expect(m.state()).toBe('exited');
  });

  it('concurrent stops are coalesced into one flow and all answered at the exit', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: 'ignore' } } });
    m.send({ type: 'start' });
    const first = m.send({ type: 'stop', timeoutMs: 5_000 });
    m.clock.increment(1_000);
    const second = m.send({ type: 'stop', timeoutMs: 1 });
    m.clock.increment(4_000);
    expect(m.signalsSeen()).toEqual([[0, SIGTERM, 'main'], [5_000, SIGKILL, 'all']]);
    expect(m.reply(first)).toMatchObject({ ok: true, time: 5_000 });
    expect(m.reply(second)).toMatchObject({ ok: true, time: 5_000 });
    expect(m.lifecycle().filter((a) => a === 'stop')).toHaveLength(1);
  });

  it('stop of a stopped container is NotModified (304)', () => {
    const m = runMachine();
    const stop = m.send({ type: 'stop' });
    expect(m.reply(stop)).toMatchObject({ ok: false, error: { kind: 'NotModified' } });
  });
});

describe('kill', () => {
  it('SIGKILL answers after the exit; other signals on delivery', () => {
    const m = runMachine({ behaviour: { signals: { [SIGHUP]: 'ignore' } } });
    m.send({ type: 'start' });
    const hup = m.send({ type: 'kill', signal: SIGHUP });
    expect(m.reply(hup)).toMatchObject({ ok: true });
    expect(m.state()).toEqual({ alive: 'running' });
    const kill = m.send({ type: 'kill', signal: SIGKILL });
    expect(m.reply(kill)).toMatchObject({ ok: true });
    expect(m.lifecycle()).toEqual(['start', 'kill 1', 'kill 9', 'die 137']);
  });

  it('a non-stopping signal does not mark the container manually stopped (fixes moby#26087)', () => {
    const m = runMachine({ spec: { restart: { name: 'unless-stopped', maximumRetryCount: 0 } }, behaviour: { signals: { [SIGHUP]: 'ignore' } } });
    m.send({ type: 'start' });
    m.send({ type: 'kill', signal: SIGHUP });
    expect(m.context().restart.manuallyStopped).toBe(false);
    m.fake.exit(m.context().spec.id, 1);
    expect(m.state()).toBe('restarting');
    m.clock.increment(100);
    expect(m.state()).toEqual({ alive: 'running' });
  });

  it('the stop signal and SIGKILL are stopping signals: no policy restart afterwards', () => {
    for (const signal of [SIGTERM, SIGKILL]) {
      const m = runMachine({ spec: { restart: { name: 'always', maximumRetryCount: 0 } } });
      m.send({ type: 'start' });
      m.send({ type: 'kill', signal });
      expect(m.state()).toBe('exited');
      expect(m.context().restart.manuallyStopped).toBe(true);
    }
  });

  it('paused: a stopping signal thaws, a non-stopping one stays frozen until unpause', () => {
    const m = runMachine({ spec: { stopSignal: SIGTERM }, behaviour: { signals: { [SIGUSR1]: { exit: 3 } } } });
    m.send({ type: 'start' });
    m.send({ type: 'pause' });
    m.send({ type: 'kill', signal: SIGUSR1 });
    expect(m.state()).toEqual({ alive: 'paused' });
    m.send({ type: 'unpause' });
    expect(m.state()).toBe('exited');
    expect(m.lifecycle()).toEqual(['start', 'pause', 'kill 10', 'unpause', 'die 3']);
  });

  it('restarting: a non-stopping signal is answered and the restart goes on; a stopping one cancels it', () => {
    const m = runMachine({ spec: { restart: { name: 'always', maximumRetryCount: 0 } }, behaviour: { exitAfterMs: 10, exitCode: 2 } });
    m.send({ type: 'start' });
    m.clock.increment(10);
    const hup = m.send({ type: 'kill', signal: SIGHUP });
    expect(m.reply(hup)).toMatchObject({ ok: true });
    expect(m.state()).toBe('restarting');
    const kill = m.send({ type: 'kill', signal: SIGKILL });
    expect(m.reply(kill)).toMatchObject({ ok: true });
    expect(m.state()).toBe('exited');
    expect(m.fake.signals).toHaveLength(0);
    expect(m.lifecycle()).toEqual(['start', 'die 2']);
  });
});

describe('restart policy', () => {
  it('back-off: 100 ms doubling to the 1 min cap, emitting die then start', () => {
    const m = runMachine({ spec: { restart: { name: 'always', maximumRetryCount: 0 } }, behaviour: { exitAfterMs: 0, exitCode: 1 } });
    m.send({ type: 'start' });
    m.clock.increment(0);
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      expect(m.state()).toBe('restarting');
      const delay = m.context().restart.delayMs!;
      delays.push(delay);
      m.clock.increment(delay - 1);
      expect(m.state()).toBe('restarting');
      m.clock.increment(1);
      m.clock.increment(0);
    }
    expect(delays).toEqual([100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 25_600, 51_200, 60_000, 60_000]);
    expect(m.lifecycle().slice(0, 5)).toEqual(['start', 'die 1', 'start', 'die 1', 'start']);
    // Docker counts a restart when it is decided: 12 done and one pending.
    expect(m.context().restart.count).toBe(13);
  });

  it('a run of 10 s or more resets the back-off', () => {
    const m = runMachine({ spec: { restart: { name: 'on-failure', maximumRetryCount: 0 } }, behaviour: { exitAfterMs: 10_000, exitCode: 1 } });
    m.send({ type: 'start' });
    m.clock.increment(10_000);
    expect(m.context().restart.delayMs).toBe(100);
    m.clock.increment(100);
    m.clock.increment(10_000);
    expect(m.context().restart.delayMs).toBe(100);
  });

  it('on-failure:2 restarts twice, then stays exited; exit 0 is never restarted', () => {
    const m = runMachine({ spec: { restart: { name: 'on-failure', maximumRetryCount: 2 } }, behaviour: { exitAfterMs: 0, exitCode: 5 } });
    m.send({ type: 'start' });
    m.clock.increment(0);
    m.clock.increment(100);
    m.clock.increment(0);
    m.clock.increment(200);
    m.clock.increment(0);
    expect(m.state()).toBe('exited');
    expect(m.lifecycle().filter((a) => a === 'start')).toHaveLength(3);
    const clean = runMachine({ spec: { restart: { name: 'on-failure', maximumRetryCount: 0 } }, behaviour: { exitAfterMs: 0, exitCode: 0 } });
    clean.send({ type: 'start' });
    clean.clock.increment(0);
    expect(clean.state()).toBe('exited');
  });
});

describe('restart, remove, wait, reports', () => {
  it('restart of a running container: kill, die, stop, start, restart', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: { exit: 0 } } } });
    m.send({ type: 'start' });
    const restart = m.send({ type: 'restart' });
    expect(m.state()).toEqual({ alive: 'running' });
    expect(m.lifecycle()).toEqual(['start', 'kill 15', 'die 0', 'stop', 'start', 'restart']);
    expect(m.reply(restart)).toMatchObject({ ok: true });
    expect(m.context().generation).toBe(2);
  });

  it('force remove of a running container: kill 9, die, destroy', () => {
    const m = runMachine();
    m.send({ type: 'start' });
    expect(m.reply(m.send({ type: 'remove', force: false }))).toMatchObject({ ok: false, error: { kind: 'Conflict' } });
    const remove = m.send({ type: 'remove', force: true });
    expect(m.actor.getSnapshot().status).toBe('done');
    expect(m.lifecycle()).toEqual(['start', 'kill 9', 'die 137', 'destroy']);
    expect(m.reply(remove)).toMatchObject({ ok: true });
  });

  it('wait: not-running answers at once when stopped; next-exit and removed wait for their moment', () => {
    const m = runMachine({ behaviour: { exitAfterMs: 500, exitCode: 4 } });
    const notRunning = m.send({ type: 'wait', condition: 'not-running' });
    expect(m.reply(notRunning)).toMatchObject({ ok: true, value: { StatusCode: 0 } });
    const nextExit = m.send({ type: 'wait', condition: 'next-exit' });
    const removed = m.send({ type: 'wait', condition: 'removed' });
    m.send({ type: 'start' });
    m.clock.increment(500);
    expect(m.reply(nextExit)).toMatchObject({ ok: true, value: { StatusCode: 4 }, time: 500 });
    expect(m.reply(removed)).toBeUndefined();
    m.send({ type: 'remove', force: false });
    expect(m.reply(removed)).toMatchObject({ ok: true, value: { StatusCode: 4 } });
  });

  it('drops an exit report of an older run', () => {
    const m = runMachine();
    m.send({ type: 'start' });
    m.actor.send({ type: 'runtime.exited', generation: 0, exitCode: 1 });
    expect(m.state()).toEqual({ alive: 'running' });
  });

  it('a start failure keeps the container created, with the error and exit code 127', () => {
    const m = runMachine({ behaviour: { startFailure: { message: 'exec: "nope": executable file not found in $PATH', exitCode: 127 } } });
    const start = m.send({ type: 'start' });
    expect(m.state()).toBe('created');
    expect(m.reply(start)).toMatchObject({ ok: false, error: { kind: 'InvalidArgument' } });
    expect(m.context()).toMatchObject({ exitCode: 127, error: expect.stringContaining('not found') });
  });

  it('auto-remove: die then destroy when the process exits', () => {
    const m = runMachine({ spec: { autoRemove: true }, behaviour: { exitAfterMs: 5 } });
    m.send({ type: 'start' });
    m.clock.increment(5);
    expect(m.lifecycle()).toEqual(['start', 'die 0', 'destroy']);
  });
});

describe('stops that join a flow in progress', () => {
  it('a later stop with an earlier deadline re-arms the timer; one with a later deadline does not', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: 'ignore' } } });
    m.send({ type: 'start' });
    const forever = m.send({ type: 'stop', timeoutMs: -1 });
    m.clock.increment(5_000);
    const soon = m.send({ type: 'stop', timeoutMs: 2_000 });
    expect(m.state()).toEqual({ alive: { stopping: 'graceful' } });
    m.send({ type: 'stop', timeoutMs: 30_000 });
    m.clock.increment(2_000);
    expect(m.signalsSeen()).toEqual([[0, SIGTERM, 'main'], [7_000, SIGKILL, 'all']]);
    expect(m.reply(forever)).toMatchObject({ ok: true, time: 7_000 });
    expect(m.reply(soon)).toMatchObject({ ok: true, time: 7_000 });
  });
});

describe('regressions found by the property suite', () => {
  it('rm -f during a restart removes the container and answers both (was: the remove never answered)', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: 'ignore' } } });
    m.send({ type: 'start' });
    const restart = m.send({ type: 'restart', timeoutMs: 0 });
    const remove = m.send({ type: 'remove', force: true });
    expect(m.actor.getSnapshot().status).toBe('done');
    expect(m.reply(remove)).toMatchObject({ ok: true });
    expect(m.reply(restart)).toMatchObject({ ok: false, error: { kind: 'NotFound' } });
  });
});

// A machine whose start lasts until the test says the process runs (or failed to start).
function startingMachine() {
  const puppet = createPuppetRuntime();
  const spec = testSpec();
  const actor = createActor(containerMachine.provide({ actors: { runtime: puppet.logic } }), { clock: new SimulatedClock(), input: { spec } });
  const replies = new Map<string, Extract<ContainerEmitted, { type: 'reply' }>>();
  const lifecycle: string[] = [];
  actor.on('reply', (reply) => replies.set(reply.requestId, reply));
  actor.on('lifecycle', (event) => lifecycle.push(event.action === 'kill' ? `kill ${event.attributes.signal}` : event.action));
  actor.start();
  actor.send({ type: 'start', requestId: 'start' });
  const send = (command: ContainerCommand) => actor.send(command);
  const report = (event: Parameters<typeof puppet.report>[1]) => puppet.report(spec.id, event);
  return { actor, puppet, replies, lifecycle, send, report, state: () => actor.getSnapshot().value };
}

describe('commands while starting (Docker queues them behind the start)', () => {
  it('kill -s KILL is kept: SIGKILL to the group once the process runs, answered on the exit', () => {
    const m = startingMachine();
    m.send({ type: 'kill', requestId: 'kill', signal: SIGKILL });
    expect(m.state()).toEqual({ alive: 'starting' });
    expect(m.puppet.commands).toEqual([]);
    m.report({ type: 'runtime.started', generation: 1, pid: 42 });
    expect(m.state()).toEqual({ alive: { killing: 'awaitingExit' } });
    expect(m.puppet.commands.map((c) => c.command)).toEqual([{ type: 'signal', seq: 1, signal: SIGKILL, scope: 'all' }]);
    expect(m.replies.get('start')).toMatchObject({ ok: true });
    expect(m.replies.has('kill')).toBe(false);
    m.report({ type: 'runtime.exited', generation: 1, exitCode: 137, signal: SIGKILL });
    expect(m.replies.get('kill')).toMatchObject({ ok: true });
    expect(m.lifecycle).toEqual(['start', 'kill 9', 'die']);
    expect(m.actor.getSnapshot().context.flow.steps.map((s) => [s.state, s.cause])).toEqual([
      ['running', 'started pid 42'], ['killing', 'a kill asked for while starting: SIGKILL to every process'], ['exited', 'exited on signal 9 (exit code 137)'],
    ]);
  });

  it('rm -f is kept: killed once it runs, then removed; both the start and the remove answered', () => {
    const m = startingMachine();
    m.send({ type: 'remove', requestId: 'rm', force: true });
    m.report({ type: 'runtime.started', generation: 1, pid: 42 });
    m.report({ type: 'runtime.exited', generation: 1, exitCode: 137, signal: SIGKILL });
    expect(m.actor.getSnapshot().status).toBe('done');
    expect(m.replies.get('start')).toMatchObject({ ok: true });
    expect(m.replies.get('rm')).toMatchObject({ ok: true });
    expect(m.lifecycle).toEqual(['start', 'kill 9', 'die', 'destroy']);
  });

  it('a start that fails under a pending rm -f: the start fails, the container is removed, the kill is refused', () => {
    const m = startingMachine();
    m.send({ type: 'kill', requestId: 'kill', signal: SIGKILL });
    m.send({ type: 'remove', requestId: 'rm', force: true });
    m.report({ type: 'runtime.startFailed', generation: 1, exitCode: 127, message: 'exec: "server": not found' });
    expect(m.actor.getSnapshot().status).toBe('done');
    expect(m.replies.get('start')).toMatchObject({ ok: false, error: { kind: 'InvalidArgument' } });
    expect(m.replies.get('kill')).toMatchObject({ ok: false, error: { kind: 'Conflict', message: expect.stringMatching(/not running: its start failed/) } });
    expect(m.replies.get('rm')).toMatchObject({ ok: true });
    expect(m.lifecycle).toEqual(['destroy']);
  });

  it('restart is kept: once the process runs it is stopped and started again; answered on the second start', () => {
    const m = startingMachine();
    m.send({ type: 'restart', requestId: 'restart', timeoutMs: 1_000 });
    expect(m.state()).toEqual({ alive: 'starting' });
    expect(m.replies.has('restart')).toBe(false);
    m.report({ type: 'runtime.started', generation: 1, pid: 42 });
    expect(m.state()).toEqual({ alive: { stopping: 'graceful' } });
    expect(m.puppet.commands.map((c) => c.command)).toEqual([{ type: 'signal', seq: 1, signal: SIGTERM, scope: 'main' }]);
    expect(m.replies.get('start')).toMatchObject({ ok: true });
    expect(m.replies.has('restart')).toBe(false);
    m.report({ type: 'runtime.exited', generation: 1, exitCode: 0 });
    expect(m.state()).toEqual({ alive: 'starting' });
    expect(m.actor.getSnapshot().context.generation).toBe(2);
    expect(m.replies.has('restart')).toBe(false);
    m.report({ type: 'runtime.started', generation: 2, pid: 43 });
    expect(m.state()).toEqual({ alive: 'running' });
    expect(m.replies.get('restart')).toMatchObject({ ok: true });
    expect(m.lifecycle).toEqual(['start', 'kill 15', 'die', 'stop', 'start', 'restart']);
  });

  it('a restart queued with rm -f: the removal wins and the restart is told the container is gone', () => {
    const m = startingMachine();
    m.send({ type: 'restart', requestId: 'restart' });
    m.send({ type: 'remove', requestId: 'rm', force: true });
    m.report({ type: 'runtime.started', generation: 1, pid: 42 });
    expect(m.state()).toEqual({ alive: { killing: 'awaitingExit' } });
    m.report({ type: 'runtime.exited', generation: 1, exitCode: 137, signal: SIGKILL });
    expect(m.actor.getSnapshot().status).toBe('done');
    expect(m.replies.get('rm')).toMatchObject({ ok: true });
    expect(m.replies.get('restart')).toMatchObject({ ok: false, error: { kind: 'NotFound' } });
  });

  it('a restart queued while the engine shuts down: the shutdown\'s stop wins, nothing is started again', () => {
    const m = startingMachine();
    m.send({ type: 'restart', requestId: 'restart' });
    m.send({ type: 'stop', requestId: 'shutdown:c', cause: 'shutdown' });
    m.report({ type: 'runtime.started', generation: 1, pid: 42 });
    expect(m.state()).toEqual({ alive: { stopping: 'graceful' } });
    m.report({ type: 'runtime.exited', generation: 1, exitCode: 0 });
    expect(m.state()).toBe('exited');
    expect(m.replies.get('shutdown:c')).toMatchObject({ ok: true });
    expect(m.replies.has('restart')).toBe(false); // the engine rejects it when its shutdown ends
  });

  it('a restart queued behind a start that fails fails with it', () => {
    const m = startingMachine();
    m.send({ type: 'restart', requestId: 'restart' });
    m.report({ type: 'runtime.startFailed', generation: 1, exitCode: 127, message: 'exec: "server": not found' });
    expect(m.state()).toBe('created');
    expect(m.replies.get('start')).toMatchObject({ ok: false, error: { kind: 'InvalidArgument' } });
    expect(m.replies.get('restart')).toMatchObject({ ok: false, error: { kind: 'InvalidArgument', message: expect.stringMatching(/^Cannot restart container .*: exec: "server": not found$/) } });
    expect(m.actor.getSnapshot().context.requested.afterStart).toEqual([]);
  });

  it('another signal and a pause are sent once it runs, in order, and answered then; rm without force is still refused', () => {
    const m = startingMachine();
    m.send({ type: 'kill', requestId: 'hup', signal: SIGHUP });
    m.send({ type: 'pause', requestId: 'pause' });
    m.send({ type: 'remove', requestId: 'rm', force: false });
    expect(m.replies.get('rm')).toMatchObject({ ok: false, error: { kind: 'Conflict', message: expect.stringMatching(/force remove/) } });
    expect(m.replies.has('hup')).toBe(false);
    expect(m.replies.has('pause')).toBe(false);
    expect(m.puppet.commands).toEqual([]);
    m.report({ type: 'runtime.started', generation: 1, pid: 42 });
    expect(m.puppet.commands.map((c) => c.command)).toEqual([{ type: 'signal', seq: 1, signal: SIGHUP, scope: 'main', ack: true }, { type: 'freeze' }]);
    m.report({ type: 'runtime.signalDelivered', generation: 1, seq: 1 });
    m.report({ type: 'runtime.frozen', generation: 1 });
    expect(m.replies.get('hup')).toMatchObject({ ok: true });
    expect(m.replies.get('pause')).toMatchObject({ ok: true });
    expect(m.state()).toEqual({ alive: 'paused' });
    expect(m.lifecycle).toEqual(['start', 'kill 1', 'pause']);
  });

  it('a signal and a pause queued behind a start that fails are refused: the container is not running', () => {
    const m = startingMachine();
    m.send({ type: 'kill', requestId: 'hup', signal: SIGHUP });
    m.send({ type: 'pause', requestId: 'pause' });
    m.report({ type: 'runtime.startFailed', generation: 1, exitCode: 126, message: 'permission denied' });
    for (const id of ['hup', 'pause']) {
      expect(m.replies.get(id)).toMatchObject({ ok: false, error: { kind: 'Conflict', message: expect.stringMatching(/is not running: its start failed: permission denied$/) } });
    }
    expect(m.puppet.commands).toEqual([]);
  });
});

describe('context shape', () => {
  // XState copies the context with Object.assign on every assign; V8 (Node 20) keeps such a copy
  // in fast mode only up to 19 properties. Past that every copy and read is a hash table
  // operation, which cost berth a quarter of its stop CPU (bench/README.md). Group new fields.
  it('keeps at most 19 top-level fields through a whole stop flow', () => {
    const m = runMachine({ behaviour: { signals: { [SIGTERM]: 'ignore' } } });
    const sizes = [Object.keys(m.context()).length];
    m.send({ type: 'start' });
    m.send({ type: 'stop', timeoutMs: 1000 });
    sizes.push(Object.keys(m.context()).length);
    m.clock.increment(1000);
    sizes.push(Object.keys(m.context()).length);
    expect(m.actor.getSnapshot().value).toBe('exited');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(19);
  });
});
