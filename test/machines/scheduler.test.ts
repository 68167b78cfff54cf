// The scheduler index (machines/scheduler.ts) must keep XState's timer semantics (an actor that
// stops loses its own pending timers and no one else's, a re-entered state re-arms its timer)
// without XState's walk over every timer of the system at each stop.
import { describe, expect, it } from 'vitest';
import { SimulatedClock, assign, createActor, createMachine, raise, stopChild } from 'xstate';
import { indexScheduledEvents } from '../../src/machines/scheduler.js';

const timed = createMachine({
  initial: 'waiting',
  context: { fired: 0, rearmed: 0 },
  entry: raise({ type: 'late' }, { delay: 1_500 }), // no id: XState's default, random
  states: {
    waiting: {
      after: { 1_000: 'fired' },
      on: { rearm: { target: 'waiting', reenter: true, actions: assign({ rearmed: ({ context }) => context.rearmed + 1 }) } },
    },
    fired: {},
  },
  on: { late: { actions: assign({ fired: ({ context }) => context.fired + 1 }) } },
});

function system(count: number) {
  const clock = new SimulatedClock();
  // Stops a child the way the supervisor stops a container (a non-root actor cannot stop itself).
  const parent = createMachine({
    types: {} as { events: { type: 'end'; id: string } },
    on: { end: { actions: stopChild(({ event, system }) => system.get(event.id)) } },
  });
  const root = createActor(parent, { clock });
  indexScheduledEvents(root.system);
  root.start();
  // Counts enumerations of the system's map of delayed events (XState's cancelAll walks it); set
  // after start, which replaces the map.
  const internals = root.system as unknown as { _snapshot: { _scheduledEvents: object } };
  let enumerations = 0;
  internals._snapshot._scheduledEvents = new Proxy(internals._snapshot._scheduledEvents, {
    ownKeys: (target) => { enumerations += 1; return Reflect.ownKeys(target); },
  });
  // Created with the root as parent, they share its system, as containers share the supervisor's.
  const children = Array.from({ length: count }, (_, i) => createActor(timed, { parent: root, id: `t${i}`, systemId: `t${i}`, clock }).start());
  return { clock, children, end: (i: number) => root.send({ type: 'end', id: `t${i}` }), scheduled: () => Object.keys(root.system.getSnapshot()._scheduledEvents).length, walks: () => enumerations };
}

describe('indexScheduledEvents', () => {
  it('an actor that stops loses its own timers and no other actor loses any', () => {
    const { clock, children, end, scheduled } = system(3);
    expect(scheduled()).toBe(6); // each child: its `after` and its delayed raise
    end(1);
    expect(scheduled()).toBe(4);
    clock.increment(1_500);
    expect(children.map((c) => c.getSnapshot().value)).toEqual(['fired', 'waiting', 'fired']);
    expect(children.map((c) => c.getSnapshot().context.fired)).toEqual([1, 0, 1]);
    expect(scheduled()).toBe(0);
  });

  it('a re-entered state re-arms its timer under the same id, and the stop still cancels it', () => {
    const { clock, children, end, scheduled } = system(2);
    const [a, b] = children as [typeof children[0], typeof children[0]];
    clock.increment(900);
    a.send({ type: 'rearm' });
    clock.increment(900); // 1800: b fired at 1000, a's timer restarted at 900
    expect(a.getSnapshot().value).toBe('waiting');
    expect(b.getSnapshot().value).toBe('fired');
    expect(scheduled()).toBe(1); // a's re-armed `after`; both delayed raises fired at 1500
    end(0);
    expect(scheduled()).toBe(0);
    clock.increment(10_000);
    expect(a.getSnapshot().value).toBe('waiting');
    expect(a.getSnapshot().context).toEqual({ fired: 1, rearmed: 1 });
  });

  it('an actor that stops does not walk the timers of the whole system (what the index is for)', () => {
    const { children, end, scheduled, walks } = system(50);
    expect(scheduled()).toBe(100);
    const before = walks(); // scheduled() itself copies the map
    for (let i = 0; i < 50; i++) end(i);
    expect(walks() - before).toBe(0); // XState's own cancelAll enumerates it once per stopping actor
    expect(children.every((c) => c.getSnapshot().status === 'stopped')).toBe(true);
    expect(scheduled()).toBe(0);
  });
});
