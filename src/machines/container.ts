// One container's lifecycle as a statechart. Docker's stop path (docker-lifecycle.md (b)-(f),
// seed-docker-stop.txt) becomes timed transitions: stop signal, stop timeout (or the 2 s grace
// when the signal could not be delivered), SIGKILL, kill wait, direct kill, and `stuck`, where the
// stop is reported failed but the machine keeps waiting for the exit without a timer.
// The machine is pure: the runtime actor, the clock and the parent are supplied from outside.
import { assign, emit, fromCallback, setup } from 'xstate';
import { maxTimerMs, nowOf, timerDelay } from './clock.js';
import type { RuntimeCommand, RuntimeInput, RuntimeReport } from './protocol.js';
import { eventAttributes, type ContainerEmitted, type ErrorKind, type FlowStep, type LifecycleAction, type WaitCondition, type WaitResult } from './records.js';
import { actionQueueFor, type ActionQueue } from './queue-actions.js';
import { decideRestart, type RestartDecision } from './restart.js';
import { SIGKILL, SIGTERM, defaultTimings, type ContainerSpec, type Timings } from './spec.js';

export type ContainerCommand =
  | { type: 'start'; requestId: string }
  | { type: 'stop'; requestId: string; timeoutMs?: number; signal?: number; cause?: 'user' | 'shutdown' }
  | { type: 'kill'; requestId: string; signal: number }
  | { type: 'pause'; requestId: string }
  | { type: 'unpause'; requestId: string }
  | { type: 'restart'; requestId: string; timeoutMs?: number; signal?: number }
  | { type: 'remove'; requestId: string; force: boolean }
  | { type: 'wait'; requestId: string; condition: WaitCondition }
  | { type: 'wait.cancel'; requestId: string }
  /** The engine checked the name (unique, valid); the machine only records it. */
  | { type: 'rename'; name: string };

/** What a restarted engine knew of a container: its last state, read back from the state dir. */
export interface RestoredState {
  status: 'created' | 'exited';
  exitCode: number;
  error: string;
  startedAt: number | null;
  finishedAt: number | null;
  restartCount: number;
  manuallyStopped: boolean;
  generation: number;
}

/** Sent by the engine only, right after it recreates a container from its state dir. */
export type ContainerRecovery =
  | { type: 'restore'; state: RestoredState }
  | { type: 'adopt'; pid: number; startTime: string; startedAt: number; generation: number; restartCount: number; manuallyStopped: boolean };

export type ContainerEvent = ContainerCommand | RuntimeReport | ContainerRecovery;

type WaiterKind = 'start' | 'stop' | 'kill' | 'restart' | 'remove' | 'pause' | 'unpause' | `wait.${WaitCondition}`;
interface Waiter {
  requestId: string;
  kind: WaiterKind;
}

/** A signal sent and not yet confirmed; `requestId` is set for a kill that answers on delivery. */
interface Delivery {
  seq: number;
  signal: number;
  requestId?: string;
}

/** The stop in progress: resolved signal and timeout, and the seq of its signal. */
interface StopRequest {
  signal: number;
  timeoutMs: number;
  /** When SIGKILL is due (epoch ms on the engine clock); null: never. */
  deadlineAt: number | null;
  /** A later stop asked for an earlier deadline: the timer must be re-armed. */
  rearm: boolean;
  seq: number;
  cause: 'user' | 'shutdown';
}

/** A command sent while the process is being spawned that needs it running: kept until it runs. */
type QueuedCommand = Extract<ContainerCommand, { type: 'restart' | 'kill' | 'pause' }>;

/** The restart policy's memory, kept across runs. */
export interface RestartMemory {
  /** Policy restarts since the last manual start. */
  count: number;
  /** The back-off delay of the last restart (0: none yet, or reset). */
  backoffMs: number;
  /** The delay before the next policy start, set when an exit decides to restart. */
  delayMs: number | null;
  /** A stopping signal was sent in this run: the policy will not restart it (Docker's ExitOnNext). */
  canceled: boolean;
  /** Docker's HasBeenManuallyStopped, set only by stopping signals (fixes moby#26087). */
  manuallyStopped: boolean;
}

/** Signals sent: the last sequence number, and those not yet confirmed. */
interface Signals {
  seq: number;
  pending: Delivery[];
}

/** The last stop flow; its steps are kept after the exit so it can be inspected. */
export interface StopFlow {
  steps: FlowStep[];
  startedAt: number | null;
  /** A stop flow is in progress: its steps are recorded until the exit. */
  active: boolean;
}

export interface ContainerInput {
  spec: ContainerSpec;
  timings?: Partial<Timings>;
}

export interface ContainerContext {
  spec: ContainerSpec;
  timings: Timings;
  /** Counts runs; reports from an older run are dropped (moby#46212). */
  generation: number;
  pid: number;
  startedAt: number | null;
  finishedAt: number | null;
  exitCode: number;
  error: string;
  restart: RestartMemory;
  frozen: boolean;
  stopRequest: StopRequest | null;
  /**
   * A restart or a removal asked for, carried out after the exit; and the commands sent while the
   * process was being spawned, carried out (in order) once it runs, as Docker queues them.
   */
  requested: { restart: boolean; remove: boolean; afterStart: QueuedCommand[] };
  signals: Signals;
  waiters: Waiter[];
  flow: StopFlow;
  stuck: boolean;
  /** The running process this run attaches to instead of starting one (after an engine restart). */
  adopt: { pid: number; startTime: string } | null;
}

/** A runtime that fails every start; the engine provides a real one with `.provide()`. */
const missingRuntime = fromCallback<RuntimeCommand, RuntimeInput>(({ input, sendBack }) => {
  sendBack({ type: 'runtime.startFailed', generation: input.generation, message: 'no runtime was provided to the container machine', exitCode: 128 });
});

/** The stop signal used when the call names none: the container's, else SIGTERM. */
export function effectiveStopSignal(spec: ContainerSpec): number {
  return spec.stopSignal ?? SIGTERM;
}

/** Stopping signals end the run on purpose: SIGKILL and the container's stop signal (docker-lifecycle.md (k).6). */
export function isStoppingSignal(spec: ContainerSpec, signal: number): boolean {
  return signal === SIGKILL || signal === effectiveStopSignal(spec);
}

const maxFlowSteps = 200;

// The container's actions queue XState's own (assign, emit, sendTo) through this, not enqueueActions:
// the same, without the old-generation garbage enqueueActions leaves at every call (queue-actions.ts).
const queueActions = actionQueueFor<ContainerContext, ContainerEvent, ContainerEmitted>();

export const containerMachine = setup({
  types: {
    context: {} as ContainerContext,
    input: {} as ContainerInput,
    events: {} as ContainerEvent,
    emitted: {} as ContainerEmitted,
  },
  actors: { runtime: missingRuntime },
  guards: {
    isStaleReport: ({ context, event }) => 'generation' in event && event.generation !== context.generation,
    isSigkill: ({ event }) => event.type === 'kill' && event.signal === SIGKILL,
    isForced: ({ event }) => event.type === 'remove' && event.force,
    hasStopTimeout: ({ context }) => (context.stopRequest?.timeoutMs ?? -1) >= 0,
    /** The stop or restart being taken from running or paused will arm a SIGKILL timer (a timeout of 0 or more). */
    stopWillTimeOut: ({ context, event }) => (event.type === 'stop' || event.type === 'restart') && requestedStopTimeout(context, event) >= 0,
    hasStopRequest: ({ context }) => context.stopRequest !== null,
    hasKillRequest: ({ context }) => context.waiters.some((w) => w.kind === 'kill' || w.kind === 'remove'),
    stopDeadlineMoved: ({ context }) => context.stopRequest?.rearm === true,
    isStopSignalFailure: ({ context, event }) =>
      event.type === 'runtime.signalFailed' && event.seq === context.stopRequest?.seq,
    isStoppingKill: ({ context, event }) => event.type === 'kill' && isStoppingSignal(context.spec, event.signal),
    waitsForNotRunning: ({ event }) => event.type === 'wait' && event.condition === 'not-running',
    restartRequested: ({ context }) => context.requested.restart,
    removeRequested: ({ context }) => context.requested.remove,
    /** The restart policy will start this exit's container again (decided as recordExit decides it). */
    exitWillRestart: ({ context, event }) => event.type === 'runtime.exited' && restartDecision(context, event.exitCode, 0).restart,
    isAutoRemove: ({ context }) => context.spec.autoRemove,
    restoresExited: ({ event }) => event.type === 'restore' && event.state.status === 'exited',
    hasNeverStarted: ({ context }) => context.startedAt === null,
  },
  delays: {
    stopTimeout: ({ context }) => timerDelay(context.stopRequest?.timeoutMs ?? 0),
    signalFailureGrace: ({ context }) => timerDelay(context.timings.signalFailureGraceMs),
    killWait: ({ context }) => timerDelay(context.timings.killWaitMs),
    directKillWait: ({ context }) => timerDelay(context.timings.directKillWaitMs),
    restartBackoff: ({ context }) => timerDelay(context.restart.delayMs ?? 0),
  },
  actions: {
    /** A start by the user: a new run, with the restart policy's memory cleared (Docker's manual start). */
    beginManualStart: queueActions(({ context, event, enqueue }) => {
      enqueue.assign({
        ...freshRun(context),
        restart: { count: 0, backoffMs: 0, delayMs: null, canceled: false, manuallyStopped: false },
        waiters: event.type === 'start' ? [...context.waiters, { requestId: event.requestId, kind: 'start' }] : context.waiters,
      });
    }),
    /** A start by the restart policy after its back-off. */
    beginPolicyStart: assign(({ context }) => freshRun(context)),
    recordStarted: queueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'runtime.started') return;
      const at = nowOf(system);
      if (context.adopt) {
        // Re-adopted after an engine restart: it did not start now, and no start event is due.
        const update: Update = { pid: event.pid, adopt: null };
        emitStep(enqueue, context, update, at, { state: 'running', cause: `adopted pid ${event.pid} after an engine restart` });
        enqueue.assign(update);
        return;
      }
      enqueue.emit(lifecycle(context, 'start', at));
      if (context.requested.restart) enqueue.emit(lifecycle(context, 'restart', at));
      const answered = context.waiters.filter((w) => w.kind === 'start' || (context.requested.restart && w.kind === 'restart'));
      for (const w of answered) enqueue.emit(ok(w.requestId));
      const update: Update = {
        pid: event.pid, startedAt: at, error: '', exitCode: 0,
        waiters: without(context.waiters, answered), requested: { ...context.requested, restart: false, afterStart: [] },
      };
      emitStep(enqueue, context, update, at, { state: 'running', cause: `started pid ${event.pid}` });
      enqueue.assign(update);
      // Handled after this step, in the state the start led to (running, or stopping or killing
      // for a stop or kill that was queued too), as if they had been sent just now.
      for (const command of context.requested.afterStart) enqueue.raise(command);
    }),
    applyRestore: assign(({ context, event }) => {
      if (event.type !== 'restore') return {};
      const { exitCode, error, startedAt, finishedAt, generation, restartCount, manuallyStopped } = event.state;
      return { exitCode, error, startedAt, finishedAt, generation, restart: { ...context.restart, count: restartCount, manuallyStopped } };
    }),
    applyAdopt: assign(({ context, event }) => {
      if (event.type !== 'adopt') return {};
      return {
        adopt: { pid: event.pid, startTime: event.startTime }, startedAt: event.startedAt, generation: event.generation,
        restart: { ...context.restart, count: event.restartCount, manuallyStopped: event.manuallyStopped },
      };
    }),
    recordStartFailure: queueActions(({ context, event, enqueue, system, self }) => {
      if (event.type !== 'runtime.startFailed') return;
      const at = nowOf(system);
      const kind: ErrorKind = event.exitCode === 127 || event.exitCode === 126 ? 'InvalidArgument' : 'System';
      const message = `cannot start container ${context.spec.name}: ${event.message}`;
      const result: WaitResult = { StatusCode: event.exitCode, Error: { Message: event.message } };
      // An rm -f sent during the start goes ahead: nothing runs, so the removal just happens.
      const notRunning = `container ${context.spec.name} is not running: its start failed: ${event.message}`;
      const failing = context.waiters.filter((w) => w.kind !== 'wait.removed' && w.kind !== 'remove');
      for (const w of failing) {
        if (w.kind.startsWith('wait.')) enqueue.emit(ok(w.requestId, result));
        else if (w.kind === 'kill') enqueue.emit(fail(w.requestId, 'Conflict', notRunning));
        else enqueue.emit(fail(w.requestId, kind, message));
      }
      // What was queued behind this start fails with it: a restart as its own start would, the
      // others as Docker's would on a container that is not running.
      for (const command of context.requested.afterStart) {
        if (command.type === 'restart') enqueue.emit(fail(command.requestId, kind, `Cannot restart container ${context.spec.name}: ${event.message}`));
        else enqueue.emit(fail(command.requestId, 'Conflict', notRunning));
      }
      const update: Update = {
        error: event.message, exitCode: event.exitCode, pid: 0,
        requested: { ...context.requested, restart: false, afterStart: [] }, waiters: without(context.waiters, failing),
      };
      emitStep(enqueue, context, update, at, { state: 'exited', cause: `start failed: ${event.message}`, exitCode: event.exitCode });
      enqueue.assign(update);
      notifyShutdown(enqueue, context, event, self);
    }),
    /** Registers a stop (or joins the one in progress); the signal goes out when `stopping` is entered. */
    acceptStop: queueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'stop' && event.type !== 'restart') return;
      enqueue.assign(stopAccepted(context, event, nowOf(system)));
    }),
    /**
     * A stop of a running or paused container: registered, and its signal recorded as sent, which
     * `stopping`'s entry does next. One assign for both, where acceptStop and sendStopSignal would
     * make two: XState clones the snapshot for each.
     */
    beginStop: queueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'stop' && event.type !== 'restart') return;
      const at = nowOf(system);
      const update = stopAccepted(context, event, at);
      recordStopSignal(enqueue, context, update.stopRequest!, update, at);
      enqueue.assign(update);
    }),
    /** Sends the stop signal (recorded by beginStop, or here for a stop that waited for the start), then thaws a paused container. */
    sendStopSignal: queueActions(({ context, enqueue, system }) => {
      const request = context.stopRequest;
      if (!request) return;
      if (context.signals.seq !== request.seq) {
        const update: Update = {};
        recordStopSignal(enqueue, context, request, update, nowOf(system));
        enqueue.assign(update);
      }
      enqueue.sendTo('runtime', { type: 'signal', seq: request.seq, signal: request.signal, scope: 'main' } satisfies RuntimeCommand);
      thawIfFrozen(enqueue, context);
    }),
    /** Registers a kill with SIGKILL; the signal goes out when `killing` is entered. */
    acceptKill: queueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'kill' && event.type !== 'remove') return;
      const kind: WaiterKind = event.type === 'kill' ? 'kill' : 'remove';
      enqueue.assign({
        waiters: [...context.waiters, { requestId: event.requestId, kind }],
        restart: { ...context.restart, canceled: true, manuallyStopped: true },
        requested: { ...context.requested, remove: context.requested.remove || event.type === 'remove' },
        ...(context.flow.active ? {} : { flow: { steps: [], startedAt: nowOf(system), active: true } }),
      });
    }),
    sendKillSignal: queueActions(({ context, event, enqueue, system }) => {
      const seq = context.signals.seq + 1;
      const at = nowOf(system);
      const update: Update = { stuck: false, signals: { seq, pending: [...context.signals.pending, { seq, signal: SIGKILL }] } };
      enqueue.sendTo('runtime', { type: 'signal', seq, signal: SIGKILL, scope: 'all' } satisfies RuntimeCommand);
      enqueue.emit(lifecycle(context, 'kill', at, { signal: String(SIGKILL) }));
      const cause = event.type.startsWith('xstate.after') ? 'the container did not exit in time'
        : event.type === 'runtime.started' ? 'a kill asked for while starting' : `${event.type} requested`;
      emitStep(enqueue, context, update, at, { state: 'killing', cause: `${cause}: SIGKILL to every process`, signal: SIGKILL, timerMs: context.timings.killWaitMs });
      enqueue.assign(update);
      thawIfFrozen(enqueue, context);
    }),
    killDirectly: queueActions(({ context, enqueue, system }) => {
      const seq = context.signals.seq + 1;
      const update: Update = { signals: { seq, pending: [...context.signals.pending, { seq, signal: SIGKILL }] } };
      enqueue.sendTo('runtime', { type: 'signal', seq, signal: SIGKILL, scope: 'all', direct: true } satisfies RuntimeCommand);
      emitStep(enqueue, context, update, nowOf(system), {
        state: 'killing',
        cause: `no exit ${context.timings.killWaitMs} ms after SIGKILL: killing pid ${context.pid} directly`,
        signal: SIGKILL,
        timerMs: context.timings.directKillWaitMs,
      });
      enqueue.assign(update);
    }),
    /** The stop ladder ran out: fail the requests that wanted an exit, keep waiting for one. */
    failPendingStops: queueActions(({ context, enqueue, system }) => {
      const failing = context.waiters.filter((w) => ['stop', 'kill', 'restart', 'remove'].includes(w.kind));
      // A SIGKILL that never landed (the runtime refused or threw) is a different story from one
      // that landed on a process that would not die: say which, from the flow's own record.
      const refused = [...context.flow.steps].reverse().find((step) => step.state === 'signalFailed' && step.signal === SIGKILL);
      const reason = refused
        ? `tried to kill container, but did not receive an exit event: the kill was refused (${refused.cause}); berth keeps waiting for its exit`
        : `tried to kill container, but did not receive an exit event: pid ${context.pid} survived SIGKILL; berth keeps waiting for its exit (check for a process stuck in the D state)`;
      for (const w of failing) enqueue.emit(fail(w.requestId, 'System', failureMessage(w.kind, context.spec.name, reason)));
      const update: Update = { waiters: without(context.waiters, failing), stuck: true, requested: { restart: false, remove: false, afterStart: [] } };
      emitStep(enqueue, context, update, nowOf(system), { state: 'stuck', cause: 'no exit after the direct kill: the stop failed, still waiting for the exit' });
      enqueue.assign(update);
    }),
    /** Any signal other than SIGKILL: delivered to the main process, answered on delivery. */
    sendSignal: queueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'kill') return;
      const seq = context.signals.seq + 1;
      const stopping = isStoppingSignal(context.spec, event.signal);
      const at = nowOf(system);
      const update: Update = {
        signals: { seq, pending: [...context.signals.pending, { seq, signal: event.signal, requestId: event.requestId }] },
        restart: { ...context.restart, canceled: context.restart.canceled || stopping, manuallyStopped: context.restart.manuallyStopped || stopping },
      };
      enqueue.sendTo('runtime', { type: 'signal', seq, signal: event.signal, scope: 'main', ack: true } satisfies RuntimeCommand);
      enqueue.emit(lifecycle(context, 'kill', at, { signal: String(event.signal) }));
      // A frozen process only receives the signal when thawed; only stopping signals thaw (moby#37137).
      if (context.frozen && stopping) enqueue.sendTo('runtime', { type: 'thaw' } satisfies RuntimeCommand);
      emitStep(enqueue, context, update, at, { state: 'signalled', cause: stopping ? 'kill: stopping signal' : 'kill: signal (the restart policy is kept)', signal: event.signal });
      enqueue.assign(update);
    }),
    settleDelivery: queueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'runtime.signalDelivered' && event.type !== 'runtime.signalFailed') return;
      const delivery = context.signals.pending.find((d) => d.seq === event.seq);
      if (!delivery) return;
      const update: Update = { signals: { ...context.signals, pending: context.signals.pending.filter((d) => d !== delivery) } };
      if (event.type === 'runtime.signalFailed') {
        emitStep(enqueue, context, update, nowOf(system), { state: 'signalFailed', cause: `signal could not be delivered: ${event.message}`, signal: delivery.signal });
      }
      enqueue.assign(update);
      if (!delivery.requestId) return;
      // No such process: it is exiting, the exit report follows (Docker returns success too).
      if (event.type === 'runtime.signalDelivered' || event.code === 'ESRCH') enqueue.emit(ok(delivery.requestId));
      else enqueue.emit(fail(delivery.requestId, 'System', `cannot kill container: ${context.spec.name}: ${event.message}`));
    }),
    rearmStopTimer: queueActions(({ context, enqueue, system }) => {
      const request = context.stopRequest;
      if (!request) return;
      const update: Update = { stopRequest: { ...request, rearm: false } };
      emitStep(enqueue, context, update, nowOf(system), {
        state: 'stopping', cause: `a later stop moved the deadline: SIGKILL in ${timerDelay(request.timeoutMs)} ms${cappedNote(request.timeoutMs)}`, timerMs: timerDelay(request.timeoutMs),
      });
      enqueue.assign(update);
    }),
    recordSignalFailureGrace: queueActions(({ context, enqueue, system }) => {
      const update: Update = {};
      emitStep(enqueue, context, update, nowOf(system), {
        state: 'stopping',
        cause: 'the stop signal could not be delivered: SIGKILL follows unless the container exits',
        timerMs: context.timings.signalFailureGraceMs,
      });
      enqueue.assign(update);
    }),
    freeze: queueActions(({ context, event, enqueue }) => {
      if (event.type !== 'pause') return;
      enqueue.assign({ waiters: [...context.waiters, { requestId: event.requestId, kind: 'pause' }] });
      enqueue.sendTo('runtime', { type: 'freeze' } satisfies RuntimeCommand);
    }),
    thaw: queueActions(({ context, event, enqueue }) => {
      if (event.type !== 'unpause') return;
      enqueue.assign({ waiters: [...context.waiters, { requestId: event.requestId, kind: 'unpause' }] });
      enqueue.sendTo('runtime', { type: 'thaw' } satisfies RuntimeCommand);
    }),
    recordPaused: queueActions(({ context, enqueue, system }) => {
      const at = nowOf(system);
      const update: Update = { frozen: true };
      enqueue.emit(lifecycle(context, 'pause', at));
      answer(enqueue, context, update, (w) => w.kind === 'pause');
      emitStep(enqueue, context, update, at, { state: 'paused', cause: 'frozen' });
      enqueue.assign(update);
    }),
    recordThawed: queueActions(({ context, enqueue, system }) => {
      if (!context.frozen) return;
      const at = nowOf(system);
      const update: Update = { frozen: false };
      enqueue.emit(lifecycle(context, 'unpause', at));
      answer(enqueue, context, update, (w) => w.kind === 'unpause');
      emitStep(enqueue, context, update, at, { state: 'running', cause: 'thawed' });
      enqueue.assign(update);
    }),
    /** A freeze that lands after a stop began must not leave the process frozen. */
    thawLateFreeze: queueActions(({ context, enqueue }) => {
      const update: Update = { frozen: true };
      enqueue.sendTo('runtime', { type: 'thaw' } satisfies RuntimeCommand);
      answer(enqueue, context, update, (w) => w.kind === 'pause', { kind: 'Conflict', message: `container ${context.spec.name} is stopping` });
      enqueue.assign(update);
    }),
    answerFreezeFailure: queueActions(({ context, event, enqueue }) => {
      if (event.type !== 'runtime.freezeFailed') return;
      const message = `cannot pause or unpause container ${context.spec.name}: ${event.message}`;
      const update: Update = {};
      answer(enqueue, context, update, (w) => w.kind === 'pause' || w.kind === 'unpause', { kind: 'System', message });
      enqueue.assign(update);
    }),
    /** The exit: record it, decide on a restart, emit die (then stop), answer who waited for it. */
    recordExit: queueActions(({ context, event, enqueue, system, self }) => {
      if (event.type !== 'runtime.exited') return;
      const at = nowOf(system);
      const runDurationMs = context.startedAt === null ? 0 : at - context.startedAt;
      const { restart } = context;
      const decision = restartDecision(context, event.exitCode, runDurationMs);
      const update: Update = {
        exitCode: event.exitCode,
        error: event.statusUnknown ? 'exit status unknown: the process was adopted after an engine restart and its status could not be read' : context.error,
        finishedAt: at,
        pid: 0,
        frozen: false,
        stuck: false,
        signals: { ...context.signals, pending: [] },
        restart: {
          ...restart,
          backoffMs: decision.backoffMs,
          delayMs: decision.restart ? decision.backoffMs : null,
          count: restart.count + (decision.restart ? 1 : 0),
        },
      };
      enqueue.emit(lifecycle(context, 'die', at, { exitCode: String(event.exitCode), execDuration: String(Math.floor(runDurationMs / 1000)) }));
      if (context.stopRequest) enqueue.emit(lifecycle(context, 'stop', at));
      const result: WaitResult = { StatusCode: event.exitCode };
      // A start still waiting here ran and exited before its start was confirmed: it did start.
      const answered = context.waiters.filter((w) => ['start', 'stop', 'kill', 'wait.not-running', 'wait.next-exit'].includes(w.kind));
      for (const w of answered) enqueue.emit(ok(w.requestId, w.kind.startsWith('wait.') ? result : undefined));
      update.waiters = without(context.waiters, answered);
      const how = event.signal ? `exited on signal ${event.signal} (exit code ${event.exitCode})` : `exited with status ${event.exitCode}`;
      emitStep(enqueue, context, update, at, { state: 'exited', cause: decision.restart ? `${how}; restarting in ${decision.backoffMs} ms` : how, exitCode: event.exitCode });
      update.flow = { ...(update.flow ?? context.flow), active: false };
      enqueue.assign(update);
      notifyShutdown(enqueue, context, event, self);
    }),
    /** A stop or kill while the policy waits to restart: no process, so no signal; the restart is cancelled. */
    cancelRestart: queueActions(({ context, event, enqueue, system, self }) => {
      if (event.type !== 'stop' && event.type !== 'kill') return;
      const at = nowOf(system);
      const manuallyStopped = context.restart.manuallyStopped || event.type === 'stop' || isStoppingSignal(context.spec, event.signal);
      const update: Update = { restart: { ...context.restart, delayMs: null, canceled: true, manuallyStopped } };
      if (event.type === 'stop') enqueue.emit(lifecycle(context, 'stop', at));
      enqueue.emit(ok(event.requestId));
      emitStep(enqueue, context, update, at, { state: 'exited', cause: `${event.type} while waiting to restart: restart cancelled` });
      enqueue.assign(update);
      notifyShutdown(enqueue, context, event, self);
    }),
    emitStopOfPendingRestart: queueActions(({ context, enqueue, system }) => {
      enqueue.emit(lifecycle(context, 'stop', nowOf(system)));
      enqueue.assign({ restart: { ...context.restart, delayMs: null } });
    }),
    /** A restart, a signal or a pause while the process is being spawned waits for it to run (see recordStarted). */
    queueAfterStart: assign(({ context, event }) => {
      if (event.type !== 'restart' && event.type !== 'kill' && event.type !== 'pause') return {};
      return { requested: { ...context.requested, afterStart: [...context.requested.afterStart, event] } };
    }),
    acceptRestartOfStopped: assign(({ context, event }) => {
      if (event.type !== 'restart') return {};
      return { requested: { ...context.requested, restart: true }, waiters: [...context.waiters, { requestId: event.requestId, kind: 'restart' as const }] };
    }),
    acceptRemove: queueActions(({ context, event, enqueue }) => {
      if (event.type !== 'remove') return;
      enqueue.assign({ waiters: [...context.waiters, { requestId: event.requestId, kind: 'remove' }], requested: { ...context.requested, remove: true } });
    }),
    /** The end: destroy, and every waiter answered (removal wakes all wait conditions, as in Docker). */
    recordRemoved: queueActions(({ context, enqueue, system }) => {
      enqueue.emit(lifecycle(context, 'destroy', nowOf(system)));
      const result: WaitResult = { StatusCode: context.exitCode };
      for (const w of context.waiters) {
        if (w.kind.startsWith('wait.') || w.kind === 'remove') enqueue.emit(ok(w.requestId, w.kind.startsWith('wait.') ? result : undefined));
        else enqueue.emit(fail(w.requestId, 'NotFound', `No such container: ${context.spec.name}`));
      }
      enqueue.assign({ waiters: [] });
    }),
    registerWait: assign(({ context, event }) => {
      if (event.type !== 'wait') return {};
      return { waiters: [...context.waiters, { requestId: event.requestId, kind: `wait.${event.condition}` as const }] };
    }),
    answerWaitNow: queueActions(({ context, event, enqueue }) => {
      if (event.type !== 'wait') return;
      const result: WaitResult = { StatusCode: context.exitCode };
      if (context.error) result.Error = { Message: context.error };
      enqueue.emit(ok(event.requestId, result));
    }),
    recordName: assign(({ context, event }) => (event.type === 'rename' ? { spec: { ...context.spec, name: event.name } } : {})),
    cancelWait: assign(({ context, event }) => {
      if (event.type !== 'wait.cancel') return {};
      return { waiters: context.waiters.filter((w) => w.requestId !== event.requestId) };
    }),
    replyOk: queueActions(({ event, enqueue }) => {
      if ('requestId' in event) enqueue.emit(ok(event.requestId));
    }),
    // Refusals: a command the current state cannot take, with Docker's status and message.
    rejectNotModified: emit(rejection('notModified')),
    rejectAlreadyStarted: emit(rejection('alreadyStarted')),
    rejectNotRunning: emit(rejection('notRunning')),
    rejectNotPaused: emit(rejection('notPaused')),
    rejectAlreadyPaused: emit(rejection('alreadyPaused')),
    rejectStartPaused: emit(rejection('startPaused')),
    rejectStopping: emit(rejection('stopping')),
    rejectRestarting: emit(rejection('restarting')),
    rejectRemoveRunning: emit(rejection('removeRunning')),
    rejectRemovePaused: emit(rejection('removePaused')),
    rejectRemoveRestarting: emit(rejection('removeRestarting')),
    dropStaleReport: () => {},
  },
}).createMachine({
  id: 'container',
  context: ({ input }) => ({
    spec: input.spec,
    timings: { ...defaultTimings, ...input.timings },
    generation: 0,
    pid: 0,
    startedAt: null,
    finishedAt: null,
    exitCode: 0,
    error: '',
    restart: { count: 0, backoffMs: 0, delayMs: null, canceled: false, manuallyStopped: false },
    frozen: false,
    stopRequest: null,
    requested: { restart: false, remove: false, afterStart: [] },
    signals: { seq: 0, pending: [] },
    waiters: [],
    flow: { steps: [], startedAt: null, active: false },
    stuck: false,
    adopt: null,
  }),
  initial: 'created',
  on: {
    'wait.cancel': { actions: 'cancelWait' },
    rename: { actions: 'recordName' },
  },
  states: {
    // No entry action: the supervisor creates a container inside one of its own actions, and
    // XState warns about actions a child resolves at that moment. A start failure that returns
    // here tells the supervisor on the way (below).
    created: {
      on: {
        restore: [{ guard: 'restoresExited', target: 'exited', actions: 'applyRestore' }, { actions: 'applyRestore' }],
        adopt: { target: 'alive', actions: 'applyAdopt' },
        start: { target: 'alive', actions: 'beginManualStart' },
        restart: { target: 'alive', actions: ['beginManualStart', 'acceptRestartOfStopped'] },
        stop: { actions: 'rejectNotModified' },
        kill: { actions: 'rejectNotRunning' },
        pause: { actions: 'rejectNotRunning' },
        unpause: { actions: 'rejectNotPaused' },
        remove: { target: 'removed', actions: 'acceptRemove' },
        wait: [{ guard: 'waitsForNotRunning', actions: 'answerWaitNow' }, { actions: 'registerWait' }],
      },
    },
    alive: {
      invoke: {
        id: 'runtime',
        src: 'runtime',
        input: ({ context }): RuntimeInput => ({ spec: context.spec, generation: context.generation, ...(context.adopt ? { adopt: context.adopt } : {}) }),
      },
      initial: 'starting',
      on: {
        // Where an exit leads is decided here, before recordExit, so the exit is one microstep:
        // rm -f wins over a restart in progress (the restart is then answered "No such container").
        'runtime.exited': [
          { guard: 'isStaleReport', actions: 'dropStaleReport' },
          { guard: 'removeRequested', target: '#container.removed', actions: 'recordExit' },
          { guard: 'restartRequested', target: '#container.alive', reenter: true, actions: ['recordExit', 'beginManualStart'] },
          { guard: 'exitWillRestart', target: '#container.restarting', actions: 'recordExit' },
          { guard: 'isAutoRemove', target: '#container.removed', actions: 'recordExit' },
          { target: '#container.exited', actions: 'recordExit' },
        ],
        'runtime.signalDelivered': { actions: 'settleDelivery' },
        'runtime.signalFailed': { actions: 'settleDelivery' },
        'runtime.thawed': { actions: 'recordThawed' },
        'runtime.frozen': { actions: 'thawLateFreeze' },
        'runtime.freezeFailed': { actions: 'answerFreezeFailure' },
        start: { actions: 'rejectAlreadyStarted' },
        // Straight into the stopping state that fits the timeout: a negative one arms no timer.
        stop: [{ guard: 'stopWillTimeOut', target: '.stopping.graceful', actions: 'beginStop' }, { target: '.stopping.untimed', actions: 'beginStop' }],
        restart: [{ guard: 'stopWillTimeOut', target: '.stopping.graceful', actions: 'beginStop' }, { target: '.stopping.untimed', actions: 'beginStop' }],
        kill: [{ guard: 'isSigkill', target: '.killing', actions: 'acceptKill' }, { actions: 'sendSignal' }],
        pause: { actions: 'rejectStopping' },
        unpause: { actions: 'rejectNotPaused' },
        remove: [{ guard: 'isForced', target: '.killing', actions: 'acceptKill' }, { actions: 'rejectRemoveRunning' }],
        wait: { actions: 'registerWait' },
      },
      states: {
        starting: {
          on: {
            'runtime.started': [
              { guard: 'hasKillRequest', target: 'killing', actions: 'recordStarted' },
              { guard: 'hasStopTimeout', target: 'stopping.graceful', actions: 'recordStarted' },
              { guard: 'hasStopRequest', target: 'stopping.untimed', actions: 'recordStarted' },
              { target: 'running', actions: 'recordStarted' },
            ],
            'runtime.startFailed': { target: '#container.startFailed', actions: 'recordStartFailure' },
            // Nothing is refused for being early; Docker queues commands behind the start. A stop,
            // a SIGKILL or an rm -f is carried out as the process runs (a failed start ends it
            // anyway); a restart, another signal or a pause is sent again once it runs.
            stop: { actions: 'acceptStop' },
            restart: { actions: 'queueAfterStart' },
            kill: [{ guard: 'isSigkill', actions: 'acceptKill' }, { actions: 'queueAfterStart' }],
            pause: { actions: 'queueAfterStart' },
            remove: [{ guard: 'isForced', actions: 'acceptKill' }, { actions: 'rejectRemoveRunning' }],
          },
        },
        running: {
          on: {
            pause: { actions: 'freeze' },
            'runtime.frozen': { target: 'paused', actions: 'recordPaused' },
          },
        },
        paused: {
          on: {
            start: { actions: 'rejectStartPaused' },
            pause: { actions: 'rejectAlreadyPaused' },
            unpause: { actions: 'thaw' },
            'runtime.thawed': { target: 'running', actions: 'recordThawed' },
            remove: [{ guard: 'isForced', target: 'killing', actions: 'acceptKill' }, { actions: 'rejectRemovePaused' }],
          },
        },
        stopping: {
          entry: 'sendStopSignal',
          // Every way in names graceful or untimed; XState wants an initial state all the same.
          initial: 'graceful',
          on: {
            // Concurrent stops are coalesced: they join the flow in progress (docker-lifecycle.md (k).9).
            stop: { actions: 'acceptStop' },
            restart: { actions: 'acceptStop' },
          },
          states: {
            graceful: {
              always: { guard: 'stopDeadlineMoved', target: 'graceful', reenter: true, actions: 'rearmStopTimer' },
              after: { stopTimeout: '#container.alive.killing' },
              on: {
                'runtime.signalFailed': [
                  { guard: 'isStopSignalFailure', target: 'signalFailed', actions: 'settleDelivery' },
                  { actions: 'settleDelivery' },
                ],
              },
            },
            signalFailed: {
              entry: 'recordSignalFailureGrace',
              after: { signalFailureGrace: '#container.alive.killing' },
            },
            // A negative timeout: no timer at all, never SIGKILL (a Docker stop -t -1).
            untimed: {
              always: { guard: 'stopDeadlineMoved', target: 'graceful', actions: 'rearmStopTimer' },
            },
          },
        },
        killing: {
          entry: 'sendKillSignal',
          initial: 'awaitingExit',
          on: {
            stop: { actions: 'acceptStop' },
            restart: { actions: 'acceptStop' },
            kill: [{ guard: 'isSigkill', actions: 'acceptKill' }, { actions: 'sendSignal' }],
            remove: [{ guard: 'isForced', actions: 'acceptKill' }, { actions: 'rejectRemoveRunning' }],
          },
          states: {
            awaitingExit: { after: { killWait: 'directKill' } },
            directKill: { entry: 'killDirectly', after: { directKillWait: 'stuck' } },
            // The stop failed; the exit may still come. A new stop or kill runs the ladder again.
            stuck: {
              entry: 'failPendingStops',
              on: {
                stop: { target: '#container.alive.killing', reenter: true, actions: 'acceptStop' },
                kill: [{ guard: 'isSigkill', target: '#container.alive.killing', reenter: true, actions: 'acceptKill' }, { actions: 'sendSignal' }],
                remove: [{ guard: 'isForced', target: '#container.alive.killing', reenter: true, actions: 'acceptKill' }, { actions: 'rejectRemoveRunning' }],
              },
            },
          },
        },
      },
    },
    startFailed: {
      always: [
        { guard: 'removeRequested', target: 'removed' },
        { guard: 'isAutoRemove', target: 'removed' },
        { guard: 'hasNeverStarted', target: 'created' },
        { target: 'exited' },
      ],
    },
    restarting: {
      after: { restartBackoff: { target: 'alive', actions: 'beginPolicyStart' } },
      on: {
        start: { actions: 'rejectAlreadyStarted' },
        stop: { target: 'exited', actions: 'cancelRestart' },
        kill: [{ guard: 'isStoppingKill', target: 'exited', actions: 'cancelRestart' }, { actions: 'replyOk' }],
        restart: { target: 'alive', actions: ['emitStopOfPendingRestart', 'beginManualStart', 'acceptRestartOfStopped'] },
        pause: { actions: 'rejectRestarting' },
        unpause: { actions: 'rejectNotPaused' },
        remove: [{ guard: 'isForced', target: 'removed', actions: 'acceptRemove' }, { actions: 'rejectRemoveRestarting' }],
        wait: { actions: 'registerWait' },
      },
    },
    exited: {
      on: {
        start: { target: 'alive', actions: 'beginManualStart' },
        restart: { target: 'alive', actions: ['beginManualStart', 'acceptRestartOfStopped'] },
        stop: { actions: 'rejectNotModified' },
        kill: { actions: 'rejectNotRunning' },
        pause: { actions: 'rejectNotRunning' },
        unpause: { actions: 'rejectNotPaused' },
        remove: { target: 'removed', actions: 'acceptRemove' },
        wait: [{ guard: 'waitsForNotRunning', actions: 'answerWaitNow' }, { actions: 'registerWait' }],
      },
    },
    removed: {
      type: 'final',
      entry: 'recordRemoved',
    },
  },
});

// The changes one action makes to the context, assigned at once: XState clones the snapshot (and
// recomputes its state value) for every assign, so an action makes at most one.
type Update = Partial<ContainerContext>;

// The queue the actions (and the helpers below) add XState's actions to.
type Enqueue = ActionQueue<ContainerContext, ContainerEvent, ContainerEmitted>;

type RejectReason = keyof typeof rejections;

// Docker's status and message for each command a state refuses (docker-lifecycle.md (c), (d), (i)).
const rejections = {
  notModified: ['NotModified', (name) => `container ${name} is not running`],
  alreadyStarted: ['NotModified', (name) => `container ${name} is already started`],
  notRunning: ['Conflict', (name) => `container ${name} is not running`],
  // Docker answers 500 here, not 409 (docker-lifecycle.md (k).8); berth mirrors the status.
  notPaused: ['System', (name) => `Container ${name} is not paused`],
  alreadyPaused: ['Conflict', (name) => `container ${name} is already paused`],
  startPaused: ['Conflict', () => 'cannot start a paused container, try unpause instead'],
  stopping: ['Conflict', (name) => `container ${name} is stopping: wait for it to exit, or kill it`],
  restarting: ['Conflict', (name) => `Container ${name} is restarting, wait until the container is running`],
  removeRunning: ['Conflict', (name) => `cannot remove container ${name}: container is running: stop the container before removing or force remove`],
  removePaused: ['Conflict', (name) => `cannot remove container ${name}: container is paused and must be unpaused first`],
  removeRestarting: ['Conflict', (name) => `cannot remove container ${name}: container is restarting: stop the container before removing or force remove`],
} satisfies Record<string, [ErrorKind, (name: string) => string]>;

function rejection(reason: RejectReason) {
  return ({ context, event }: { context: ContainerContext; event: ContainerEvent }): ContainerEmitted => {
    const [kind, message] = rejections[reason];
    return fail('requestId' in event ? event.requestId : '', kind, message(context.spec.name));
  };
}

// The stop timeout a stop or restart asks for: the call's, else the container's, else the default.
function requestedStopTimeout(context: ContainerContext, event: { timeoutMs?: number }): number {
  return event.timeoutMs ?? context.spec.stopTimeoutMs ?? context.timings.defaultStopTimeoutMs;
}

// Docker's restart decision for an exit: none while a restart or removal was asked for.
function restartDecision(context: ContainerContext, exitCode: number, runDurationMs: number): RestartDecision {
  const { restart } = context;
  if (context.requested.restart || context.requested.remove) return { restart: false, backoffMs: restart.backoffMs };
  return decideRestart(context.spec.restart, { backoffMs: restart.backoffMs, restartCount: restart.count }, {
    exitCode,
    manuallyStopped: restart.manuallyStopped,
    restartCanceled: restart.canceled,
    runDurationMs,
  });
}

// Fields reset at the start of every run.
function freshRun(context: ContainerContext): Partial<ContainerContext> {
  return {
    generation: context.generation + 1,
    pid: 0,
    error: '',
    frozen: false,
    stopRequest: null,
    restart: { ...context.restart, delayMs: null, canceled: false },
    requested: { ...context.requested, remove: false },
    signals: { ...context.signals, pending: [] },
    stuck: false,
  };
}

// Says when a timeout was longer than any timer can wait (see timerDelay).
function cappedNote(timeoutMs: number): string {
  return timeoutMs > maxTimerMs ? ` (the longest a timer waits; ${timeoutMs} ms was asked)` : '';
}

function lifecycle(context: ContainerContext, action: LifecycleAction, at: number, extra?: Record<string, string>): ContainerEmitted {
  return { type: 'lifecycle', action, at, attributes: eventAttributes(context.spec, extra) };
}

function ok(requestId: string, value?: WaitResult): ContainerEmitted {
  return value === undefined ? { type: 'reply', requestId, ok: true } : { type: 'reply', requestId, ok: true, value };
}

function fail(requestId: string, kind: ErrorKind, message: string): ContainerEmitted {
  return { type: 'reply', requestId, ok: false, error: { kind, message } };
}

function without(waiters: Waiter[], answered: Waiter[]): Waiter[] {
  return waiters.filter((w) => !answered.includes(w));
}

// Answers the waiters that match, with success or the given error, and drops them in `update`.
function answer(enqueue: Enqueue, context: ContainerContext, update: Update, match: (w: Waiter) => boolean, error?: { kind: ErrorKind; message: string }) {
  const answered = context.waiters.filter(match);
  for (const w of answered) enqueue.emit(error ? fail(w.requestId, error.kind, error.message) : ok(w.requestId));
  if (answered.length) update.waiters = without(context.waiters, answered);
}

function failureMessage(kind: WaiterKind, name: string, reason: string): string {
  if (kind === 'restart') return `Cannot restart container ${name}: ${reason}`;
  if (kind === 'kill') return `cannot kill container: ${name}: ${reason}`;
  if (kind === 'remove') return `cannot remove container ${name}: could not kill: ${reason}`;
  return `cannot stop container: ${name}: ${reason}`;
}

// What accepting a stop or restart changes: a new stop request, or the one in progress joined
// (never waiting longer than the new one asks). Its signal is sent when `stopping` is entered.
function stopAccepted(context: ContainerContext, event: Extract<ContainerEvent, { type: 'stop' | 'restart' }>, at: number): Update {
  const kind: WaiterKind = event.type === 'restart' ? 'restart' : 'stop';
  const cause = event.type === 'stop' ? (event.cause ?? 'user') : 'user';
  const current = context.stopRequest;
  // The engine's shutdown wins over a restart, asked for before it or joining it: no process
  // is started again while the engine waits for every container to stop.
  const shutdown = cause === 'shutdown' || current?.cause === 'shutdown';
  const update: Update = {
    waiters: [...context.waiters, { requestId: event.requestId, kind }],
    requested: { ...context.requested, restart: !shutdown && (context.requested.restart || event.type === 'restart') },
    restart: { ...context.restart, canceled: true, manuallyStopped: context.restart.manuallyStopped || cause === 'user' },
  };
  const timeoutMs = requestedStopTimeout(context, event);
  const deadlineAt = timeoutMs >= 0 ? at + timeoutMs : null;
  if (current) {
    // A stop joining the flow keeps it, but never waits longer than it asked to.
    const sooner = deadlineAt !== null && (current.deadlineAt === null || deadlineAt < current.deadlineAt);
    if (sooner) update.stopRequest = { ...current, timeoutMs, deadlineAt, rearm: true };
    if (shutdown) update.stopRequest = { ...(update.stopRequest ?? current), cause: 'shutdown' };
    return update;
  }
  const signal = event.signal ?? effectiveStopSignal(context.spec);
  update.stopRequest = { signal, timeoutMs, deadlineAt, rearm: false, seq: context.signals.seq + 1, cause };
  if (!context.flow.active) update.flow = { steps: [], startedAt: at, active: true };
  return update;
}

// Records the request's stop signal as sent, in `update`: its delivery awaited, the kill event, the
// flow step.
function recordStopSignal(enqueue: Enqueue, context: ContainerContext, request: StopRequest, update: Update, at: number): void {
  update.signals = { seq: request.seq, pending: [...context.signals.pending, { seq: request.seq, signal: request.signal }] };
  enqueue.emit(lifecycle(context, 'kill', at, { signal: String(request.signal) }));
  const timer = request.timeoutMs >= 0 ? timerDelay(request.timeoutMs) : undefined;
  emitStep(enqueue, context, update, at, {
    state: 'stopping',
    cause: timer === undefined ? 'stop: signal sent, negative timeout: waiting forever' : `stop: signal sent, waiting ${timer} ms${cappedNote(request.timeoutMs)}`,
    signal: request.signal,
    timerMs: timer,
  });
}

// The run is over: tell the supervisor when its shutdown waits for that. Only a shutdown does,
// and it sent this container a stop (which also rules out any restart); any other exit costs
// the supervisor no step. The actions that end a run call it: recordExit, cancelRestart and
// recordStartFailure (an entry action on exited and removed would cost every exit an action).
function notifyShutdown(enqueue: Enqueue, context: ContainerContext, event: ContainerEvent, self: { _parent?: unknown }): void {
  const shutdownStop = context.stopRequest?.cause === 'shutdown' || (event.type === 'stop' && event.cause === 'shutdown');
  if (shutdownStop && self._parent) enqueue.sendParent({ type: 'container.settled', id: context.spec.id });
}

// A stop or kill of a paused container: thaw after the signal so it lands (docker-lifecycle.md (d)).
function thawIfFrozen(enqueue: Enqueue, context: ContainerContext): void {
  if (context.frozen) enqueue.sendTo('runtime', { type: 'thaw' } satisfies RuntimeCommand);
}

// Appends a step to the stop flow in `update` (when a flow is in progress) and emits it for the logs.
function emitStep(enqueue: Enqueue, context: ContainerContext, update: Update, at: number, fields: Omit<FlowStep, 'at' | 'elapsedMs'>) {
  const flow = update.flow ?? context.flow;
  const since = flow.startedAt;
  const step: FlowStep = { at, elapsedMs: since === null ? 0 : at - since, ...fields };
  if (flow.active) update.flow = { ...flow, steps: [...flow.steps, step].slice(-maxFlowSteps) };
  enqueue.emit({ type: 'step', containerId: context.spec.id, name: context.spec.name, step });
}
