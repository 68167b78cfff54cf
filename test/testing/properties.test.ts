// Property-based fuzzing: random command sequences, process behaviours, exits and clock advances
// against the engine with the fake runtime on a SimulatedClock. Each invariant is a named check;
// fast-check shrinks a failure to a short counterexample. BERTH_FUZZ_RUNS=20000 for a long run.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine, type DockerEvent } from '../../src/index.js';
import { createFakeRuntime, SimulatedClock, type FakeBehaviour, type SignalReaction } from '../../src/testing/index.js';

type Command =
  | { do: 'start' } | { do: 'stop'; t: number } | { do: 'kill'; signal: number } | { do: 'pause' } | { do: 'unpause' }
  | { do: 'restart'; t: number } | { do: 'remove'; force: boolean } | { do: 'crash'; code: number } | { do: 'advance'; ms: number };

interface Scenario {
  behaviour: FakeBehaviour;
  restart: string;
  commands: Command[];
}

const runs = Number(process.env.BERTH_FUZZ_RUNS ?? 2_000);
const stepMs = 100;
const slackMs = stepMs;

const reaction: fc.Arbitrary<SignalReaction> = fc.oneof(
  fc.constant<SignalReaction>('die'), fc.constant<SignalReaction>('ignore'), fc.constant<SignalReaction>('fail-delivery'),
  fc.record({ exit: fc.constantFrom(0, 3) }), fc.record({ exitAfterMs: fc.constantFrom(500, 3_000, 15_000) }),
);
const scenario: fc.Arbitrary<Scenario> = fc.record({
  behaviour: fc.record({
    signals: fc.record({ 15: reaction, 1: reaction, default: reaction }),
    sigkill: fc.constantFrom<'die' | 'survive'>('die', 'die', 'die', 'survive'),
    directKill: fc.constantFrom<'die' | 'survive'>('die', 'survive'),
  }),
  restart: fc.constantFrom('no', 'always', 'on-failure:2', 'unless-stopped'),
  commands: fc.array(fc.oneof(
    fc.constant<Command>({ do: 'start' }),
    fc.record({ do: fc.constant('stop' as const), t: fc.constantFrom(-1, 0, 1, 5, 10) }),
    fc.record({ do: fc.constant('kill' as const), signal: fc.constantFrom(9, 15, 1) }),
    fc.constant<Command>({ do: 'pause' }), fc.constant<Command>({ do: 'unpause' }),
    fc.record({ do: fc.constant('restart' as const), t: fc.constantFrom(0, 2) }),
    fc.record({ do: fc.constant('remove' as const), force: fc.boolean() }),
    fc.record({ do: fc.constant('crash' as const), code: fc.constantFrom(0, 1, 137) }),
    fc.record({ do: fc.constant('advance' as const), ms: fc.constantFrom(100, 1_000, 2_000, 10_000, 30_000) }),
  ), { maxLength: 14 }),
});

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Runs a scenario and returns the first invariant it breaks, or null. */
async function check(s: Scenario): Promise<string | null> {
  const clock = new SimulatedClock();
  clock.set(1_800_000_000_000);
  const fake = createFakeRuntime({ clock, behaviour: () => s.behaviour });
  const engine = createEngine({ runtime: fake.logic, clock });
  const events: DockerEvent[] = [];
  const stream = engine.events();
  void (async () => { for await (const e of stream) events.push(e); })();
  const { id } = await engine.create({ name: 'fuzz', cmd: ['x'], restart: s.restart });
  const pending: Array<{ what: string; settled: boolean; issuedAt: number; settledAt?: number; t?: number }> = [];
  const issue = (what: string, promise: Promise<unknown>, t?: number) => {
    const record = { what, settled: false, issuedAt: clock.now(), t } as (typeof pending)[number];
    pending.push(record);
    void promise.then(() => 'ok', () => 'error').then(() => { record.settled = true; record.settledAt = clock.now(); });
  };
  const advance = async (ms: number) => {
    for (let left = ms; left > 0; left -= stepMs) {
      clock.increment(Math.min(stepMs, left));
      await flush();
      if (engine.actor.getSnapshot().status !== 'active') return;
    }
  };
  let sigkillAsked = false;
  let failure: string | null = null;
  const statusNow = () => { try { return engine.inspect(id).State.Status; } catch { return 'removed'; } };
  for (const c of s.commands) {
    const wasPaused = statusNow() === 'paused';
    switch (c.do) {
      case 'start': issue('start', engine.start(id)); break;
      case 'stop': issue(`stop -t ${c.t}`, engine.stop(id, { timeout: c.t }), c.t); if (c.t >= 0) sigkillAsked = true; break;
      case 'kill': issue(`kill ${c.signal}`, engine.kill(id, { signal: c.signal })); if (c.signal === 9) sigkillAsked = true; break;
      case 'pause': issue('pause', engine.pause(id)); break;
      case 'unpause': issue('unpause', engine.unpause(id)); break;
      case 'restart': issue(`restart -t ${c.t}`, engine.restart(id, { timeout: c.t }), c.t); sigkillAsked = true; break;
      case 'remove': issue(`rm${c.force ? ' -f' : ''}`, engine.remove(id, { force: c.force })); if (c.force) sigkillAsked = true; break;
      case 'crash': fake.exit(id, c.code); break;
      case 'advance': await advance(c.ms); break;
    }
    await flush();
    if (engine.actor.getSnapshot().status !== 'active') return 'supervisorNeverFails: the supervisor left the active state';
    const stopping = c.do === 'stop' || c.do === 'restart' || (c.do === 'remove' && c.force) || (c.do === 'kill' && (c.signal === 9 || c.signal === 15));
    if (wasPaused && stopping && fake.processes.some((p) => p.exitedAt === null && p.frozen)) {
      return 'pausedStopThaws: a paused container was stopped or killed and left frozen';
    }
  }
  // Drain: let every ladder run out, then end whatever process still runs so waits can finish.
  await advance(60_000);
  fake.exit(id, 0);
  await advance(30_000);

  const checks: Array<[string, () => boolean]> = [
    ['noSignalAfterExit: a signal reached a process after its exit was reported', () => fake.signals.every((sig) => !sig.afterExit)],
    ['stopEndsInTime: a stop with t >= 0 took longer than max(t, 2 s) + 12 s', () => pending.every((p) =>
      !p.what.startsWith('stop') || p.t! < 0 || (p.settled && p.settledAt! - p.issuedAt <= Math.max(p.t! * 1000, 2_000) + 12_000 + slackMs))],
    ['negativeTimeoutNeverKills: SIGKILL was sent though nothing asked for it', () =>
      sigkillAsked || fake.signals.every((sig) => sig.signal !== 9)],
    ['dieBeforeStop: a stop event came before the die of its run', () => {
      let last = '';
      for (const e of events) {
        if (e.Action === 'stop' && last === 'start') return false;
        if (e.Action === 'start' || e.Action === 'die') last = e.Action;
      }
      return true;
    }],
    ['exitCodes: die codes are the runtime\'s exit codes (128 + signal for a death by signal)', () => {
      const codes = events.filter((e) => e.Action === 'die').map((e) => Number(e.Actor.Attributes.exitCode));
      const exits = fake.processes.filter((p) => p.exitCode !== null).sort((a, b) => a.exitedAt! - b.exitedAt!).map((p) => p.exitCode!);
      return codes.length <= exits.length && codes.every((code, i) => code === exits[i]);
    }],
    ['pausedStopThaws: a process still frozen though its container is not paused', () => {
      let status: string;
      try { status = engine.inspect(id).State.Status; } catch { status = 'removed'; }
      return fake.processes.every((p) => p.exitedAt !== null || !p.frozen || status === 'paused');
    }],
    ['supervisorNeverFails: the supervisor left the active state', () => engine.actor.getSnapshot().status === 'active'],
    ['everyCommandAnswered: a command was never answered', () => pending.every((p) => p.settled)],
  ];
  for (const [name, holds] of checks) {
    if (!holds()) { failure = name; break; }
  }
  const down = engine.shutdown({ timeout: 0 });
  for (let i = 0; i < 20; i++) { clock.increment(1_000); await flush(); }
  await down;
  return failure;
}

describe('properties of the engine under random commands, exits and clock advances', () => {
  it(`holds every invariant over ${runs} random scenarios`, async () => {
    await fc.assert(fc.asyncProperty(scenario, async (s) => {
      const broken = await check(s);
      expect(broken, JSON.stringify(s)).toBeNull();
    }), { numRuns: runs });
  }, 600_000);
});
