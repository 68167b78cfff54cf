// The engine over the fake runtime on a SimulatedClock: the promise API, typed errors, events,
// and the guarantee that a stuck container blocks nobody.
import { describe, expect, it } from 'vitest';
import { createEngine, EventStreamOverflowError, type DockerEvent } from '../../src/index.js';
import { createFakeRuntime, SimulatedClock, type FakeBehaviour } from '../../src/testing/index.js';

function fakeEngine(behaviours: Record<string, FakeBehaviour> = {}, options: { eventQueueSize?: number } = {}) {
  const clock = new SimulatedClock();
  clock.set(1_800_000_000_000);
  const fake = createFakeRuntime({ clock, behaviour: (spec) => behaviours[spec.name] ?? {} });
  const engine = createEngine({ runtime: fake.logic, clock, ...options });
  return { engine, clock, fake };
}

async function collect(events: AsyncIterableIterator<DockerEvent>, count: number): Promise<string[]> {
  const seen: string[] = [];
  for await (const event of events) {
    seen.push(`${event.Actor.Attributes.name} ${event.Action}${event.Actor.Attributes.signal ? ` ${event.Actor.Attributes.signal}` : ''}`);
    if (seen.length === count) break;
  }
  return seen;
}

describe('engine commands', () => {
  it('create, start, stop a stubborn container: events in Docker shape and order', async () => {
    const { engine, clock } = fakeEngine({ web: { signals: { 15: 'ignore' } } });
    const events = engine.events();
    const { id } = await engine.create({ name: 'web', cmd: ['server'], labels: { tier: 'front' }, image: 'app:1' });
    await engine.start('web');
    const stopped = engine.stop(id.slice(0, 12), { timeout: 10 });
    clock.increment(10_000);
    await stopped;
    expect(engine.inspect('web').State).toMatchObject({ Status: 'exited', ExitCode: 137, Running: false });
    expect(await collect(events, 6)).toEqual(['web create', 'web start', 'web kill 15', 'web kill 9', 'web die', 'web stop']);
    const [created] = await collect(engine.events({ since: 0, until: clock.now() }), 1);
    expect(created).toBe('web create');
  });

  it('bad input gets typed errors with Docker status codes and the engine keeps working', async () => {
    const { engine } = fakeEngine();
    await expect(engine.create({ name: 'x', cmd: ['a'] })).rejects.toMatchObject({ status: 400, name: 'InvalidArgumentError' });
    await expect(engine.create({ cmd: [] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('`cmd`') });
    await expect(engine.create({ cmd: ['a'], restart: 'sometimes' })).rejects.toMatchObject({ status: 400 });
    await expect(engine.create({ cmd: ['a'], restart: 'always:3' })).rejects.toMatchObject({ status: 400 });
    await expect(engine.create({ cmd: ['a'], restart: 'always', autoRemove: true })).rejects.toMatchObject({ status: 400 });
    await expect(engine.create({ cmd: ['a'], stopTimeout: Number.NaN })).rejects.toMatchObject({ status: 400 });
    await expect(engine.create({ cmd: ['a'], stopSignal: 'SIGNOPE' })).rejects.toMatchObject({ status: 400 });
    // NUL ends a C string: refused at create, not left to fail the start with a 500.
    await expect(engine.create({ cmd: ['echo', 'a\0b'] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('`cmd[1]` to be a string without NUL') });
    await expect(engine.create({ cmd: 'echo a\0b' })).rejects.toMatchObject({ status: 400 });
    await expect(engine.create({ cmd: ['a'], env: { A: 'x\0' } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('`env.A`') });
    await expect(engine.create({ cmd: ['a'], env: { 'A=B': 'x' } })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('without "="') });
    await expect(engine.create({ cmd: ['a'], cwd: '/tmp\0' })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('`cwd`') });
    await engine.create({ name: 'db', cmd: ['db'] });
    await expect(engine.create({ name: 'db', cmd: ['db'] })).rejects.toMatchObject({ status: 409 });
    await expect(engine.start('nope')).rejects.toMatchObject({ status: 404, message: 'No such container: nope' });
    // Docker checks the signal before the container: a bad signal on a missing container is 400.
    await expect(engine.kill('nope', { signal: 'BOGUS' })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('invalid signal') });
    await expect(engine.stop('db', { timeout: Number.POSITIVE_INFINITY })).rejects.toMatchObject({ status: 400 });
    await expect(engine.stop('db')).rejects.toMatchObject({ status: 304 });
    await expect(engine.kill('db')).rejects.toMatchObject({ status: 409 });
    await expect(engine.unpause('db')).rejects.toMatchObject({ status: 500 });
    await expect(engine.wait('db', { condition: 'whenever' as never })).rejects.toMatchObject({ status: 400 });
    await engine.start('db');
    await expect(engine.start('db')).rejects.toMatchObject({ status: 304 });
    await expect(engine.remove('db')).rejects.toMatchObject({ status: 409 });
    expect(engine.actor.getSnapshot().status).toBe('active');
    expect(engine.inspect('db').State.Status).toBe('running');
  });

  it('engine options that are not usable numbers are refused, naming the option (a NaN wait would fire at once)', () => {
    const bad: [Parameters<typeof createEngine>[0], RegExp][] = [
      [{ timings: { killWaitMs: NaN } }, /`timings\.killWaitMs` to be a finite number of milliseconds, 0 or more, got NaN/],
      [{ timings: { directKillWaitMs: -1 } }, /`timings\.directKillWaitMs`.*got -1 \(number\)/],
      [{ timings: { signalFailureGraceMs: '2000' as unknown as number } }, /got "2000" \(string\)/],
      [{ timings: { killwait: 5 } as never }, /unknown timing `killwait`: use defaultStopTimeoutMs, /],
      [{ logBufferBytes: 0 }, /`logBufferBytes` to be a whole number, 1 or more/],
      [{ eventQueueSize: 1.5 }, /`eventQueueSize`/],
    ];
    for (const [options, message] of bad) expect(() => createEngine(options), message.source).toThrow(message);
    expect(() => createEngine({ timings: { defaultStopTimeoutMs: -1 }, eventHistorySize: 0 })).not.toThrow(); // negative: wait forever
  });

  it('accepts signals by name or number, with or without SIG, in any case', async () => {
    const { engine, fake } = fakeEngine({ app: { signals: { default: 'ignore' } } });
    await engine.create({ name: 'app', cmd: ['app'] });
    await engine.start('app');
    for (const signal of ['hup', 'SIGUSR1', 'usr2', 'SigInt', 3, '12']) await engine.kill('app', { signal });
    expect(fake.signals.map((s) => s.signal)).toEqual([1, 10, 12, 2, 3, 12]);
  });

  it('accepts Docker\'s real-time signal names (RTMIN, RTMIN+n, RTMAX-n, RTMAX) and shows them by name', async () => {
    const { engine, fake } = fakeEngine({ app: { signals: { default: 'ignore' } } });
    await engine.create({ name: 'app', cmd: ['app'], stopSignal: 'SIGRTMIN+3' });
    await engine.start('app');
    for (const signal of ['RTMIN', 'sigrtmin+1', 'RTMIN+15', 'RTMAX-14', 'rtmax-1', 'SIGRTMAX', 40]) await engine.kill('app', { signal });
    expect(fake.signals.map((s) => s.signal)).toEqual([34, 35, 49, 50, 63, 64, 40]);
    expect(engine.inspect('app').Config.StopSignal).toBe('SIGRTMIN+3');
    for (const signal of ['RTMIN+16', 'RTMAX-15', 'RTMIN+0', 'RTMAX+1']) {
      await expect(engine.kill('app', { signal }), signal).rejects.toMatchObject({ status: 400, message: expect.stringContaining('RTMIN+3') });
    }
  });

  it('resolves refs by id, name and unique prefix; an ambiguous prefix is 400', async () => {
    const { engine } = fakeEngine();
    const made = [];
    for (let i = 0; i < 40; i++) made.push(await engine.create({ cmd: ['x'] }));
    const one = made[0]!;
    expect(engine.inspect(one.id).Name).toBe(`/${one.name}`);
    expect(engine.inspect(`/${one.name}`).Id).toBe(one.id);
    expect(engine.inspect(one.id.slice(0, 16)).Id).toBe(one.id);
    const clash = made.find((m) => m !== one && m.id[0] === one.id[0]);
    if (clash) expect(() => engine.inspect(one.id[0]!)).toThrow(/multiple IDs/);
  });

  it('remove frees the name; waits for "removed" resolve; a removed container is 404', async () => {
    const { engine } = fakeEngine();
    await engine.create({ name: 'tmp', cmd: ['x'] });
    const removed = engine.wait('tmp', { condition: 'removed' });
    await engine.remove('tmp');
    await expect(removed).resolves.toEqual({ StatusCode: 0 });
    expect(() => engine.inspect('tmp')).toThrow(/No such container: tmp/);
    await engine.create({ name: 'tmp', cmd: ['x'] });
  });

  it('a wait can be abandoned by its owner without touching the container', async () => {
    const { engine } = fakeEngine();
    await engine.create({ name: 'waiter', cmd: ['x'] });
    await engine.start('waiter');
    const controller = new AbortController();
    const wait = engine.wait('waiter', { condition: 'next-exit', signal: controller.signal });
    controller.abort(new Error('client went away'));
    await expect(wait).rejects.toThrow('client went away');
    expect(engine.inspect('waiter').State.Status).toBe('running');
  });
});

describe('no container blocks another', () => {
  it('a container whose SIGKILL never lands: its stop fails after the ladder, inspect and others answer throughout', async () => {
    const { engine, clock } = fakeEngine({ stuck: { signals: { 15: 'ignore' }, sigkill: 'survive' } });
    await engine.create({ name: 'stuck', cmd: ['x'], stopTimeout: 1 });
    await engine.create({ name: 'fine', cmd: ['x'] });
    await engine.start('stuck');
    await engine.start('fine');
    const stop = engine.stop('stuck');
    const outcome = stop.then(() => 'stopped', (error: Error) => error);
    clock.increment(1_000);
    expect(engine.inspect('stuck').Berth.MachineState).toBe('alive.killing.awaitingExit');
    await engine.stop('fine');
    expect(engine.list().map((c) => c.Names[0])).toEqual(['/stuck']);
    clock.increment(10_000);
    clock.increment(2_000);
    const error = await outcome;
    expect(error).toMatchObject({ status: 500, message: expect.stringContaining('cannot stop container: stuck') });
    const seen = engine.inspect('stuck');
    expect(seen.Berth.Stuck).toBe(true);
    expect(seen.State.Running).toBe(true);
    expect(seen.Berth.StopFlow.map((s) => [s.elapsedMs, s.state, s.signalName])).toEqual([
      [0, 'stopping', 'SIGTERM'], [1_000, 'killing', 'SIGKILL'], [11_000, 'killing', 'SIGKILL'], [13_000, 'stuck', undefined],
    ]);
  });
});

describe('events', () => {
  it('a slow consumer never blocks the engine and is told when it fell behind', async () => {
    const { engine } = fakeEngine({}, { eventQueueSize: 3 });
    const events = engine.events();
    for (let i = 0; i < 5; i++) await engine.create({ name: `c${i}`, cmd: ['x'] });
    const got: string[] = [];
    await expect((async () => { for await (const e of events) got.push(e.Actor.Attributes.name!); })()).rejects.toBeInstanceOf(EventStreamOverflowError);
    expect(got).toEqual(['c0', 'c1', 'c2']);
    expect(engine.list({ all: true })).toHaveLength(5);
  });

  it('filters by container, event and label', async () => {
    const { engine } = fakeEngine();
    const dies = engine.events({ event: ['die'], label: ['team=a'] });
    await engine.create({ name: 'a1', cmd: ['x'], labels: { team: 'a' } });
    await engine.create({ name: 'b1', cmd: ['x'], labels: { team: 'b' } });
    for (const name of ['b1', 'a1']) { await engine.start(name); await engine.kill(name); }
    expect(await collect(dies, 1)).toEqual(['a1 die']);
  });
});

describe('rename', () => {
  it('changes the name everywhere, frees the old one, says so in a rename event; refuses what Docker refuses', async () => {
    const { engine } = fakeEngine();
    const events = engine.events({ event: ['rename'] });
    const { id } = await engine.create({ name: 'before', cmd: ['x'], labels: { app: 'web' } });
    await engine.create({ name: 'taken', cmd: ['x'] });
    await engine.start('before');
    await engine.rename('before', 'after');
    expect(engine.inspect('after')).toMatchObject({ Id: id, Name: '/after', State: { Status: 'running' } });
    expect(engine.list().map((c) => c.Names)).toContainEqual(['/after']);
    expect(() => engine.inspect('before')).toThrow(/No such container: before/);
    const [renamed] = await (async () => { for await (const event of events) return [event]; return []; })();
    expect(renamed).toMatchObject({ Action: 'rename', Actor: { ID: id, Attributes: { name: 'after', oldName: '/before', app: 'web' } } });
    await engine.create({ name: 'before', cmd: ['x'] }); // the old name is free again
    await expect(engine.rename('after', 'after')).rejects.toMatchObject({ status: 400, message: 'Renaming a container with the same name as its current name' });
    await expect(engine.rename('after', 'taken')).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/The container name "\/taken" is already in use/) });
    await expect(engine.rename('after', 'a')).rejects.toMatchObject({ status: 400 });
    await engine.stop('after');
    expect(engine.inspect('after').State.Status).toBe('exited'); // the machine answers under its new name
  });
});

describe('shutdown', () => {
  it('stops everything in parallel with each container\'s own timeout, within max(15 s, largest + 5 s)', async () => {
    const { engine, clock, fake } = fakeEngine({
      quick: { signals: { 15: { exit: 0 } } },
      slow: { signals: { 15: 'ignore' } },
      wedged: { signals: { 15: 'ignore' }, sigkill: 'survive' },
    });
    await engine.create({ name: 'quick', cmd: ['x'] });
    await engine.create({ name: 'slow', cmd: ['x'], stopTimeout: 20 });
    await engine.create({ name: 'wedged', cmd: ['x'], stopTimeout: 30, restart: 'always' });
    for (const name of ['quick', 'slow', 'wedged']) await engine.start(name);
    const done = engine.shutdown();
    await expect(engine.create({ cmd: ['x'] })).rejects.toMatchObject({ status: 409 });
    expect(engine.inspect('quick').State.Status).toBe('exited');
    clock.increment(20_000);
    expect(engine.inspect('slow').State.ExitCode).toBe(137);
    clock.increment(10_000);
    clock.increment(5_000); // budget: 30 + 5 s
    expect(engine.actor.getSnapshot().value).toBe('forcing');
    clock.increment(12_000);
    const result = await done;
    expect(result).toEqual({ forced: true, remaining: ['wedged'], signal: null });
    expect(fake.signals.filter((s) => s.containerId === engine.inspect('quick').Id).map((s) => s.signal)).toEqual([15]);
  });

  it('a restart in progress does not start the container again during the shutdown, nor hold it up', async () => {
    const { engine, clock } = fakeEngine({ bouncing: { signals: { 15: { exitAfterMs: 100, exit: 0 } } } });
    await engine.create({ name: 'bouncing', cmd: ['x'] });
    await engine.start('bouncing');
    const restart = engine.restart('bouncing');
    const restartOutcome = restart.then(() => 'restarted', (error: Error) => error.message);
    const done = engine.shutdown();
    clock.increment(100); // the exit of the stop both asked for
    expect(engine.inspect('bouncing').State.Status).toBe('exited');
    expect(await done).toEqual({ forced: false, remaining: [], signal: null });
    expect(await restartOutcome).toMatch(/the engine shut down before this request was answered/);
  });
});

describe('structured logs', () => {
  it('one pino line per lifecycle step, with the container, state, signal and durations', async () => {
    const { pino } = await import('pino');
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line)); } });
    const clock = new SimulatedClock();
    const fake = createFakeRuntime({ clock, behaviour: () => ({ signals: { 15: 'ignore' } }) });
    const engine = createEngine({ runtime: fake.logic, clock, logger });
    const { id } = await engine.create({ name: 'logged', cmd: ['x'], stopTimeout: 3 });
    await engine.start('logged');
    const stop = engine.stop('logged');
    clock.increment(3_000);
    await stop;
    const steps = lines.filter((l) => l.container === 'logged' && l.state);
    expect(steps.map((l) => [l.state, l.signal, l.elapsedMs, l.timerMs, l.exitCode])).toEqual([
      ['running', undefined, 0, undefined, undefined],
      ['stopping', 'SIGTERM', 0, 3_000, undefined],
      ['killing', 'SIGKILL', 3_000, 10_000, undefined],
      ['exited', undefined, 3_000, undefined, 137],
    ]);
    expect(steps.every((l) => l.cid === id.slice(0, 12))).toBe(true);
  });

  it('a removed container leaves nothing behind in the supervisor', async () => {
    const { engine } = fakeEngine();
    const { id } = await engine.create({ name: 'gone', cmd: ['x'] });
    await engine.start('gone');
    const containers = () => Object.keys(engine.actor.system.getAll()).filter((k) => k.startsWith('container:'));
    expect(containers()).toEqual([`container:gone:${id.slice(0, 12)}`]);
    expect(engine.actor.system.get(containers()[0]!)?._parent).toBe(engine.actor);
    await engine.remove('gone', { force: true });
    expect(containers()).toEqual([]);
  });

  it('a shutdown ends every container actor, running or not', async () => {
    const { engine } = fakeEngine();
    await engine.create({ name: 'idle', cmd: ['x'] });
    await engine.create({ name: 'busy', cmd: ['x'] });
    await engine.start('busy');
    const refs = Object.entries(engine.actor.system.getAll()).filter(([k]) => k.startsWith('container:')).map(([, ref]) => ref);
    expect(refs).toHaveLength(2);
    await engine.shutdown();
    expect(Object.keys(engine.actor.system.getAll()).filter((k) => k.startsWith('container:'))).toEqual([]);
    expect(refs.map((ref) => ref.getSnapshot().status)).toEqual(['stopped', 'stopped']);
  });

  it('after the shutdown every command is refused at once (409), none waits forever; reads still answer', async () => {
    const { engine } = fakeEngine();
    await engine.create({ name: 'left', cmd: ['x'] });
    await engine.start('left');
    await engine.shutdown();
    const commands = {
      stop: () => engine.stop('left'), kill: () => engine.kill('left'), remove: () => engine.remove('left', { force: true }),
      wait: () => engine.wait('left'), pause: () => engine.pause('left'), unpause: () => engine.unpause('left'),
      start: () => engine.start('left'), restart: () => engine.restart('left'),
    };
    for (const [name, command] of Object.entries(commands)) {
      await expect(command(), name).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/shut(ting)? down/) });
    }
    expect(engine.inspect('left').State.Status).toBe('exited');
    expect(engine.list({ all: true }).map((c) => c.Names)).toEqual([['/left']]);
  });
});

describe('event history', () => {
  it('a replay with since and until gives exactly the events between them', async () => {
    const { engine, clock } = fakeEngine();
    await engine.create({ name: 'first', cmd: ['x'] });
    clock.increment(1_000);
    const middle = clock.now();
    await engine.create({ name: 'second', cmd: ['x'] });
    clock.increment(1_000);
    await engine.create({ name: 'third', cmd: ['x'] });
    expect(await collect(engine.events({ since: middle, until: middle }), 10)).toEqual(['second create']);
    expect(await collect(engine.events({ until: middle }), 10)).toEqual(['first create', 'second create']);
  });
});
