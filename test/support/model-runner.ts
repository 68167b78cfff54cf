// Runs one path of the container test model against a real engine (puppet or process runtime)
// and checks, after every step, that the engine's inspect() and events match the model's.
import { expect } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { createPuppetRuntime } from '../../src/actors/puppet.js';
import { containerMachine, type ContainerEvent } from '../../src/machines/container.js';
import type { ContainerEmitted } from '../../src/machines/records.js';
import { createEngine, type DockerEvent, type Engine } from '../../src/index.js';
import { machineStatePath, stateOf } from '../../src/runtime/inspect.js';
import { modelSpec, modelTimings, timerEvents, type ContainerSnapshotOf } from '../../src/testing/model.js';
import { until } from './real-engine.js';

export interface ModelStep {
  event: ContainerEvent | { type: string };
  state: ContainerSnapshotOf;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/** What of the model's State the engine must show (times and pids differ between runs). */
function observable(state: ReturnType<typeof stateOf>) {
  const { Status, Running, Paused, Restarting, ExitCode } = state;
  return { Status, Running, Paused, Restarting, ExitCode };
}

function describeEvent(event: { Action: string; Actor: { Attributes: Record<string, string> } } | Extract<ContainerEmitted, { type: 'lifecycle' }>): string {
  const action = 'Action' in event ? event.Action : event.action;
  const attributes = 'Actor' in event ? event.Actor.Attributes : event.attributes;
  return action === 'kill' ? `kill ${attributes.signal}` : action === 'die' ? `die ${attributes.exitCode}` : action;
}

/** The delay a timer event stands for in the model state before it fires; undefined if that state has no such timer. */
export function timerDelay(type: string, before: ContainerSnapshotOf): number | undefined {
  const { context } = before;
  const state = type.split('.').slice(4).join('.');
  if (machineStatePath(before.value) !== state) return undefined;
  switch (type) {
    case timerEvents.stopTimeout: return context.stopRequest!.timeoutMs;
    case timerEvents.signalFailureGrace: return context.timings.signalFailureGraceMs;
    case timerEvents.killWait: return context.timings.killWaitMs;
    case timerEvents.directKillWait: return context.timings.directKillWaitMs;
    case timerEvents.restartBackoff: return context.restart.delayMs!;
    default: throw new Error(`not a timer event: ${type}`);
  }
}

/**
 * The bare machine with a puppet runtime, fed the same events as the engine: it says which state
 * and events the engine must show. `feed` returns a timer event's delay (undefined when the
 * replayed state has no such timer: a path generated on the coarse key may ask for one, and
 * then the step is a no-op for both).
 */
function startReference() {
  const clock = new SimulatedClock();
  const puppet = createPuppetRuntime();
  const reference = createActor(containerMachine.provide({ actors: { runtime: puppet.logic } }), {
    clock, input: { spec: modelSpec, timings: modelTimings },
  });
  const expected: string[] = [];
  reference.on('lifecycle', (event) => expected.push(describeEvent(event)));
  reference.start();
  const feed = (event: ContainerEvent): number | undefined => {
    if (event.type.startsWith('xstate.after.')) {
      const delay = timerDelay(event.type, reference.getSnapshot());
      if (delay !== undefined) clock.increment(delay);
      return delay;
    }
    if (event.type.startsWith('runtime.')) puppet.report(modelSpec.id, event as never);
    else if (reference.getSnapshot().status === 'active') reference.send(event);
    return undefined;
  };
  return { reference, expected, feed };
}

/** Sends a model command to the engine the way a user would, ignoring its outcome. */
export function sendCommand(engine: Engine, ref: string, event: ContainerEvent): boolean {
  const settle = (promise: Promise<unknown>) => void promise.catch(() => {});
  switch (event.type) {
    case 'start': settle(engine.start(ref)); return true;
    case 'stop': settle(engine.stop(ref, event.timeoutMs === undefined ? {} : { timeout: event.timeoutMs / 1000 })); return true;
    case 'restart': settle(engine.restart(ref, event.timeoutMs === undefined ? {} : { timeout: event.timeoutMs / 1000 })); return true;
    case 'kill': settle(engine.kill(ref, { signal: event.signal })); return true;
    case 'pause': settle(engine.pause(ref)); return true;
    case 'unpause': settle(engine.unpause(ref)); return true;
    case 'remove': settle(engine.remove(ref, { force: event.force })); return true;
    default: return false;
  }
}

/** Runs a path on an engine with the puppet runtime and a SimulatedClock: every step checked exactly. */
export async function runModelPathOnPuppet(steps: ModelStep[]): Promise<void> {
  const clock = new SimulatedClock();
  clock.set(1_800_000_000_000);
  const puppet = createPuppetRuntime();
  const engine = createEngine({ runtime: puppet.logic, clock, timings: modelTimings });
  const seen: DockerEvent[] = [];
  const stream = engine.events();
  void (async () => { for await (const event of stream) seen.push(event); })();

  const { reference, expected, feed } = startReference();

  const { id } = await engine.create({ name: modelSpec.name, cmd: ['model'], stopSignal: 15, restart: 'on-failure', image: 'model' });
  try {
    // The oracle is the replayed reference, which sees exactly these events (not step.state:
    // paths generated on a coarse key share snapshots between events that lead to the same key).
    for (const [index, { event: raw }] of steps.entries()) {
      const event = raw as ContainerEvent;
      if (event.type === ('xstate.init' as string)) continue;
      const delay = feed(event);
      if (event.type.startsWith('xstate.after.')) {
        if (delay === undefined) continue;
        clock.increment(delay);
      } else if (event.type.startsWith('runtime.')) {
        puppet.report(id, event as never);
      } else {
        sendCommand(engine, id, event);
      }
      await flush();
      const where = `step ${index} of ${steps.map((s) => s.event.type).join(' > ')}`;
      const model = reference.getSnapshot();
      if (model.value === 'removed') {
        expect(() => engine.inspect(id), where).toThrow(/No such container/);
      } else {
        const inspected = engine.inspect(id);
        expect(inspected.Berth.MachineState, where).toBe(machineStatePath(model.value));
        expect(observable(inspected.State), where).toEqual(observable(stateOf(model)));
      }
      expect(seen.filter((e) => e.Action !== 'create').map(describeEvent), where).toEqual(expected);
    }
  } finally {
    reference.stop();
    // The shutdown's timers run on the simulated clock too: move it until the engine is down.
    let down = false;
    const shutdown = engine.shutdown({ timeout: 0 }).then(() => { down = true; });
    for (let i = 0; i < 10 && !down; i++) {
      clock.increment(1_000);
      await flush();
    }
    await shutdown;
  }
}

/** Model states a real process cannot be held in: its signals are always delivered and SIGKILL always lands. */
export const unrealizableStates = ['alive.stopping.signalFailed', 'alive.killing.directKill', 'alive.killing.stuck'];

// A process that exits 0 on USR1 and 1 on USR2 (the model's "runtime.exited"), and ignores TERM
// and HUP so that only the ladder's SIGKILL ends it otherwise.
const realCommand = ['sh', '-c', 'trap "exit 0" USR1; trap "exit 1" USR2; trap "" TERM HUP; echo ready; while :; do sleep 0.05; done'];

/**
 * Runs a path against the real process runtime: runtime reports happen by themselves (or by a
 * signal from outside for an exit), timers run in real time. After every step the engine must
 * pass through the model's machine state; SIGKILL lands at once, so `killing.awaitingExit` is
 * passed through on the way to the exit.
 */
export async function runModelPathOnProcesses(engine: Engine, name: string, steps: ModelStep[]): Promise<void> {
  const { reference, feed } = startReference();
  const { id } = await engine.create({ name, cmd: realCommand, stopSignal: 15, restart: 'on-failure', image: 'model' });
  const visited: string[] = [];
  const actor = engine.actor.system.get(`container:${name}:${id.slice(0, 12)}`)!;
  actor.subscribe((snapshot: { value: unknown }) => visited.push(machineStatePath(snapshot.value)));
  const where = (index: number) => `step ${index} of ${steps.map((s) => s.event.type).join(' > ')}`;
  try {
    for (const [index, { event: raw }] of steps.entries()) {
      const event = raw as ContainerEvent;
      if (event.type === ('xstate.init' as string)) continue;
      const mark = visited.length;
      feed(event); // timers run in real time on the engine's side; reports happen by themselves
      if (event.type === 'runtime.exited' && !engine.inspect(id).Berth.MachineState.startsWith('exited')) {
        const pid = engine.inspect(id).State.Pid;
        if (pid) process.kill(pid, event.exitCode === 0 ? 'SIGUSR1' : 'SIGUSR2');
      } else if (!event.type.startsWith('runtime.') && !event.type.startsWith('xstate.after.')) {
        sendCommand(engine, id, event);
      }
      const model = reference.getSnapshot();
      const expected = model.value === 'removed' ? 'removed' : machineStatePath(model.value);
      await until(() => {
        if (expected === 'removed') return isRemoved(engine, id);
        const seen = visited.slice(mark).concat(engine.inspect(id).Berth.MachineState);
        return seen.includes(expected) || (expected.startsWith('alive.killing') && engine.inspect(id).State.ExitCode === 137 && !engine.inspect(id).State.Running);
      }, 5_000, `${where(index)}: the engine to pass through ${expected} (visited: ${visited.slice(mark).join(', ')})`);
      if (event.type === 'start' || event.type === 'restart' || (event.type as string) === 'runtime.started') {
        await until(() => isRemoved(engine, id) || engine.logs(id).some((l) => l.text === 'ready') || !engine.inspect(id).State.Running, 5_000, `${where(index)}: the process to be ready`);
      }
    }
  } finally {
    reference.stop();
  }
}

function isRemoved(engine: Engine, id: string): boolean {
  try {
    engine.inspect(id);
    return false;
  } catch {
    return true;
  }
}

