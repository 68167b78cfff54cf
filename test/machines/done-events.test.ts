// The supervisor takes no step on a removed container's done event: XState would memoize the
// transitions for each such event type (one per container) on the supervisor's state nodes for
// good. The inspector still sees the event.
import { expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createEngine } from '../../src/index.js';
import { createFakeRuntime, SimulatedClock } from '../../src/testing/index.js';

it('a container that is removed sends its done event to the inspector, not through the supervisor', async () => {
  const clock = new SimulatedClock();
  const seen: InspectionEvent[] = [];
  const engine = createEngine({ runtime: createFakeRuntime({ clock }).logic, clock, inspect: (event) => seen.push(event) });
  await engine.create({ name: 'brief', cmd: ['x'] });
  await engine.start('brief');
  await engine.stop('brief');
  await engine.remove('brief');
  const isDone = (event: { type: string }) => event.type.startsWith('xstate.done.actor.container:brief:');
  const delivered = seen.filter((e) => e.type === '@xstate.event' && e.actorRef === engine.actor && isDone(e.event));
  expect(delivered).toHaveLength(1); // shown to the inspector
  const stepped = seen.filter((e) => e.type === '@xstate.snapshot' && e.actorRef === engine.actor && isDone(e.event));
  expect(stepped).toEqual([]); // was: one supervisor step per removed container, memoized for good
  // The supervisor still hears what it needs: commands, and the settled notice of a shutdown.
  await engine.create({ name: 'next', cmd: ['x'] });
  await engine.start('next');
  await engine.shutdown({ timeout: 1 });
  expect(engine.inspect('next').State.Status).toBe('exited');
});
