// POST /containers/{id}/attach over an upgraded connection, with dockerode's hijacking client and
// raw sockets: the output of a container attached before its start, the end of the stream at its
// exit, and Docker's JSON errors for what cannot be attached.
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startApi } from '../support/api.js';

// Everything a socket receives until the server ends it.
function rawUpgrade(socketPath: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => { socket.end(); resolve(Buffer.concat(chunks).toString('latin1')); });
    socket.write(`POST ${path} HTTP/1.1\r\nHost: berth\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n`);
  });
}

describe('attach', () => {
  it('dockerode attaches to a created container, starts it and reads its output to the exit', async () => {
    const { docker, engine } = await startApi();
    const container = await docker.createContainer({ name: 'attached', Image: 'alpine', Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 3'] });
    const stream = await container.attach({ stream: true, stdout: true, stderr: true, hijack: true });
    const stdout = new PassThrough(), stderr = new PassThrough();
    const out: string[] = [], err: string[] = [];
    stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
    stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
    docker.modem.demuxStream(stream, stdout, stderr);
    const ended = new Promise((resolve) => stream.on('end', resolve));
    await container.start();
    await ended; // the daemon ends the stream once the container has exited
    expect(out.join('')).toBe('out\n');
    expect(err.join('')).toBe('err\n');
    expect(engine.inspect('attached').State).toMatchObject({ Status: 'exited', ExitCode: 3 });
  });

  it('logs=1 sends what the container wrote before; an exited container ends the stream at once', async () => {
    const { socketPath, engine } = await startApi();
    await engine.create({ name: 'finished', cmd: ['sh', '-c', 'echo earlier'] });
    await engine.start('finished');
    await engine.wait('finished');
    const reply = await rawUpgrade(socketPath, '/v1.47/containers/finished/attach?stream=1&stdout=1&stderr=1&logs=1');
    expect(reply).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n/);
    expect(reply.endsWith('\x01\x00\x00\x00\x00\x00\x00\x08earlier\n')).toBe(true); // one stdout frame of 8 bytes
  });

  it('what cannot be attached gets Docker\'s JSON error, and the connection ends', async () => {
    const { socketPath } = await startApi();
    const missing = await rawUpgrade(socketPath, '/containers/nope/attach?stream=1&stdout=1');
    expect(missing).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(missing).toMatch(/\{"message":"No such container: nope"\}$/);
    const other = await rawUpgrade(socketPath, '/containers/json');
    expect(other).toMatch(/^HTTP\/1\.1 404 Not Found\r\n[\s\S]*upgrades a connection only to attach to a container/);
    const noStreams = await rawUpgrade(socketPath, '/containers/nope/attach?stream=1');
    expect(noStreams).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*attach needs stdout=1, stderr=1 or both/);
  });

  it('closing the server ends an attached stream; the container runs on', async () => {
    const { socketPath, engine, api } = await startApi();
    await engine.create({ name: 'long', cmd: ['sleep', '30'] });
    await engine.start('long');
    const reply = rawUpgrade(socketPath, '/containers/long/attach?stream=1&stdout=1&stderr=1');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await api.close();
    expect(await reply).toMatch(/^HTTP\/1\.1 101 UPGRADED/);
    expect(engine.inspect('long').State.Status).toBe('running');
  });
});
