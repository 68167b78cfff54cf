// simulate(): a container, a scripted process and a script of commands, run on a manual clock
// through the real engine and machines, returning the exact timeline of states, signals, timers,
// events and replies. Settles "what will my stop timeout / restart policy actually do" at once.
import { createFakeRuntime, type FakeBehaviour } from '../actors/fake.js';
import type { ContainerEmitted } from '../machines/records.js';
import { containerActorId } from '../machines/supervisor.js';
import type { Timings } from '../machines/spec.js';
import { createEngine, type Engine } from './engine.js';
import { InvalidArgumentError } from './errors.js';
import { ManualClock } from './manual-clock.js';
import { signalName } from './signals.js';
import type { CreateOptions } from './spec.js';

/** One command of a simulation script: `at` seconds after the start, a docker-style command. */
export interface ScriptStep {
  at: number;
  /** start | stop [-t N] [-s SIG] | kill [-s SIG] | pause | unpause | restart [-t N] | rm [-f] | exit [CODE] */
  command: string;
}

export interface SimulateOptions {
  /** The container; `cmd` defaults to a placeholder, since nothing is run. */
  container?: Partial<CreateOptions>;
  /** How the simulated process reacts (berth/testing's FakeBehaviour). */
  behaviour?: FakeBehaviour;
  /** Commands to run; the container is started at 0 s unless the script starts it. */
  script: ScriptStep[];
  timings?: Partial<Timings>;
  /** Seconds to run after the last command (default 120, enough for every ladder). */
  settle?: number;
}

export interface TimelineEntry {
  /** Milliseconds since the simulation began. */
  at: number;
  kind: 'command' | 'step' | 'event' | 'reply';
  text: string;
  state?: string;
  signal?: string;
  timerMs?: number;
  exitCode?: number;
}

export interface SimulationResult {
  timeline: TimelineEntry[];
  final: { status: string; exitCode: number; machineState: string } | { status: 'removed' };
}

type Parsed = { run: (engine: Engine, ref: string) => Promise<unknown> } | { exit: number };

/**
 * Runs a simulation.
 * @example
 * const { timeline } = await simulate({
 *   behaviour: { signals: { 15: 'ignore' } },
 *   script: [{ at: 0, command: 'stop -t 10' }],
 * });
 * // SIGTERM at 0 s, SIGKILL at 10.000 s, exited 137
 */
export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  const clock = new ManualClock(0);
  const fake = createFakeRuntime({ clock, behaviour: () => options.behaviour ?? {} });
  const engine = createEngine({ runtime: fake.logic, clock, timings: options.timings });
  const timeline: TimelineEntry[] = [];
  const script = options.script.map((step) => ({ ...step, parsed: parseScriptCommand(step.command), ms: toMs(step.at) }))
    .sort((a, b) => a.ms - b.ms);
  const { id, name } = await engine.create({ cmd: ['simulated'], ...options.container });
  engine.actor.system.get(containerActorId({ id, name }))!.on('*', (event: ContainerEmitted) => {
    const entry = toEntry(event, clock.now());
    if (entry) timeline.push(entry);
  });
  const flush = async () => { for (let i = 0; i < 5; i++) await Promise.resolve(); };

  if (!script.some((step) => step.command.trim().startsWith('start') || step.ms === 0 && step.command.startsWith('restart'))) {
    await engine.start(id);
  }
  const run = async (label: string, parsed: Parsed) => {
    timeline.push({ at: clock.now(), kind: 'command', text: label });
    if ('exit' in parsed) {
      if (!fake.exit(id, parsed.exit)) timeline.push({ at: clock.now(), kind: 'reply', text: `${label}: no process is running` });
      return;
    }
    const settled = (outcome: string) => timeline.push({ at: clock.now(), kind: 'reply', text: `${label}: ${outcome}` });
    parsed.run(engine, id).then(() => settled('ok'), (error: Error) => settled(`error: ${error.message}`));
  };
  const advanceTo = async (target: number) => {
    for (let due = clock.nextDue(); due !== undefined && due <= target; due = clock.nextDue()) {
      clock.advanceTo(due);
      await flush();
    }
    clock.advanceTo(target);
    await flush();
  };
  for (const step of script) {
    await advanceTo(step.ms);
    await run(step.command, step.parsed);
    await flush();
  }
  await advanceTo(clock.now() + toMs(options.settle ?? 120));

  let final: SimulationResult['final'];
  try {
    const inspected = engine.inspect(id);
    final = { status: inspected.State.Status, exitCode: inspected.State.ExitCode, machineState: inspected.Berth.MachineState };
  } catch {
    final = { status: 'removed' };
  }
  const down = engine.shutdown({ timeout: 0 });
  await advanceTo(clock.now() + 60_000);
  await down;
  return { timeline, final };
}

/** The timeline as aligned text lines: time, kind, what happened. */
export function formatTimeline(timeline: TimelineEntry[]): string {
  return timeline.map((entry) => `${(entry.at / 1000).toFixed(3).padStart(9)} s  ${entry.kind.padEnd(7)}  ${entry.text}`).join('\n');
}

function toEntry(event: ContainerEmitted, at: number): TimelineEntry | undefined {
  if (event.type === 'step') {
    const { step } = event;
    const signal = step.signal === undefined ? undefined : signalName(step.signal);
    const parts = [step.state.padEnd(12), signal ? `${signal.padEnd(8)} ` : '', step.cause];
    if (step.timerMs !== undefined) parts.push(` (timer ${(step.timerMs / 1000).toFixed(3)} s)`);
    return {
      at, kind: 'step', text: parts.join(''), state: step.state, signal,
      ...(step.timerMs === undefined ? {} : { timerMs: step.timerMs }), ...(step.exitCode === undefined ? {} : { exitCode: step.exitCode }),
    };
  }
  if (event.type === 'lifecycle') {
    const { signal, exitCode } = event.attributes;
    const detail = signal ? ` signal=${signal} (${signalName(Number(signal))})` : exitCode ? ` exitCode=${exitCode}` : '';
    return { at, kind: 'event', text: `${event.action}${detail}` };
  }
  return undefined;
}

function toMs(seconds: number): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidArgumentError(`Expected a script time to be a number of seconds of 0 or more, got ${JSON.stringify(seconds)}`);
  }
  return Math.round(seconds * 1000);
}

/** Parses a docker-style script command, e.g. "stop -t 10 -s SIGINT", "kill -s HUP", "rm -f". */
export function parseScriptCommand(text: string): Parsed {
  const [verb = '', ...args] = text.trim().split(/\s+/);
  const flags = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-t' || arg === '--time' || arg === '-s' || arg === '--signal') {
      const value = args[++i];
      if (value === undefined) throw new InvalidArgumentError(`"${text}": ${arg} needs a value`);
      flags.set(arg.startsWith('--') ? arg.slice(2, 3) : arg.slice(1), value);
    } else if (arg === '-f' || arg === '--force') flags.set('f', true);
    else rest.push(arg);
  }
  const timeout = flags.has('t') ? Number(flags.get('t')) : undefined;
  if (timeout !== undefined && !Number.isFinite(timeout)) throw new InvalidArgumentError(`"${text}": -t takes a number of seconds`);
  const signal = flags.get('s') as string | undefined;
  switch (verb) {
    case 'start': return { run: (e, ref) => e.start(ref) };
    case 'stop': return { run: (e, ref) => e.stop(ref, { timeout, signal }) };
    case 'restart': return { run: (e, ref) => e.restart(ref, { timeout, signal }) };
    case 'kill': return { run: (e, ref) => e.kill(ref, { signal }) };
    case 'pause': return { run: (e, ref) => e.pause(ref) };
    case 'unpause': return { run: (e, ref) => e.unpause(ref) };
    case 'rm': return { run: (e, ref) => e.remove(ref, { force: flags.has('f') }) };
    case 'exit': {
      const code = rest[0] === undefined ? 0 : Number(rest[0]);
      if (!Number.isInteger(code) || code < 0 || code > 255) throw new InvalidArgumentError(`"${text}": exit takes a code from 0 to 255`);
      return { exit: code };
    }
    default:
      throw new InvalidArgumentError(`unknown script command "${text}": use start, stop [-t N] [-s SIG], kill [-s SIG], pause, unpause, restart [-t N], rm [-f] or exit [CODE]`);
  }
}
