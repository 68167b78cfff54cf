// The viewer's server over a real-process engine: the page (no external resource), the JSON API,
// the commands its buttons send, and the loopback-only rules.
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { commandHeader, serveViewer } from '../../src/runtime/viewer/server.js';
import { parseLoopbackAddress } from '../../src/runtime/viewer/listen.js';
import { splitWatchOptions } from '../../src/runtime/viewer/watch.js';
import { realEngine } from '../support/real-engine.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function startViewer() {
  const engine = realEngine();
  const viewer = await serveViewer(engine, { address: { host: '127.0.0.1', port: 0 } });
  closers.push(() => viewer.close());
  return { engine, url: viewer.url.replace(/\/$/, '') };
}

function raw(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, async (res) => {
      let body = '';
      for await (const chunk of res) body += String(chunk);
      resolve({ status: res.statusCode ?? 0, body });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serveViewer', () => {
  it('serves one self-contained page: no script, style or image from anywhere else', async () => {
    const { url } = await startViewer();
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();
    expect(page).toContain('<title>berth viewer</title>');
    expect(page).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(page).not.toMatch(/@import|url\(\s*['"]?https?:/);
  });

  it('lists containers, describes one with its stop flow and timeline, and serves the statechart', async () => {
    const { engine, url } = await startViewer();
    await engine.create({ name: 'web', cmd: ['sleep', '100'] });
    await engine.start('web');
    const list = await (await fetch(`${url}/ui/api/containers`)).json() as { containers: { name: string; status: string; machineState: string }[] };
    expect(list.containers).toEqual([expect.objectContaining({ name: 'web', status: 'running', machineState: 'alive.running', stopFlowSteps: 0 })]);

    await engine.stop('web', { timeout: 1 });
    const detail = await (await fetch(`${url}/ui/api/containers/web`)).json() as { container: { Berth: { StopFlow: { state: string; signalName?: string }[] } }; summary: string; timeline: string };
    expect(detail.container.Berth.StopFlow.map((step) => step.signalName ?? step.state)).toEqual(['SIGTERM', 'exited']);
    expect(detail.summary).toMatch(/^SIGTERM -> exit 143 at 0\.\d{3} s$/);
    expect(detail.timeline).toMatch(/^<svg [^>]*class="tr"/);

    const chart = await fetch(`${url}/ui/api/statechart.svg`);
    expect(chart.headers.get('content-type')).toBe('image/svg+xml');
    expect(await chart.text()).toContain('data-path="alive.stopping.graceful"');
    const json = await (await fetch(`${url}/ui/api/statechart.json`)).json() as { id: string };
    expect(json.id).toBe('container');
    const missing = await fetch(`${url}/ui/api/containers/nosuch`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'No such container: nosuch' });
  });

  it('runs the buttons\' commands, only with the viewer\'s header', async () => {
    const { engine, url } = await startViewer();
    await engine.create({ name: 'stubborn', cmd: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done'] });
    await engine.start('stubborn');
    const refused = await fetch(`${url}/ui/api/containers/stubborn/kill`, { method: 'POST' });
    expect(refused.status).toBe(403);
    expect(engine.inspect('stubborn').State.Running).toBe(true);

    const began = Date.now();
    const stop = await fetch(`${url}/ui/api/containers/stubborn/stop?t=1`, { method: 'POST', headers: { [commandHeader]: '1' } });
    expect(await stop.json()).toEqual({ ok: true });
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);
    expect(engine.inspect('stubborn').State.ExitCode).toBe(137);

    const again = await fetch(`${url}/ui/api/containers/stubborn/stop`, { method: 'POST', headers: { [commandHeader]: '1' } });
    expect(await again.json()).toEqual({ ok: true, notModified: true, message: 'container stubborn is not running' });
    const bad = await fetch(`${url}/ui/api/containers/stubborn/restart?t=soon`, { method: 'POST', headers: { [commandHeader]: '1' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: 'Expected the timeout to be a whole number of seconds, got "soon"' });
  });

  it('answers only to a loopback host name (no DNS rebinding)', async () => {
    const { url } = await startViewer();
    const rebound = await raw(`${url}/ui/api/containers`, { headers: { Host: 'evil.example:80' } });
    expect(rebound.status).toBe(403);
    expect((await raw(`${url}/ui/api/containers`, { headers: { Host: 'localhost' } })).status).toBe(200);
  });
});

describe('--ui and --inspect', () => {
  it('take an optional port or loopback HOST:PORT, and refuse any other address', () => {
    expect(splitWatchOptions(['--ui', '--host', 'unix:///tmp/b.sock'])).toEqual([{ ui: { host: '127.0.0.1', port: 7375 } }, ['--host', 'unix:///tmp/b.sock']]);
    expect(splitWatchOptions(['--ui', '0', '--inspect=9000', '--log-level', 'debug'])).toEqual([
      { ui: { host: '127.0.0.1', port: 0 }, inspect: { host: '127.0.0.1', port: 9000 } }, ['--log-level', 'debug'],
    ]);
    expect(splitWatchOptions(['--inspect', '[::1]:0'])[0]).toEqual({ inspect: { host: '::1', port: 0 } });
    expect(splitWatchOptions(['--inspect'])[0]).toEqual({ inspect: { host: '127.0.0.1', port: 8080 } });
    expect(() => splitWatchOptions(['--ui=0.0.0.0:80'])).toThrow('--ui listens on loopback only');
    expect(() => parseLoopbackAddress('--ui', 'eighty', 7375)).toThrow('Expected --ui to be a port or 127.0.0.1:PORT, got "eighty"');
    expect(() => parseLoopbackAddress('--ui', '70000', 7375)).toThrow('Expected --ui to be a port');
  });
});
