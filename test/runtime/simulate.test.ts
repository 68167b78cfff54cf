// simulate() and `berth simulate`: exact timelines on a simulated clock, at once.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { parseScriptCommand, simulate } from '../../src/runtime/simulate.js';

function signalsAndExit(timeline: Awaited<ReturnType<typeof simulate>>['timeline']) {
  return timeline.filter((e) => e.kind === 'step' && (e.signal || e.exitCode !== undefined))
    .map((e) => [e.at, e.signal ?? `exit ${e.exitCode}`]);
}

describe('simulate()', () => {
  it('a process that ignores SIGTERM, stop -t 10: SIGTERM at 0, SIGKILL at 10.000 s, exited 137', async () => {
    const { timeline, final } = await simulate({ behaviour: { signals: { 15: 'ignore' } }, script: [{ at: 0, command: 'stop -t 10' }] });
    expect(signalsAndExit(timeline)).toEqual([[0, 'SIGTERM'], [10_000, 'SIGKILL'], [10_000, 'exit 137']]);
    expect(final).toEqual({ status: 'exited', exitCode: 137, machineState: 'exited' });
    expect(timeline.find((e) => e.kind === 'reply')).toMatchObject({ at: 10_000, text: 'stop -t 10: ok' });
  });

  it('pause at 3 s then stop: the signal waits for the thaw; the events say so in order', async () => {
    const { timeline } = await simulate({
      behaviour: { signals: { 15: { exitAfterMs: 1_500, exit: 0 } } },
      script: [{ at: 3, command: 'pause' }, { at: 5, command: 'stop -t 10' }],
    });
    expect(timeline.filter((e) => e.kind === 'event').map((e) => [e.at, e.text])).toEqual([
      [0, 'start'], [3_000, 'pause'], [5_000, 'kill signal=15 (SIGTERM)'], [5_000, 'unpause'], [6_500, 'die exitCode=0'], [6_500, 'stop'],
    ]);
  });

  it('a restart policy\'s back-off, exactly: die, then start 100, 200, 400 ms later', async () => {
    const { timeline } = await simulate({
      container: { restart: 'on-failure:3' }, behaviour: { exitAfterMs: 1_000, exitCode: 1 }, script: [], settle: 30,
    });
    const starts = timeline.filter((e) => e.kind === 'event' && e.text === 'start').map((e) => e.at);
    expect(starts).toEqual([0, 1_100, 2_300, 3_700]);
  });

  it('a stuck process: the stop fails after 10 + 10 + 2 s and the timeline says why', async () => {
    const { timeline, final } = await simulate({
      behaviour: { signals: { 15: 'ignore' }, sigkill: 'survive' }, script: [{ at: 0, command: 'stop -t 10' }],
    });
    expect(timeline.find((e) => e.kind === 'reply')).toMatchObject({ at: 22_000, text: expect.stringContaining('error: cannot stop container') });
    expect(final).toMatchObject({ status: 'running', machineState: 'alive.killing.stuck' });
  });

  it('rejects a script it cannot run, saying what it takes', () => {
    expect(() => parseScriptCommand('halt')).toThrow(/unknown script command "halt": use start, stop/);
    expect(() => parseScriptCommand('stop -t soon')).toThrow(/-t takes a number/);
  });
});

describe('berth simulate', () => {
  it('prints the timeline of the README example', async () => {
    const { stdout, exitCode } = await execa('node', ['bin/berth.js', 'simulate', '--on', 'TERM=ignore', '0 stop -t 10'], { reject: false });
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/0\.000 s\s+step\s+stopping\s+SIGTERM/);
    expect(stdout).toMatch(/10\.000 s\s+step\s+killing\s+SIGKILL/);
    expect(stdout).toMatch(/"exitCode":137/);
  });

  it('bad input: a one-line message and exit code 2, no stack trace', async () => {
    const { stderr, exitCode } = await execa('node', ['bin/berth.js', 'simulate', '--on', 'TERM=sometimes', '0 stop'], { reject: false });
    expect(exitCode).toBe(2);
    expect(stderr.trim()).toBe('berth: unknown reaction "sometimes": use die, ignore, exit:CODE, exit-after:S[:CODE] or fail');
  });
});

describe('the README examples', () => {
  it('a 4 s drain with a 3 s stop timeout ends in SIGKILL at 3.000 s', async () => {
    const { timeline, final } = await simulate({
      container: { stopTimeout: 3 },
      behaviour: { signals: { 15: { exitAfterMs: 4_000, exit: 0 } } },
      script: [{ at: 0, command: 'stop' }],
    });
    expect(final).toMatchObject({ exitCode: 137 });
    expect(timeline.find((e) => e.signal === 'SIGKILL')?.at).toBe(3_000);
  });

  it('an engine on a simulated clock with the fake runtime', async () => {
    const { createEngine } = await import('../../src/index.js');
    const { createFakeRuntime, SimulatedClock } = await import('../../src/testing/index.js');
    const clock = new SimulatedClock();
    const fake = createFakeRuntime({ clock, behaviour: () => ({ signals: { 15: 'ignore' } }) });
    const engine = createEngine({ runtime: fake.logic, clock });
    await engine.create({ name: 'web', cmd: ['server'], stopTimeout: 10 });
    await engine.start('web');
    const stopped = engine.stop('web');
    clock.increment(10_000);
    await stopped;
    expect(engine.inspect('web').State.ExitCode).toBe(137);
    expect(fake.signals.map((s) => [s.at, s.signal])).toEqual([[0, 15], [10_000, 9]]);
  });
});
