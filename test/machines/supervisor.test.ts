// How commands reach a container's machine: the engine sends them to the container's actor
// itself (the supervisor would only pass them on, at the cost of a step each), and the supervisor
// still passes on the `container.command` an embedder sends it through `engine.actor`.
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { createEngine } from '../../src/index.js';
import type { ContainerEmitted } from '../../src/machines/records.js';
import { containerActorId } from '../../src/machines/supervisor.js';
import { createFakeRuntime, SimulatedClock } from '../../src/testing/index.js';

function fakeEngine(inspect?: (event: InspectionEvent) => void) {
  const clock = new SimulatedClock();
  return createEngine({ runtime: createFakeRuntime({ clock }).logic, clock, ...(inspect ? { inspect } : {}) });
}

describe('command routing', () => {
  it('an engine command goes straight to the container: the supervisor takes no step for it', async () => {
    const seen: InspectionEvent[] = [];
    const engine = fakeEngine((event) => seen.push(event));
    const { id } = await engine.create({ name: 'direct', cmd: ['x'] });
    const container = engine.actor.system.get(containerActorId({ id, name: 'direct' }));
    await engine.start('direct');
    seen.length = 0;
    await engine.stop('direct');
    const supervisorSteps = seen.flatMap((e) => (e.type === '@xstate.snapshot' && e.actorRef === engine.actor ? [e.event.type] : []));
    expect(supervisorSteps).not.toContain('container.command');
    const stopSeenBy = seen.flatMap((e) => (e.type === '@xstate.event' && e.event.type === 'stop' ? [e.actorRef] : []));
    expect(stopSeenBy).toEqual([container]); // the inspector still shows it, on the container
    expect(engine.inspect('direct').State.Status).toBe('exited');
    await engine.shutdown({ timeout: 1 });
  });

  it('the supervisor passes on a container.command sent to engine.actor, and answers for a missing container', async () => {
    const engine = fakeEngine();
    const { id } = await engine.create({ name: 'routed', cmd: ['x'] });
    const replies: ContainerEmitted[] = [];
    const actorId = containerActorId({ id, name: 'routed' });
    engine.actor.system.get(actorId)!.on('reply', (reply: ContainerEmitted) => replies.push(reply));
    engine.actor.on('reply', (reply: ContainerEmitted) => replies.push(reply));
    engine.actor.send({ type: 'container.command', actorId, command: { type: 'start', requestId: 'mine-1' } });
    expect(engine.inspect('routed').State.Status).toBe('running');
    engine.actor.send({ type: 'container.command', actorId: 'container:gone:000000000000', command: { type: 'stop', requestId: 'mine-2' } });
    expect(replies).toEqual([
      { type: 'reply', requestId: 'mine-1', ok: true },
      { type: 'reply', requestId: 'mine-2', ok: false, error: { kind: 'NotFound', message: 'No such container: container:gone:000000000000' } },
    ]);
    await engine.shutdown({ timeout: 1 });
  });

  it('an exit takes the supervisor no step unless a shutdown waits for it', async () => {
    const seen: InspectionEvent[] = [];
    const engine = fakeEngine((event) => seen.push(event));
    for (const name of ['quiet', 'last']) {
      await engine.create({ name, cmd: ['x'] });
      await engine.start(name);
    }
    seen.length = 0;
    await engine.stop('quiet');
    const supervisorEvents = () => seen.flatMap((e) => (e.type === '@xstate.event' && e.actorRef === engine.actor ? [e.event.type] : []));
    expect(supervisorEvents()).toEqual([]);
    const result = await engine.shutdown({ timeout: 1 });
    expect(result.forced).toBe(false);
    expect(supervisorEvents()).toEqual(['shutdown', 'container.settled']); // 'last' only: 'quiet' was not running
  });
});
