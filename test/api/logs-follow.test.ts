// A `docker logs -f` client that reads slower than its container writes must not make the daemon
// buffer without bound: past 8 MiB behind, its stream ends with a notice. Without the cap this
// test never ends (the stream follows `yes` for good, and the daemon grew by 100 MB/s).
import { expect, it } from 'vitest';
import { rawRequest, readBody, responseHeaders, startApi } from '../support/api.js';
import { until } from '../support/real-engine.js';

it('a follower that does not read is cut off with a notice; the daemon answers throughout and the container runs on', async () => {
  const { engine, socketPath } = await startApi();
  await engine.create({ name: 'chat', cmd: ['yes'] });
  await engine.start('chat');
  const { res } = await responseHeaders(socketPath, '/v1.43/containers/chat/logs?follow=1&stdout=1');
  expect(res.statusCode).toBe(200);
  // Not read: the socket's buffers fill and the daemon's share of the backlog grows.
  await until(() => engine.logs('chat', { tail: 1 }).length === 1, 5_000, 'yes to write');
  const ping = await rawRequest(socketPath, '/_ping');
  expect(ping).toMatchObject({ status: 200, body: 'OK' });
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const body = await readBody(res);
  expect(body.slice(-300)).toContain('berth: stopped following: this client fell more than 8388608 bytes behind');
  expect(body.length).toBeLessThan(64 * 1024 * 1024);
  expect(engine.inspect('chat').State.Status).toBe('running');
});
