// XState's enqueueActions, without what it costs per call. enqueueActions builds its `enqueue`
// function anew at every call and assigns it eight closures as properties (`enqueue.assign = ...`),
// and V8 allocates a function literal assigned to a property in the old generation at once: it
// takes it for a method that lives long. So every call put 514 bytes in the old generation, garbage
// a moment later that only a mark-compact frees; a container's lifecycle made seven calls or more.
// Here the queue is an object whose methods are on its prototype: nothing per call but the queue
// (bench/ROUNDS.md, fifteenth round: half the old-generation garbage of a lifecycle, W5 10-25 %).
//
// It plugs into XState as its own built-in actions do: a function with `resolve`, which XState
// calls while it resolves a transition and which returns the actions to run next (what
// enqueueActions returns too). XState runs the queued actions as it would enqueueActions' own.
import { assign, emit, raise, sendParent, sendTo, spawnChild, stopChild, type ActionArgs, type AnyActorRef, type AnyActorScope, type EventObject, type MachineContext } from 'xstate';

/** What an action queues: XState's own actions, in order, as enqueueActions' `enqueue` would build them. */
export class ActionQueue<TContext extends MachineContext, TEvent extends EventObject, TEmitted extends EventObject> {
  constructor(private readonly actions: unknown[]) {}
  /** Any action: an inline function runs with the others, in order. */
  action(action: unknown): void {
    this.actions.push(action);
  }
  assign(update: Partial<TContext>): void {
    this.actions.push(assign(update as never));
  }
  emit(event: TEmitted): void {
    this.actions.push(emit(event as never));
  }
  raise(event: TEvent): void {
    this.actions.push(raise(event as never));
  }
  sendTo<T extends EventObject>(target: string | AnyActorRef, event: T): void {
    this.actions.push(sendTo(target as never, event as never));
  }
  sendParent<T extends EventObject>(event: T): void {
    this.actions.push(sendParent(event as never));
  }
  spawnChild(src: string, options: { id: string }): void {
    this.actions.push(spawnChild(src as never, options as never));
  }
  stopChild(actor: AnyActorRef): void {
    this.actions.push(stopChild(actor));
  }
}

/** What the function given to `queueActions` is called with: XState's action arguments and the queue. */
export type QueueArgs<TContext extends MachineContext, TEvent extends EventObject, TEmitted extends EventObject> =
  ActionArgs<TContext, TEvent, TEvent> & { enqueue: ActionQueue<TContext, TEvent, TEmitted> };

/**
 * Makes `queueActions` for one machine's types: an action that queues others, as enqueueActions does.
 * @example const queueActions = actionQueueFor<Context, Event, Emitted>();
 *          setup({ actions: { greet: queueActions(({ enqueue }) => enqueue.emit({ type: 'hi' })) } })
 */
export function actionQueueFor<TContext extends MachineContext, TEvent extends EventObject, TEmitted extends EventObject>() {
  return function queueActions(collect: (args: QueueArgs<TContext, TEvent, TEmitted>) => void): (args: ActionArgs<TContext, TEvent, TEvent>, params: unknown) => void {
    // XState never calls a built-in action; it calls its `resolve`.
    const queued = (): void => {
      throw new Error('queueActions: XState resolves this action through its `resolve`; it is not called directly');
    };
    const resolve = (scope: AnyActorScope, snapshot: unknown, args: ActionArgs<TContext, TEvent, TEvent>): [unknown, undefined, unknown[]] => {
      const actions: unknown[] = [];
      collect({ context: args.context, event: args.event, self: scope.self, system: scope.system, enqueue: new ActionQueue<TContext, TEvent, TEmitted>(actions) } as QueueArgs<TContext, TEvent, TEmitted>);
      return [snapshot, undefined, actions];
    };
    return Object.assign(queued, { type: 'berth.queueActions', resolve });
  };
}
