// dockerode, the Node Docker client, drives every route of the API over a real-process engine.
import type Docker from 'dockerode';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commands, rawRequest, readBody, responseHeaders, startApi } from '../support/api.js';
import { until } from '../support/real-engine.js';

/** The status and message of a rejected dockerode call. */
async function failure(promise: Promise<unknown>): Promise<{ statusCode: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const { statusCode, json } = error as { statusCode: number; json: { message?: string } | null };
    return { statusCode, message: json?.message ?? '' };
  }
  throw new Error('expected the call to fail');
}

async function run(docker: Docker, name: string, Cmd: string[], extra: Docker.ContainerCreateOptions = {}) {
  const container = await docker.createContainer({ name, Image: 'alpine', Cmd, ...extra });
  await container.start();
  // Commands that set traps say "ready" once they are set: a signal sent earlier meets the default action.
  if (Cmd.join(' ').includes('echo ready')) {
    const deadline = Date.now() + 5_000;
    while (!(await container.logs({ stdout: true })).toString().includes('ready')) {
      if (Date.now() > deadline) throw new Error(`${name} never said ready`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  return container;
}

function demux(docker: Docker, stream: NodeJS.ReadableStream): Promise<{ stdout: string; stderr: string }> {
  const stdout = new PassThrough(), stderr = new PassThrough();
  const out: string[] = [], err: string[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  docker.modem.demuxStream(stream, stdout, stderr);
  return new Promise((resolve) => stream.on('end', () => resolve({ stdout: out.join(''), stderr: err.join('') })));
}

describe('system routes', () => {
  it('ping, version and info answer with Docker\'s headers and say that commands run on the host', async () => {
    const { docker, socketPath } = await startApi();
    expect(String(await docker.ping())).toBe('OK');
    const version = await docker.version();
    expect(version.ApiVersion).toBe('1.51');
    expect(version.MinAPIVersion).toBe('1.24');
    const info = await docker.info() as { OperatingSystem: string; Warnings: string[]; Swarm: { ControlAvailable: boolean } };
    expect(info.OperatingSystem).toMatch(/runs on the host/);
    expect(info.Warnings.join()).toMatch(/image name is only recorded/);
    expect(info.Swarm.ControlAvailable).toBe(false);

    const head = await rawRequest(socketPath, '/_ping', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers).toMatchObject({
      'api-version': '1.51', ostype: 'linux', 'docker-experimental': 'false', swarm: 'inactive', 'content-length': '0',
    });
    expect(head.headers.server).toMatch(/^berth\//);
    expect((await rawRequest(socketPath, '/v1.24/_ping')).body).toBe('OK');
    const versioned = await rawRequest(socketPath, '/v1.51/version');
    expect(versioned.headers['content-type']).toBe('application/json');
  });

  it('rejects client versions outside 1.24 to 1.51 with Docker\'s messages', async () => {
    const { socketPath } = await startApi();
    const tooNew = await rawRequest(socketPath, '/v1.52/containers/json');
    expect(tooNew.status).toBe(400);
    expect(JSON.parse(tooNew.body).message).toBe('client version 1.52 is too new. Maximum supported API version is 1.51');
    const tooOld = await rawRequest(socketPath, '/v1.23/_ping');
    expect(tooOld.status).toBe(400);
    expect(JSON.parse(tooOld.body).message).toMatch(/^client version 1.23 is too old. Minimum supported API version is 1.24/);
  });
});

describe('create, inspect, list', () => {
  it('creates with Docker\'s config fields and shows them in inspect', async () => {
    const { docker } = await startApi();
    const container = await docker.createContainer({
      name: 'web', Image: 'alpine:3.20', Entrypoint: ['sh', '-c'], Cmd: ['echo "$GREETING from $PWD"'],
      Env: ['GREETING=hello'], WorkingDir: '/tmp', Labels: { tier: 'front' }, StopSignal: 'SIGINT', StopTimeout: 3,
      HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 }, Init: true },
    });
    expect(container.id).toMatch(/^[0-9a-f]{64}$/);
    const inspect = await container.inspect();
    expect(inspect).toMatchObject({
      Name: '/web', Path: 'sh', Args: ['-c', 'echo "$GREETING from $PWD"'], State: { Status: 'created', Running: false },
      Config: { Image: 'alpine:3.20', Env: ['GREETING=hello'], WorkingDir: '/tmp', Labels: { tier: 'front' }, StopSignal: 'SIGINT', StopTimeout: 3 },
      HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 }, Init: true },
    });
    await container.start();
    await container.wait();
    expect((await container.logs({ stdout: true })).toString()).toContain('hello from /tmp');
  });

  it('answers a taken name with 409, a bad name, policy or command with 400', async () => {
    const { docker } = await startApi();
    await docker.createContainer({ name: 'web', Image: 'alpine', Cmd: commands.sleeper });
    const taken = await failure(docker.createContainer({ name: 'web', Image: 'alpine', Cmd: commands.sleeper }));
    expect(taken.statusCode).toBe(409);
    expect(taken.message).toMatch(/The container name "\/web" is already in use/);
    expect((await failure(docker.createContainer({ name: 'no/slashes', Image: 'alpine', Cmd: ['true'] }))).statusCode).toBe(400);
    const policy = await failure(docker.createContainer({ Image: 'alpine', Cmd: ['true'], HostConfig: { RestartPolicy: { Name: 'sometimes' } } }));
    expect(policy.statusCode).toBe(400);
    expect(policy.message).toMatch(/restart/);
    const none = await failure(docker.createContainer({ Image: 'alpine' }));
    expect(none).toMatchObject({ statusCode: 400, message: expect.stringMatching(/^no command specified/) });
  });

  it('lists running containers, or all, filtered by status, name, id and label, newest first', async () => {
    const { docker } = await startApi();
    const front = await run(docker, 'front', commands.sleeper, { Labels: { tier: 'front' } });
    const back = await run(docker, 'back', commands.sleeper, { Labels: { tier: 'back' } });
    const idle = await docker.createContainer({ name: 'idle', Image: 'alpine', Cmd: ['true'] });
    const names = (list: Docker.ContainerInfo[]) => list.map((c) => c.Names[0]);

    expect(names(await docker.listContainers())).toEqual(['/back', '/front']);
    expect(names(await docker.listContainers({ all: true }))).toEqual(['/idle', '/back', '/front']);
    expect(names(await docker.listContainers({ filters: { status: ['created'] } }))).toEqual(['/idle']);
    expect(names(await docker.listContainers({ filters: '{"status":{"running":true}}' }))).toEqual(['/back', '/front']);
    expect(names(await docker.listContainers({ all: true, filters: { name: ['fro'] } }))).toEqual(['/front']);
    expect(names(await docker.listContainers({ all: true, filters: { id: [idle.id.slice(0, 12)] } }))).toEqual(['/idle']);
    expect(names(await docker.listContainers({ filters: { label: ['tier=back'] } }))).toEqual(['/back']);
    expect(names(await docker.listContainers({ filters: { label: ['tier'] } }))).toEqual(['/back', '/front']);
    expect(names(await docker.listContainers({ limit: 1 }))).toEqual(['/idle']);

    const [summary] = await docker.listContainers({ filters: { name: ['^/front$'] } });
    expect(summary).toMatchObject({ Id: front.id, Image: 'alpine', Command: 'sleep 1000', State: 'running', Labels: { tier: 'front' } });
    expect(summary!.Status).toMatch(/^Up /);
    expect(typeof summary!.Created).toBe('number');

    expect(await failure(docker.listContainers({ filters: { status: ['sleeping'] } }))).toMatchObject({ statusCode: 400, message: expect.stringMatching(/invalid filter 'status=sleeping'/) });
    expect((await failure(docker.listContainers({ filters: { colour: ['red'] } }))).statusCode).toBe(400);
    await back.stop({ t: 1 });
  });
});

describe('lifecycle routes', () => {
  it('start answers 304 when running; stop is graceful, or SIGKILL after t for a SIGTERM-ignoring container', async () => {
    const { docker } = await startApi();
    const sleeper = await run(docker, 'sleeper', commands.sleeper);
    expect((await failure(sleeper.start())).statusCode).toBe(304);
    await sleeper.stop({ t: 5 });
    expect((await sleeper.inspect()).State).toMatchObject({ Status: 'exited', ExitCode: 143 });
    expect((await failure(sleeper.stop())).statusCode).toBe(304);

    const stubborn = await run(docker, 'stubborn', commands.stubborn);
    const began = Date.now();
    await stubborn.stop({ t: 1 });
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(5_000);
    expect((await stubborn.inspect()).State).toMatchObject({ Status: 'exited', ExitCode: 137 });
  });

  it('restart runs a new process; kill delivers a signal, or SIGKILL by default', async () => {
    const { docker } = await startApi();
    await run(docker, 'reloader', commands.reloader);
    const reloader = docker.getContainer('reloader'); // by name: Docker words errors with the name the client gave
    const firstPid = (await reloader.inspect()).State.Pid;
    await reloader.restart({ t: 1 });
    const after = await reloader.inspect();
    expect(after.State.Status).toBe('running');
    expect(after.State.Pid).not.toBe(firstPid);

    const badSignal = await failure(reloader.kill({ signal: 'NOPE' }));
    expect(badSignal).toMatchObject({ statusCode: 400, message: expect.stringMatching(/^cannot kill container: reloader: invalid signal/) });
    await reloader.kill();
    expect((await reloader.inspect()).State.ExitCode).toBe(137);
    const stopped = await failure(reloader.kill());
    expect(stopped).toMatchObject({ statusCode: 409, message: expect.stringMatching(/^cannot kill container: reloader: .*not running/) });
  });

  it('kill -s HUP reaches a running container, which keeps running', async () => {
    const { docker, engine } = await startApi();
    const reloader = await run(docker, 'reloader', commands.reloader);
    await until(() => engine.logs('reloader').some((l) => l.text === 'ready'), 5_000, 'ready');
    await reloader.kill({ signal: 'HUP' });
    await until(() => engine.logs('reloader').some((l) => l.text === 'reloaded'), 5_000, 'the HUP trap');
    expect((await reloader.inspect()).State.Running).toBe(true);
    await reloader.kill();
  });

  it('pause and unpause, with Docker\'s 409 and 500', async () => {
    const { docker } = await startApi();
    const sleeper = await run(docker, 'sleeper', commands.sleeper);
    await sleeper.pause();
    expect((await sleeper.inspect()).State.Status).toBe('paused');
    expect((await failure(sleeper.pause())).statusCode).toBe(409);
    await sleeper.unpause();
    expect((await sleeper.inspect()).State.Status).toBe('running');
    expect(await failure(sleeper.unpause())).toMatchObject({ statusCode: 500, message: expect.stringMatching(/is not paused/) });
  });

  it('remove: 409 while running, force kills first, then 404', async () => {
    const { docker } = await startApi();
    await run(docker, 'sleeper', commands.sleeper);
    const sleeper = docker.getContainer('sleeper');
    expect(await failure(sleeper.remove())).toMatchObject({ statusCode: 409, message: expect.stringMatching(/container is running/) });
    await sleeper.remove({ force: true });
    expect(await failure(sleeper.inspect())).toMatchObject({ statusCode: 404, message: 'No such container: sleeper' });
    expect((await failure(sleeper.remove())).statusCode).toBe(404);
  });

  it('answers 404 for an unknown container on every route, and for an unknown route', async () => {
    const { docker, socketPath } = await startApi();
    const ghost = docker.getContainer('ghost');
    for (const call of [ghost.inspect(), ghost.start(), ghost.stop(), ghost.restart(), ghost.pause(), ghost.unpause(), ghost.wait(), ghost.remove(), ghost.logs({ stdout: true })]) {
      expect(await failure(call)).toMatchObject({ statusCode: 404, message: 'No such container: ghost' });
    }
    expect(await failure(ghost.kill())).toMatchObject({ statusCode: 404, message: 'cannot kill container: ghost: No such container: ghost' });
    const unknown = await rawRequest(socketPath, '/v1.51/images/json');
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).message).toBe('page not found: berth serves the container lifecycle part of the Docker Engine API, which has no GET /images/json (berth\'s README lists the endpoints)');
    expect(unknown.headers['content-type']).toBe('application/json');
  });
});

describe('wait', () => {
  it('flushes 200 before waiting: a next-exit wait registered before start sees the exit', async () => {
    const { docker, socketPath } = await startApi();
    const container = await docker.createContainer({ name: 'short', Image: 'alpine', Cmd: ['sh', '-c', 'exit 3'] });
    const { res } = await responseHeaders(socketPath, `/v1.51/containers/${container.id}/wait?condition=next-exit`, { method: 'POST' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    await container.start();
    expect(JSON.parse(await readBody(res))).toEqual({ StatusCode: 3 });
    // Before API 1.30 the headers came only with the result.
    expect(await rawRequest(socketPath, '/v1.29/containers/short/wait', { method: 'POST' })).toMatchObject({ status: 200, body: '{"StatusCode":3}\n' });
  });

  it('not-running answers at once for a stopped container, else on the exit; bad conditions are 400', async () => {
    const { docker } = await startApi();
    const sleeper = await run(docker, 'sleeper', commands.sleeper);
    const waiting = sleeper.wait();
    await sleeper.kill({ signal: 'TERM' });
    expect(await waiting).toEqual({ StatusCode: 143 });
    expect(await sleeper.wait()).toEqual({ StatusCode: 143 });
    expect(await failure(sleeper.wait({ condition: 'whenever' as 'removed' }))).toMatchObject({ statusCode: 400, message: expect.stringMatching(/^invalid condition: "whenever"/) });
  });

  it('a client that goes away cancels only its wait', async () => {
    const { docker, socketPath, engine } = await startApi();
    const sleeper = await run(docker, 'sleeper', commands.sleeper);
    const { destroy } = await responseHeaders(socketPath, '/containers/sleeper/wait', { method: 'POST' });
    destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(engine.inspect('sleeper').State.Running).toBe(true);
    const waiting = sleeper.wait();
    await sleeper.stop({ t: 1 });
    expect(await waiting).toEqual({ StatusCode: 143 });
  });
});

describe('logs', () => {
  it('demultiplexes stdout and stderr, with tail and timestamps', async () => {
    const { docker, socketPath } = await startApi();
    const container = await run(docker, 'talker', ['sh', '-c', 'echo out1; echo err1 >&2; echo out2']);
    await container.wait();
    const all = await demux(docker, Readable.from([await container.logs({ stdout: true, stderr: true })]));
    expect(all).toEqual({ stdout: 'out1\nout2\n', stderr: 'err1\n' });
    const tail = await demux(docker, Readable.from([await container.logs({ stdout: true, tail: 1 })]));
    expect(tail).toEqual({ stdout: 'out2\n', stderr: '' });
    const stamped = await demux(docker, Readable.from([await container.logs({ stderr: true, timestamps: true })]));
    expect(stamped.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z err1\n$/);

    const modern = await rawRequest(socketPath, '/v1.51/containers/talker/logs?stdout=1');
    expect(modern.headers['content-type']).toBe('application/vnd.docker.multiplexed-stream');
    const legacy = await rawRequest(socketPath, '/v1.41/containers/talker/logs?stdout=1');
    expect(legacy.headers['content-type']).toBe('application/vnd.docker.raw-stream');
    expect((await rawRequest(socketPath, '/containers/talker/logs')).status).toBe(400);
  });

  it('follows a running container until it exits', async () => {
    const { docker } = await startApi();
    const container = await run(docker, 'ticker', ['sh', '-c', 'echo one; sleep 0.3; echo two >&2; sleep 0.2; echo three']);
    const stream = await container.logs({ follow: true, stdout: true, stderr: true });
    expect(await demux(docker, stream)).toEqual({ stdout: 'one\nthree\n', stderr: 'two\n' });
  });
});

describe('events', () => {
  it('replays since..until in order, with legacy fields and filters', async () => {
    const { docker } = await startApi();
    const since = Date.now() / 1000;
    const container = await run(docker, 'evented', commands.sleeper, { Labels: { app: 'x' } });
    await container.stop({ t: 1 });
    const until = Date.now() / 1000 + 0.05;
    const read = async (options: object) => {
      const body = await readStream(await docker.getEvents({ since, until, ...options }));
      return body.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
    };
    const events = await read({});
    expect(events.map((e) => e.Action)).toEqual(['create', 'start', 'kill', 'die', 'stop']);
    expect(events[0]).toMatchObject({
      Type: 'container', status: 'create', id: container.id, from: 'alpine', scope: 'local',
      Actor: { ID: container.id, Attributes: { name: 'evented', image: 'alpine', app: 'x' } },
    });
    expect(events[3].Actor.Attributes.exitCode).toBe('143');
    expect((await read({ filters: { event: ['die'] } })).map((e) => e.Action)).toEqual(['die']);
    expect(await read({ filters: { container: ['other'] } })).toEqual([]);
    expect((await read({ filters: { label: ['app=x'], type: ['container'] } })).length).toBe(5);
    expect(await read({ filters: { type: ['network'] } })).toEqual([]);
  });

  it('streams live events until the client goes away', async () => {
    const { docker, socketPath } = await startApi();
    const { res, destroy } = await responseHeaders(socketPath, '/v1.51/events');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const lines: string[] = [];
    res.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    await run(docker, 'live', commands.sleeper);
    await until(() => lines.length >= 2, 5_000, 'create and start');
    expect(lines.map((line) => JSON.parse(line).Action)).toEqual(['create', 'start']);
    destroy();
  });
});

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString();
}
