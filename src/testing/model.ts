// The container machine as a test model: the events a test can drive (commands with real
// payloads, runtime reports, timers), a state key small enough for path generation to stay
// bounded, and a TestModel ready to generate paths (@xstate/graph v3).
import { TestModel } from '@xstate/graph';
import type { AnyStateMachine, SnapshotFrom } from 'xstate';
import { containerMachine, type ContainerEvent } from '../machines/container.js';
import type { ContainerSpec, Timings } from '../machines/spec.js';

export type ContainerSnapshotOf = SnapshotFrom<typeof containerMachine>;

/** The delayed events of the container machine, by the state that arms them. */
export const timerEvents = {
  stopTimeout: 'xstate.after.stopTimeout.container.alive.stopping.graceful',
  signalFailureGrace: 'xstate.after.signalFailureGrace.container.alive.stopping.signalFailed',
  killWait: 'xstate.after.killWait.container.alive.killing.awaitingExit',
  directKillWait: 'xstate.after.directKillWait.container.alive.killing.directKill',
  restartBackoff: 'xstate.after.restartBackoff.container.restarting',
} as const;

/** The model's container: on-failure restarts, so every state is reachable; SIGTERM as stop signal. */
export const modelSpec: ContainerSpec = {
  id: 'b'.repeat(64), name: 'model', cmd: ['model'], env: {}, stopSignal: 15,
  restart: { name: 'on-failure', maximumRetryCount: 0 }, autoRemove: false, init: false, labels: {}, image: 'model', createdAt: 0,
};

/** Short timings so the same paths also run against real processes. */
export const modelTimings: Partial<Timings> = { killWaitMs: 300, directKillWaitMs: 200, signalFailureGraceMs: 200 };

/** The model's pid for every run. */
export const modelPid = 4242;

const requestId = 'model';

/** The events a test can drive in a given snapshot; reports carry the current generation. */
export function modelEvents(snapshot: ContainerSnapshotOf): ContainerEvent[] {
  const { context } = snapshot;
  const generation = context.generation;
  const events: ContainerEvent[] = [
    { type: 'start', requestId },
    { type: 'stop', requestId, timeoutMs: 1_000 },
    { type: 'stop', requestId, timeoutMs: -1 },
    { type: 'kill', requestId, signal: 9 },
    { type: 'kill', requestId, signal: 15 },
    { type: 'kill', requestId, signal: 1 },
    { type: 'pause', requestId },
    { type: 'unpause', requestId },
    { type: 'restart', requestId, timeoutMs: 1_000 },
    { type: 'remove', requestId, force: false },
    { type: 'remove', requestId, force: true },
  ];
  if (snapshot.matches({ alive: 'starting' })) {
    events.push({ type: 'runtime.started', generation, pid: modelPid });
  }
  if (snapshot.matches('alive') && !snapshot.matches({ alive: 'starting' })) {
    events.push({ type: 'runtime.exited', generation, exitCode: 0 }, { type: 'runtime.exited', generation, exitCode: 1 });
  }
  const pending = context.signals.pending[0];
  if (pending) {
    events.push({ type: 'runtime.signalDelivered', generation, seq: pending.seq });
    if (pending.signal !== 9) events.push({ type: 'runtime.signalFailed', generation, seq: pending.seq, code: 'EPERM', message: 'operation not permitted' });
  }
  if (context.waiters.some((w) => w.kind === 'pause')) events.push({ type: 'runtime.frozen', generation });
  if (context.waiters.some((w) => w.kind === 'unpause') || (context.frozen && !snapshot.matches({ alive: 'paused' }))) {
    events.push({ type: 'runtime.thawed', generation });
  }
  for (const type of Object.values(timerEvents)) {
    const state = type.split('.').slice(4).join('.');
    if (snapshot.matches(pathToValue(state) as never)) events.push({ type } as unknown as ContainerEvent);
  }
  return events;
}

/**
 * The bound of the simple-path suite: two model states are the same when the machine state and
 * whether a freeze or thaw is pending are. Simple paths never revisit such a state.
 */
export function serializeModelState(snapshot: ContainerSnapshotOf): string {
  const pending = snapshot.context.waiters.some((w) => w.kind === 'pause' || w.kind === 'unpause');
  return JSON.stringify([snapshot.value, snapshot.status, pending]);
}

/**
 * The simple-path suite's events: the model's, less the variants that only repeat another's
 * transition (kill with the stop signal, remove without force, a clean exit), so that the number
 * of simple paths stays in the low thousands. The shortest-path suite uses them all.
 */
export function simplePathEvents(snapshot: ContainerSnapshotOf): ContainerEvent[] {
  return modelEvents(snapshot).filter((event) =>
    !(event.type === 'kill' && event.signal === 15) && !(event.type === 'remove' && !event.force)
    && !(event.type === 'runtime.exited' && event.exitCode === 0));
}

/** A finer key: also every flag and pending request that changes behaviour (for shortest paths). */
export function serializeDetailedModelState(snapshot: ContainerSnapshotOf): string {
  const c = snapshot.context;
  return JSON.stringify([
    snapshot.value, snapshot.status, c.frozen, c.stuck, c.requested.restart, c.requested.remove, c.requested.afterStart.length > 0, c.startedAt !== null,
    c.stopRequest?.timeoutMs ?? null, unique(c.signals.pending.map((d) => d.signal)), unique(c.waiters.map((w) => w.kind)),
    c.restart.canceled, c.restart.manuallyStopped, c.exitCode,
  ]);
}

/**
 * A ready TestModel of the container machine.
 * @example
 * const model = createContainerTestModel();
 * for (const path of model.getShortestPaths()) console.log(path.description);
 */
export function createContainerTestModel() {
  return new TestModel(containerMachine as unknown as AnyStateMachine, {
    input: { spec: modelSpec, timings: modelTimings },
    events: modelEvents as never,
    serializeState: serializeModelState as never,
    stateMatcher: (snapshot: ContainerSnapshotOf, key: string) => key === '*' || snapshot.matches(key as never),
  });
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)].sort();
}

function pathToValue(path: string): Record<string, unknown> | string {
  const [head, ...rest] = path.split('.');
  return rest.length === 0 ? head! : { [head!]: pathToValue(rest.join('.')) };
}
