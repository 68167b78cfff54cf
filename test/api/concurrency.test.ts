// Many clients at once: requests are independent engine calls, and every event stream gets every
// event in the same order.
import type { IncomingMessage } from 'node:http';
import { expect, it } from 'vitest';
import { commands, responseHeaders, startApi } from '../support/api.js';
import { until } from '../support/real-engine.js';

const containers = 50;
const streams = 20;

it('50 parallel stops while 20 event streams are open: every stream receives every event, in the same order', async () => {
  const { docker, socketPath } = await startApi();
  const created = await Promise.all(Array.from({ length: containers }, (_, i) =>
    docker.createContainer({ name: `c${i}`, Image: 'alpine', Cmd: commands.sleeper, StopTimeout: 5 })));
  await Promise.all(created.map((container) => container.start()));

  const received: string[][] = [];
  const opened: { res: IncomingMessage; destroy(): void }[] = [];
  for (let i = 0; i < streams; i++) {
    const stream = await responseHeaders(socketPath, '/v1.51/events');
    const lines: string[] = [];
    let partial = '';
    stream.res.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      for (const part of parts) {
        const event = JSON.parse(part) as { Action: string; Actor: { Attributes: { name: string } } };
        lines.push(`${event.Actor.Attributes.name} ${event.Action}`);
      }
    });
    received.push(lines);
    opened.push(stream);
  }

  await Promise.all(created.map((container) => container.stop()));
  const expected = containers * 3; // kill, die, stop
  await until(() => received.every((lines) => lines.length >= expected), 10_000, 'every event on every stream');
  for (const stream of opened) stream.destroy();

  for (const lines of received) expect(lines).toEqual(received[0]);
  const first = received[0]!;
  expect(first).toHaveLength(expected);
  for (let i = 0; i < containers; i++) {
    const order = ['kill', 'die', 'stop'].map((action) => first.indexOf(`c${i} ${action}`));
    expect(order.every((at) => at >= 0), `c${i}`).toBe(true);
    expect([...order].sort((a, b) => a - b), `c${i}`).toEqual(order);
  }
  const states = await docker.listContainers({ all: true });
  expect(states.map((c) => c.State)).toEqual(Array(containers).fill('exited'));
});
