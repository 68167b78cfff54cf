// The supervisor: spawns one container machine per container, routes the commands sent to it
// (the engine sends its own to the container actors directly: one step fewer each), turns the
// engine process's SIGTERM/SIGINT into a graceful shutdown, and bounds that shutdown: every
// container is stopped in parallel with its own signal and timeout, and after the budget
// (max(15 s, largest stop timeout + 5 s), docker-lifecycle.md (h)) whatever is left is killed.
import { assign, createActor, fromCallback, setup, type Actor, type AnyActorLogic, type AnyActorRef, type AnyStateMachine } from 'xstate';
import { containerMachine, type ContainerCommand, type ContainerRecovery } from './container.js';
import { messageOf, type ContainerEmitted } from './records.js';
import { timerDelay } from './clock.js';
import { actionQueueFor } from './queue-actions.js';
import { SIGKILL, defaultTimings, type ContainerSpec, type Timings } from './spec.js';

export type SupervisorEvent =
  | { type: 'container.create'; spec: ContainerSpec }
  /** `actorId` is containerActorId(spec). */
  | { type: 'container.command'; actorId: string; command: ContainerCommand | ContainerRecovery }
  | { type: 'container.settled'; id: string }
  | { type: 'os.signal'; signal: string }
  | { type: 'shutdown'; timeoutMs?: number };

/** A child actor (a container's machine) failed: XState stopped it; the supervisor carries on. */
export interface ChildFailed {
  type: 'child.failed';
  actorId: string;
  message: string;
}

export interface SupervisorInput {
  timings?: Partial<Timings>;
  /** Listen to the engine process's SIGTERM and SIGINT. */
  handleSignals?: boolean;
}

export interface SupervisorContext {
  timings: Timings;
  handleSignals: boolean;
  /** Containers that were still running when the shutdown began and have not settled yet. */
  pending: string[];
  shutdownBudgetMs: number;
  /** The OS signal that began the shutdown, if one did. */
  shutdownSignal: string | null;
  forced: boolean;
}

/** What every container actor's id starts with. */
export const containerActorIdPrefix = 'container:';

/** The actor id (and system id) of a container's machine: readable in the inspector, unique. */
export function containerActorId(spec: Pick<ContainerSpec, 'id' | 'name'>): string {
  return `${containerActorIdPrefix}${spec.name}:${spec.id.slice(0, 12)}`;
}

// enqueueActions without its garbage (queue-actions.ts): spawnContainer runs at every create.
const queueActions = actionQueueFor<SupervisorContext, SupervisorEvent, Extract<ContainerEmitted, { type: 'reply' }> | ChildFailed>();

/** Placeholder for the OS-signal listener; the engine provides the real one (actors/os-signals.ts). */
const noSignals = fromCallback(() => {});

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    input: {} as SupervisorInput,
    events: {} as SupervisorEvent,
    emitted: {} as Extract<ContainerEmitted, { type: 'reply' }> | ChildFailed,
  },
  actors: { container: containerMachine, osSignals: noSignals },
  guards: {
    allSettled: ({ context }) => context.pending.length === 0,
  },
  delays: {
    shutdownBudget: ({ context }) => timerDelay(context.shutdownBudgetMs),
    forceWait: ({ context }) => timerDelay(context.timings.killWaitMs + context.timings.directKillWaitMs),
  },
  actions: {
    listenToOsSignals: queueActions(({ context, enqueue }) => {
      if (context.handleSignals) enqueue.spawnChild('osSignals', { id: 'os-signals' });
    }),
    /**
     * A container actor is the supervisor's child (its parent: sendParent, done events, the
     * inspector's tree), registered in the system under its actor id, but kept out of the
     * snapshot's `children`: XState's spawnChild copies that map at every spawn and stop, which
     * made n containers cost O(n²) (bench W5: 10,000 creates took 32 s). As spawnChild does, the
     * actor is created while the transition is resolved (creating it inside a custom action
     * trips XState's warnings) and started when the actions run. `stopContainers` ends them.
     */
    spawnContainer: queueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'container.create') return;
      const id = containerActorId(event.spec);
      // `self` is the supervisor's Actor: the container logic is the one its machine was provided with.
      const logic = (self as unknown as Actor<AnyStateMachine>).logic.implementations.actors.container as AnyActorLogic;
      const child = createActor(logic, { parent: self, id, systemId: id, input: { spec: event.spec, timings: context.timings } });
      enqueue.action(() => child.start());
    }),
    /** `container.command`: an embedder's route to a container through `engine.actor`. */
    forwardCommand: queueActions(({ event, enqueue, system }) => {
      if (event.type !== 'container.command') return;
      // Sending to a missing child would put the supervisor in error: look it up first.
      const child = system.get(event.actorId) as AnyActorRef | undefined;
      if (child) enqueue.sendTo(child, event.command);
      else if ('requestId' in event.command && event.command.type !== 'wait.cancel') {
        // Removed a moment ago: still, every command gets an answer.
        enqueue.emit({ type: 'reply', requestId: event.command.requestId, ok: false, error: { kind: 'NotFound', message: `No such container: ${event.actorId}` } });
      }
    }),
    /**
     * A container's machine threw: a bug, or something the embedder handed in (its clock) threw
     * inside an action. XState stops that actor and sends its parent an error event, which,
     * unhandled, would stop the supervisor too and every container with it. Here it is only
     * reported: the engine answers for that container from then on.
     */
    reportChildFailure: queueActions(({ event, enqueue }) => {
      const error = (event as unknown as { error?: unknown }).error;
      enqueue.emit({
        type: 'child.failed',
        actorId: event.type.slice('xstate.error.actor.'.length),
        message: messageOf(error),
      });
    }),
    /** The supervisor is done: end the container actors (their processes have been stopped). */
    stopContainers: queueActions(({ enqueue, self }) => {
      for (const child of containerChildren(self)) enqueue.stopChild(child);
    }),
    recordSignal: assign({ shutdownSignal: ({ event }) => (event.type === 'os.signal' ? event.signal : null) }),
    /** Stops every running container in parallel, each with its own signal and timeout. */
    stopAll: queueActions(({ context, event, enqueue, self }) => {
      const running = containerChildren(self).filter((c) => isRunning(c));
      const timeouts = running.map((c) => {
        const { spec, timings } = c.getSnapshot().context;
        return spec.stopTimeoutMs ?? timings.defaultStopTimeoutMs;
      });
      const largest = Math.max(0, ...timeouts.filter((t) => t >= 0));
      const budget = event.type === 'shutdown' && event.timeoutMs !== undefined
        ? event.timeoutMs
        : Math.max(context.timings.shutdownMinimumMs, largest + context.timings.shutdownGraceMs);
      enqueue.assign({ pending: running.map((c) => c.getSnapshot().context.spec.id), shutdownBudgetMs: budget });
      for (const child of running) {
        enqueue.sendTo(child, { type: 'stop', requestId: `shutdown:${child.id}`, cause: 'shutdown' } satisfies ContainerCommand);
      }
    }),
    /** The budget ran out: SIGKILL whatever still runs. */
    killAll: queueActions(({ enqueue, self }) => {
      enqueue.assign({ forced: true });
      for (const child of containerChildren(self).filter((c) => isRunning(c))) {
        enqueue.sendTo(child, { type: 'kill', requestId: `shutdown-kill:${child.id}`, signal: SIGKILL } satisfies ContainerCommand);
      }
    }),
    /** Heard only while shutting down: every container tells when it stops running, which otherwise needs no step. */
    markSettled: assign({
      pending: ({ context, event }) => (event.type === 'container.settled' ? context.pending.filter((id) => id !== event.id) : context.pending),
    }),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    timings: { ...defaultTimings, ...input.timings },
    handleSignals: input.handleSignals ?? false,
    pending: [],
    shutdownBudgetMs: 0,
    shutdownSignal: null,
    forced: false,
  }),
  entry: 'listenToOsSignals',
  initial: 'running',
  on: {
    'container.command': { actions: 'forwardCommand' },
    'xstate.error.actor.*': { actions: 'reportChildFailure' },
  },
  states: {
    running: {
      on: {
        'container.create': { actions: 'spawnContainer' },
        'os.signal': { target: 'shuttingDown', actions: 'recordSignal' },
        shutdown: { target: 'shuttingDown' },
      },
    },
    shuttingDown: {
      entry: 'stopAll',
      always: { guard: 'allSettled', target: 'done' },
      after: { shutdownBudget: 'forcing' },
      // A second Ctrl-C does not wait for the budget (as docker compose does).
      on: { 'os.signal': 'forcing', 'container.settled': { actions: 'markSettled' } },
    },
    forcing: {
      entry: 'killAll',
      on: { 'container.settled': { actions: 'markSettled' } },
      always: { guard: 'allSettled', target: 'done' },
      after: { forceWait: 'done' },
    },
    done: { type: 'final', entry: 'stopContainers' },
  },
});

type ContainerRef = AnyActorRef & { getSnapshot(): { value: unknown; context: { spec: ContainerSpec; timings: Timings } } };

// The live container actors: a removed one has left the system.
function containerChildren(self: AnyActorRef): ContainerRef[] {
  return Object.values(self.system.getAll()).filter((ref) => ref._parent === self && ref.id.startsWith(containerActorIdPrefix)) as ContainerRef[];
}

function isRunning(child: ContainerRef): boolean {
  const value = child.getSnapshot().value;
  return typeof value === 'object' || value === 'restarting';
}
