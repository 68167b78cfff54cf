// Whatever a client sends, the answer is a 4xx JSON error, the daemon keeps serving, and no
// container is touched.
import { expect, it } from 'vitest';
import { commands, rawRequest, responseHeaders, startApi, type RawRequestOptions } from '../support/api.js';

const json = { 'Content-Type': 'application/json' };
const create = (body: string, query = ''): [string, RawRequestOptions] => ['/containers/create' + query, { method: 'POST', headers: json, body }];

const badRequests: [string, RawRequestOptions, number][] = [
  [...create('{"Cmd": ["sleep", '), 400],
  [...create('[1, 2, 3]'), 400],
  [...create('"just a string"'), 400],
  [...create(''), 400],
  [...create('{"Cmd": 5}'), 400],
  [...create('{"Cmd": ["sleep", 5]}'), 400],
  [...create('{"Cmd": ["true"], "Env": "A=1"}'), 400],
  [...create('{"Cmd": ["true"], "Labels": {"a": 1}}'), 400],
  [...create('{"Cmd": ["true"], "StopTimeout": "ten"}'), 400],
  [...create('{"Cmd": ["true"], "StopSignal": "SIGNOPE"}'), 400],
  [...create('{"Cmd": ["true"], "HostConfig": {"RestartPolicy": {"Name": "sometimes"}}}'), 400],
  [...create('{"Cmd": ["true"], "HostConfig": {"AutoRemove": "yes"}}'), 400],
  [...create('{"Cmd": ["true"], "HostConfig": []}'), 400],
  [...create('{"Image": "alpine"}'), 400],
  [...create('{"Cmd": ["true"]}', '?name=../etc'), 400],
  [...create('{"Cmd": ["true"]}', '?name=a%2Fb'), 400],
  [...create('{"Cmd": ["true"]}', '?name=web'), 409],
  ['/containers/create', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"Cmd":["true"]}' }, 400],
  ['/containers/..%2F..%2Fetc%2Fpasswd/json', {}, 404],
  ['/containers/../../etc/passwd', {}, 404],
  ['/../_ping', {}, 404],
  ['/containers/%zz/json', {}, 400],
  ['/containers/web/json/extra', {}, 404],
  ['/containers/json', { method: 'PUT' }, 404],
  ['/containers/json', { method: 'DELETE' }, 404],
  ['/v9.99/_ping', {}, 400],
  ['/v1.0/_ping', {}, 400],
  ['/vX/_ping', {}, 404],
  ['/containers/json?filters={bad', {}, 400],
  ['/containers/json?filters=%7B%22status%22%3A5%7D', {}, 400],
  ['/containers/json?filters=%7B%22status%22%3A%5B%22sleeping%22%5D%7D', {}, 400],
  ['/containers/json?limit=many', {}, 400],
  ['/containers/web/stop?t=soon', { method: 'POST' }, 400],
  ['/containers/web/kill?signal=NOPE', { method: 'POST' }, 400],
  ['/containers/web/wait?condition=whenever', { method: 'POST' }, 400],
  ['/containers/web/logs', {}, 400],
  ['/containers/web/logs?stdout=1&tail=lots', {}, 400],
  ['/containers/web/logs?stdout=1&since=yesterday', {}, 400],
  ['/containers/web/logs?stdout=1&until=tomorrow', {}, 400],
  ['/events?since=yesterday', {}, 400],
  ['/events?filters=%7B%22volume%22%3A%5B%22x%22%5D%7D', {}, 400],
  ['/containers/web/pause', { method: 'POST' }, 409],
  ['/containers/web', { method: 'DELETE' }, 409],
];

it('answers every bad request with a 4xx JSON error and leaves every container intact', async () => {
  const { engine, socketPath } = await startApi();
  await engine.create({ name: 'web', cmd: commands.sleeper });
  await engine.create({ name: 'idle', cmd: ['true'] });
  await engine.start('web');
  await engine.pause('web');
  const before = ['web', 'idle'].map((name) => engine.inspect(name).State);

  const answers = await Promise.all(badRequests.map(async ([path, options, status]) => {
    const res = await rawRequest(socketPath, path, options);
    return { request: `${options.method ?? 'GET'} ${path} ${String(options.body ?? '').slice(0, 40)}`, status: res.status, type: res.headers['content-type'], message: JSON.parse(res.body).message, expected: status };
  }));
  for (const answer of answers) {
    expect(answer, answer.request).toMatchObject({ status: answer.expected, type: 'application/json', message: expect.any(String) });
  }
  expect(answers.find((a) => a.request.startsWith('POST /containers/create {"Cmd": 5}'))?.message).toMatch(/`Cmd`/);

  expect(['web', 'idle'].map((name) => engine.inspect(name).State)).toEqual(before);
  expect(engine.list({ all: true })).toHaveLength(2);
  expect((await rawRequest(socketPath, '/_ping')).body).toBe('OK');
});

it('refuses bodies over 1 MiB with 413, whether announced or streamed', async () => {
  const { engine, socketPath } = await startApi();
  const huge = JSON.stringify({ Cmd: ['true'], Labels: { junk: 'x'.repeat(2 * 1024 * 1024) } });
  const streamed = await rawRequest(socketPath, '/containers/create', { method: 'POST', headers: { ...json, 'Transfer-Encoding': 'chunked' }, body: huge });
  expect(streamed.status).toBe(413);
  expect(JSON.parse(streamed.body).message).toMatch(/over the 1048576-byte limit/);

  // Announced: the answer comes before the body is sent.
  const announced = await responseHeaders(socketPath, '/containers/create', { method: 'POST', headers: { ...json, 'Content-Length': 1e9 } });
  expect(announced.res.statusCode).toBe(413);
  expect(announced.res.headers.connection).toBe('close');
  announced.destroy();
  expect(engine.list({ all: true })).toHaveLength(0);
  expect((await rawRequest(socketPath, '/_ping')).body).toBe('OK');
});

it('answers a request that is not even HTTP with a JSON 400', async () => {
  const { socketPath } = await startApi();
  const { connect } = await import('node:net');
  const reply = await new Promise<string>((resolve) => {
    const socket = connect({ path: socketPath }, () => socket.write('HELLO THERE\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => { text += chunk.toString(); });
    socket.on('close', () => resolve(text));
  });
  expect(reply).toMatch(/^HTTP\/1.1 400 Bad Request\r\n/);
  expect(reply).toMatch(/Content-Type: application\/json/);
  expect((await rawRequest(socketPath, '/_ping')).body).toBe('OK');
});
