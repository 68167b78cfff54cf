// queueActions stands in for XState's enqueueActions in berth's machines: the same actions, run in
// the same order, with the same results, whichever XState build (development or production) runs it.
import { createActor, enqueueActions, fromCallback, setup, type AnyActorRef } from 'xstate';
import { describe, expect, it } from 'vitest';
import { actionQueueFor } from '../../src/machines/queue-actions.js';

interface Context { count: number; log: string[] }
type Event = { type: 'go'; by: number } | { type: 'again' } | { type: 'pong' };
type Emitted = { type: 'seen'; count: number };

// One machine built twice: with enqueueActions, and with queueActions.
function build(kind: 'enqueueActions' | 'queueActions') {
  const queueActions = actionQueueFor<Context, Event, Emitted>();
  const make = (kind === 'queueActions' ? queueActions : enqueueActions) as typeof queueActions;
  const echo = fromCallback(({ sendBack, receive }) => receive(() => sendBack({ type: 'pong' })));
  return setup({
    types: { context: {} as Context, events: {} as Event, emitted: {} as Emitted },
    actors: { echo },
    actions: {
      step: make(({ context, event, enqueue, self }) => {
        if (event.type !== 'go') return;
        enqueue.assign({ count: context.count + event.by, log: [...context.log, `go ${event.by}`] });
        enqueue.emit({ type: 'seen', count: context.count + event.by });
        enqueue.raise({ type: 'again' });
        enqueue.sendTo('echo', { type: 'ping' });
        // enqueueActions' `enqueue(action)` is `enqueue.action(action)` in queueActions.
        const count = (): void => { (self as AnyActorRef & { ran?: number }).ran = ((self as { ran?: number }).ran ?? 0) + 1; };
        if (kind === 'queueActions') enqueue.action(count);
        else (enqueue as unknown as (action: unknown) => void)(count);
      }),
      note: make(({ context, event, enqueue }) => enqueue.assign({ log: [...context.log, event.type] })),
    },
  }).createMachine({
    context: { count: 0, log: [] },
    invoke: { id: 'echo', src: 'echo' },
    on: { go: { actions: 'step' }, again: { actions: 'note' }, pong: { actions: 'note' } },
  });
}

describe('queueActions', () => {
  it('runs what it queues as enqueueActions does: assign, emit, raise, sendTo and an inline action, in order', async () => {
    const runs = await Promise.all((['enqueueActions', 'queueActions'] as const).map(async (kind) => {
      const machine = build(kind);
      const actor = createActor(machine);
      const emitted: number[] = [];
      actor.on('seen', (event) => emitted.push(event.count));
      actor.start();
      actor.send({ type: 'go', by: 2 });
      actor.send({ type: 'go', by: 3 });
      await new Promise((resolve) => setTimeout(resolve, 10));
      return { log: actor.getSnapshot().context.log, count: actor.getSnapshot().context.count, emitted, ran: (actor as unknown as { ran?: number }).ran };
    }));
    expect(runs[1]).toEqual({ log: ['go 2', 'again', 'pong', 'go 3', 'again', 'pong'], count: 5, emitted: [2, 5], ran: 2 });
    expect(runs[1]).toEqual(runs[0]);
  });

  it('is not meant to be called: XState resolves it', () => {
    const queueActions = actionQueueFor<Context, Event, Emitted>();
    const action = queueActions(() => {});
    expect(() => action({} as never, undefined)).toThrow(/XState resolves this action/);
  });
});
