// `berth daemon --inspect --ui` as a real subprocess: the whole actor system reaches a websocket
// receiver in Stately's wire format, the viewer serves, and SIGTERM still ends the daemon.
import { createWebSocketReceiver } from '@statelyai/inspect';
import Docker from 'dockerode';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterEach, expect, it } from 'vitest';
import { until } from '../support/real-engine.js';

const daemons: ResultPromise[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const daemon of daemons.splice(0)) if (daemon.exitCode === null) daemon.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startDaemon(dir: string, ...args: string[]) {
  const daemon = execa('node', ['bin/berth.js', 'daemon', '--host', `unix://${join(dir, 'berth.sock')}`, '--state-dir', join(dir, 'state'), '--log-level', 'warn', ...args], {
    reject: false, env: { ...process.env, BERTH_HOST: undefined }, timeout: 30_000,
  });
  daemons.push(daemon);
  let out = '';
  const printed = (pattern: RegExp) => new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(out);
      if (match) resolve(match[1]!);
    };
    daemon.stdout!.on('data', (chunk: Buffer) => { out += chunk.toString(); check(); });
    void daemon.then((result) => reject(new Error(`the daemon exited (${result.exitCode}): ${String(result.stderr)}`)));
    check();
  });
  return { daemon, printed };
}

interface Message { type: string; name?: string; sessionId: string; parentId?: string; event?: { type: string }; snapshot?: { value: unknown } }

it('--inspect: actor, event and snapshot messages for the supervisor and each container; --ui: the viewer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-watch-'));
  dirs.push(dir);
  const { daemon, printed } = startDaemon(dir, '--inspect', '0', '--ui', '0');
  const websocketUrl = await printed(/inspection events on (ws:\/\/\S+)/);
  const bridgeUrl = await printed(/Stately inspector: open (http:\/\/\S+)/);
  const viewerUrl = await printed(/berth viewer on (http:\/\/\S+)/);
  expect(websocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);

  const messages: Message[] = [];
  createWebSocketReceiver({ server: websocketUrl }).subscribe((event) => { messages.push(event as unknown as Message); });

  const docker = new Docker({ socketPath: join(dir, 'berth.sock') });
  const names = ['graceful', 'stubborn'];
  for (const name of names) {
    const container = await docker.createContainer({ name, Image: 'alpine', Cmd: ['sh', '-c', name === 'stubborn' ? 'trap "" TERM; exec sleep 100' : 'exec sleep 100'] });
    await container.start();
  }
  await docker.getContainer('stubborn').stop({ t: 1 });

  const actors = () => new Map(messages.filter((m) => m.type === '@xstate.actor').map((m) => [m.name!, m]));
  await until(() => names.every((name) => [...actors().keys()].some((key) => key.startsWith(`container:${name}:`))), 10_000, 'the containers\' actor messages');
  const supervisor = actors().get('supervisor')!;
  expect(supervisor).toBeDefined();
  const stubborn = [...actors().values()].find((m) => m.name!.startsWith('container:stubborn:'))!;
  expect(stubborn.parentId).toBe(supervisor.sessionId);
  await until(() => messages.some((m) => m.type === '@xstate.snapshot' && m.sessionId === stubborn.sessionId && m.snapshot?.value === 'exited'), 10_000, 'the stubborn container\'s exited snapshot');
  for (const actor of [supervisor, ...[...actors().values()].filter((m) => m.name!.startsWith('container:'))]) {
    const kinds = new Set(messages.filter((m) => m.sessionId === actor.sessionId).map((m) => m.type));
    expect([...kinds].sort(), actor.name).toEqual(['@xstate.actor', '@xstate.event', '@xstate.snapshot']);
  }
  const stubbornEvents = messages.filter((m) => m.type === '@xstate.event' && m.sessionId === stubborn.sessionId).map((m) => m.event!.type);
  expect(stubbornEvents).toEqual(expect.arrayContaining(['start', 'stop', 'runtime.exited']));
  const values = messages.filter((m) => m.type === '@xstate.snapshot' && m.sessionId === stubborn.sessionId).map((m) => JSON.stringify(m.snapshot!.value));
  expect(values).toEqual(expect.arrayContaining(['{"alive":{"stopping":"graceful"}}', '{"alive":{"killing":"awaitingExit"}}', '"exited"']));

  // The bridge page embeds the hosted inspector; a page from another site may not read the events.
  expect(await (await fetch(bridgeUrl)).text()).toContain('<iframe id="inspector" src="https://stately.ai/inspect">');
  const foreign = new WebSocket(websocketUrl, { origin: 'https://evil.example' });
  expect(await new Promise((resolve) => { foreign.on('unexpected-response', (_req, res) => resolve(res.statusCode)); foreign.on('open', () => resolve('open')); })).toBe(401);

  const list = await (await fetch(`${viewerUrl}ui/api/containers`)).json() as { containers: { name: string; status: string }[] };
  expect(list.containers.map((c) => [c.name, c.status]).sort()).toEqual([['graceful', 'running'], ['stubborn', 'exited']]);

  const began = Date.now();
  daemon.kill('SIGTERM');
  const result = await daemon;
  expect(result.exitCode).toBe(0);
  expect(Date.now() - began).toBeLessThan(10_000);
});

it('--ui on an address that is not loopback is refused at once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-watch-'));
  dirs.push(dir);
  const { daemon } = startDaemon(dir, '--ui', '0.0.0.0:7375');
  const result = await daemon;
  expect(result.exitCode).toBe(2);
  expect(String(result.stderr)).toMatch(/^berth daemon: --ui listens on loopback only/);
});
