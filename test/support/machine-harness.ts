// Runs one container machine on a SimulatedClock with the fake runtime, and records everything it
// emits, so machine tests can assert exact times and orders.
import { createActor, SimulatedClock } from 'xstate';
import { createFakeRuntime, type FakeBehaviour } from '../../src/actors/fake.js';
import { containerMachine, type ContainerCommand } from '../../src/machines/container.js';
import type { ContainerEmitted } from '../../src/machines/records.js';
import type { ContainerSpec, Timings } from '../../src/machines/spec.js';

type CommandWithoutId = ContainerCommand extends infer C ? (C extends { requestId: string } ? Omit<C, 'requestId'> : never) : never;

export function testSpec(overrides: Partial<ContainerSpec> = {}): ContainerSpec {
  return {
    id: 'c0ffee'.padEnd(64, '0'), name: 'web', cmd: ['server'], env: {}, restart: { name: 'no', maximumRetryCount: 0 },
    autoRemove: false, init: false, labels: {}, image: 'app', createdAt: 0, ...overrides,
  };
}

export function runMachine(options: { spec?: Partial<ContainerSpec>; behaviour?: FakeBehaviour; timings?: Partial<Timings> } = {}) {
  const clock = new SimulatedClock();
  const fake = createFakeRuntime({ clock, behaviour: () => options.behaviour ?? {} });
  const machine = containerMachine.provide({ actors: { runtime: fake.logic } });
  const actor = createActor(machine, { clock, input: { spec: testSpec(options.spec), timings: options.timings } });
  const emitted: Array<ContainerEmitted & { time: number }> = [];
  actor.on('*', (event) => emitted.push({ ...event, time: clock.now() }));
  actor.start();
  let nextId = 0;
  const send = (command: CommandWithoutId) => {
    const requestId = `r${++nextId}`;
    actor.send({ ...command, requestId } as ContainerCommand);
    return requestId;
  };
  return {
    clock, fake, actor, emitted, send,
    /** Lifecycle actions so far, with kill signals and die codes: ['start', 'kill 15', 'die 137', 'stop']. */
    lifecycle: () => emitted.flatMap((e) => e.type !== 'lifecycle' ? [] : [
      e.action === 'kill' ? `kill ${e.attributes.signal}` : e.action === 'die' ? `die ${e.attributes.exitCode}` : e.action,
    ]),
    /** The reply to a request, if it came, with the time it came at. */
    reply: (requestId: string) => emitted.find((e) => e.type === 'reply' && e.requestId === requestId) as
      (Extract<ContainerEmitted, { type: 'reply' }> & { time: number }) | undefined,
    state: () => actor.getSnapshot().value,
    context: () => actor.getSnapshot().context,
    /** Signals the fake process saw, as [time, signal, scope(+direct)]. */
    signalsSeen: () => fake.signals.map((s) => [s.at, s.signal, s.direct ? 'direct' : s.scope]),
  };
}
