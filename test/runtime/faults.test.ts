// A fault in one container (its runtime throws, or its machine does) stays with that container:
// every request still gets an answer, the other containers and the engine carry on. Without the
// guards XState stops the container's machine, then the supervisor, and every promise hangs.
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { fromCallback } from 'xstate';
import { createEngine, type RuntimeCommand, type RuntimeInput } from '../../src/index.js';
import { createFakeRuntime, SimulatedClock } from '../../src/testing/index.js';

// A runtime that behaves (SIGTERM ends the run) except for the container named `faulty`, whose
// runtime throws where `throwsOn` says.
function faultyRuntime(throwsOn: 'start' | 'signal') {
  return fromCallback<RuntimeCommand, RuntimeInput>(({ input, sendBack, receive }) => {
    const faulty = input.spec.name === 'faulty';
    if (faulty && throwsOn === 'start') throw new Error('no such runtime socket');
    sendBack({ type: 'runtime.started', generation: input.generation, pid: 4242 });
    receive((command) => {
      if (faulty) throw new Error('runtime bug: undefined is not a function');
      if (command.type === 'signal') sendBack({ type: 'runtime.exited', generation: input.generation, exitCode: 128 + command.signal });
    });
  });
}

describe('a runtime that throws', () => {
  it('while starting: the start fails with its message (exit 128), like a start error', async () => {
    const engine = createEngine({ runtime: faultyRuntime('start'), clock: new SimulatedClock() });
    await engine.create({ name: 'faulty', cmd: ['x'] });
    await engine.create({ name: 'fine', cmd: ['x'] });
    await expect(engine.start('faulty')).rejects.toMatchObject({ status: 500, message: expect.stringContaining('no such runtime socket') });
    expect(engine.inspect('faulty').State).toMatchObject({ Status: 'created', ExitCode: 128, Error: expect.stringContaining('the runtime could not start container faulty') });
    await engine.start('fine');
    await engine.stop('fine');
    expect(engine.inspect('fine').State.ExitCode).toBe(143);
    expect(engine.actor.getSnapshot().status).toBe('active');
  });

  it('on a signal: the stop runs the whole ladder on the clock and fails saying the kill was refused; the rest carries on', async () => {
    const clock = new SimulatedClock();
    const engine = createEngine({ runtime: faultyRuntime('signal'), clock });
    await engine.create({ name: 'faulty', cmd: ['x'], stopTimeout: 5 });
    await engine.create({ name: 'fine', cmd: ['x'] });
    await engine.start('faulty');
    await engine.start('fine');
    let outcome: unknown;
    const stop = engine.stop('faulty').then(() => { outcome = 'stopped'; }, (error: Error) => { outcome = error; });
    await engine.stop('fine'); // answered while faulty's stop is under way
    expect(engine.inspect('fine').State.Status).toBe('exited');
    clock.increment(2_000); // the stop signal was refused: 2 s of grace, then SIGKILL (refused too)
    clock.increment(10_000); // no exit 10 s after SIGKILL: the direct kill (refused too)
    await Promise.resolve();
    expect(outcome).toBeUndefined();
    clock.increment(2_000); // 2 s after the direct kill: the stop fails
    await stop;
    expect(outcome).toMatchObject({ status: 500, message: expect.stringContaining('the kill was refused') });
    expect((outcome as Error).message).toContain('runtime bug: undefined is not a function');
    expect(engine.inspect('faulty').State.Status).toBe('running');
    const flow = engine.inspect('faulty').Berth.StopFlow;
    expect(flow.map((step) => `${step.at - flow[0]!.at} ${step.state}${step.signalName ? ` ${step.signalName}` : ''}`)).toEqual([
      '0 stopping SIGTERM', '0 signalFailed SIGTERM', '0 stopping', '2000 killing SIGKILL', '2000 signalFailed SIGKILL',
      '12000 killing SIGKILL', '12000 signalFailed SIGKILL', '14000 stuck',
    ]);
  });
});

describe('a container machine that throws', () => {
  it('is dead to inspect, answers its waiters and later commands with 500, can be removed; the engine and the others carry on', async () => {
    // The embedder's clock fails while one container's stop is handled: the machine reads the
    // clock in its own actions, so that machine throws.
    class FlakyClock extends SimulatedClock {
      failing = false;
      override now(): number {
        if (this.failing) throw new Error('clock source unavailable');
        return super.now();
      }
    }
    const clock = new FlakyClock();
    const fake = createFakeRuntime({ clock, behaviour: () => ({ signals: { 15: 'ignore' } }) });
    const engine = createEngine({ runtime: fake.logic, clock });
    await engine.create({ name: 'faulty', cmd: ['x'] });
    await engine.create({ name: 'fine', cmd: ['x'], stopTimeout: 1 });
    await engine.start('faulty');
    await engine.start('fine');
    const waiting = engine.wait('faulty');
    clock.failing = true;
    const stop = engine.stop('faulty');
    clock.failing = false;
    await expect(stop).rejects.toMatchObject({ status: 500, message: expect.stringContaining('clock source unavailable') });
    await expect(waiting).rejects.toMatchObject({ status: 500 });
    expect(engine.inspect('faulty').State).toMatchObject({ Status: 'dead', Dead: true, Running: false, Pid: 0, Error: expect.stringContaining('clock source unavailable') });
    expect(fake.exit(engine.inspect('faulty').Id, 0)).toBe(false); // its runtime was stopped with it
    await expect(engine.kill('faulty')).rejects.toMatchObject({ status: 500, message: expect.stringContaining('Remove it') });
    expect(engine.list({ all: true }).find((c) => c.Names[0] === '/faulty')?.State).toBe('dead');

    const stopping = engine.stop('fine');
    clock.increment(1_000);
    await stopping;
    expect(engine.inspect('fine').State.ExitCode).toBe(137);
    await engine.remove('faulty');
    expect(() => engine.inspect('faulty')).toThrow(/No such container/);
    await engine.create({ name: 'faulty', cmd: ['x'] }); // the name is free again
    expect(engine.actor.getSnapshot().status).toBe('active');
    expect(await engine.shutdown()).toEqual({ forced: false, remaining: [], signal: null });
  });
});

describe('what the embedder hands in and throws', () => {
  it('a log destination that fails costs log lines, said once on stderr: every command still answers', async () => {
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const logger = pino({ level: 'info' }, { write() { throw new Error('ENOSPC: no space left on device'); } });
      const clock = new SimulatedClock();
      const engine = createEngine({ runtime: createFakeRuntime({ clock }).logic, clock, logger });
      await engine.create({ name: 'web', cmd: ['x'] });
      await engine.start('web');
      await engine.stop('web');
      await engine.start('web');
      await engine.remove('web', { force: true });
      expect(engine.list({ all: true })).toEqual([]);
      expect(await engine.shutdown()).toEqual({ forced: false, remaining: [], signal: null });
      expect(warnings).toHaveBeenCalledTimes(1);
      expect(String(warnings.mock.calls[0]![0])).toContain('ENOSPC');
    } finally {
      warnings.mockRestore();
    }
  });

  it('an inspector that throws is logged once and changes nothing', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write(line: string) { lines.push(line); } });
    const clock = new SimulatedClock();
    let seen = 0;
    const inspect = () => { seen += 1; throw new Error('inspector socket closed'); };
    const engine = createEngine({ runtime: createFakeRuntime({ clock }).logic, clock, logger, inspect });
    await engine.create({ name: 'web', cmd: ['x'] });
    await engine.start('web');
    await engine.stop('web');
    expect(engine.inspect('web').State).toMatchObject({ Status: 'exited', ExitCode: 143 });
    expect(engine.actor.getSnapshot().status).toBe('active');
    expect(seen).toBeGreaterThan(10);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('inspector socket closed');
  });
});
