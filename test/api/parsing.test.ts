// The API's small parts: hosts, version prefixes, query values, filters, create bodies, routes, and
// the server over TCP and on close.
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toCreateOptions } from '../../src/runtime/api/create-config.js';
import { parseFilters } from '../../src/runtime/api/filters.js';
import { isLoopback, parseHost } from '../../src/runtime/api/host.js';
import { readBoolean, readTimestamp } from '../../src/runtime/api/query.js';
import { matchRoute, type Route } from '../../src/runtime/api/router.js';
import { serveApi } from '../../src/runtime/api/server.js';
import { splitApiVersion } from '../../src/runtime/api/version.js';
import { rawRequest, startApi } from '../support/api.js';

describe('parseHost', () => {
  it('reads unix and tcp hosts and rejects the rest', () => {
    expect(parseHost('unix:///run/berth.sock')).toEqual({ kind: 'unix', path: '/run/berth.sock' });
    expect(parseHost('unix://berth.sock')).toEqual({ kind: 'unix', path: `${process.cwd()}/berth.sock` });
    expect(parseHost('tcp://127.0.0.1:0')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 0 });
    expect(parseHost('tcp://[::1]:2376')).toEqual({ kind: 'tcp', host: '::1', port: 2376 });
    expect(parseHost('tcp://localhost')).toEqual({ kind: 'tcp', host: 'localhost', port: 2375 });
    for (const bad of ['', 'unix://', 'http://localhost:2375', 'tcp://', 'tcp://host:2375/path', '/var/run/docker.sock', 42]) {
      expect(() => parseHost(bad), String(bad)).toThrow(/Expected the host to be unix:\/\/\/path/);
    }
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.10', 'example.com'].some(isLoopback)).toBe(false);
  });
});

describe('splitApiVersion', () => {
  it('strips a version prefix and checks its range', () => {
    expect(splitApiVersion('/v1.50/containers/json')).toEqual({ version: '1.50', path: '/containers/json' });
    expect(splitApiVersion('/containers/json')).toEqual({ version: '1.51', path: '/containers/json' });
    expect(splitApiVersion('/v1.24/_ping')).toEqual({ version: '1.24', path: '/_ping' });
    expect(() => splitApiVersion('/v1.52/_ping')).toThrow('client version 1.52 is too new. Maximum supported API version is 1.51');
    expect(() => splitApiVersion('/v1.9/_ping')).toThrow(/client version 1.9 is too old/);
  });
});

describe('query values', () => {
  it('reads booleans the Docker way', () => {
    const query = new URLSearchParams('a=&b=0&c=NO&d=false&e=None&f=1&g=yes&h=anything');
    expect(['a', 'b', 'c', 'd', 'e', 'absent'].map((k) => readBoolean(query, k))).toEqual(Array(6).fill(false));
    expect(['f', 'g', 'h'].map((k) => readBoolean(query, k))).toEqual([true, true, true]);
  });

  it('reads unix timestamps with fractions to milliseconds', () => {
    const query = new URLSearchParams('a=1700000000&b=1700000000.5&c=1700000000.123456789&d=10m');
    expect(readTimestamp(query, 'a')).toBe(1_700_000_000_000);
    expect(readTimestamp(query, 'b')).toBe(1_700_000_000_500);
    expect(readTimestamp(query, 'c')).toBeCloseTo(1_700_000_000_123.456789, 3);
    expect(readTimestamp(query, 'absent')).toBeUndefined();
    expect(() => readTimestamp(query, 'd')).toThrow(/unix timestamp/);
  });

  it('reads both filter formats and rejects unknown keys', () => {
    expect(parseFilters('{"status":{"running":true,"paused":true}}', ['status'])).toEqual(new Map([['status', ['running', 'paused']]]));
    expect(parseFilters('{"status":["exited"]}', ['status'])).toEqual(new Map([['status', ['exited']]]));
    expect(parseFilters(null, ['status'])).toEqual(new Map());
    expect(() => parseFilters('{"colour":["red"]}', ['status'])).toThrow("invalid filter 'colour'");
    expect(() => parseFilters('{"status":"running"}', ['status'])).toThrow(/invalid filters/);
  });
});

describe('toCreateOptions', () => {
  it('joins Entrypoint and Cmd into the exec form, as Docker does', () => {
    expect(toCreateOptions({ Entrypoint: ['sh', '-c'], Cmd: ['echo hi'] }, undefined).cmd).toEqual(['sh', '-c', 'echo hi']);
    expect(toCreateOptions({ Entrypoint: 'printenv', Cmd: null }, 'x1').cmd).toEqual(['printenv']);
    expect(toCreateOptions({ Entrypoint: [''], Cmd: ['true'] }, undefined).cmd).toEqual(['true']);
    expect(() => toCreateOptions({ Image: 'alpine', Cmd: [], Entrypoint: null }, undefined)).toThrow(/^no command specified/);
  });

  it('maps Docker fields to engine options, with null as unset', () => {
    expect(toCreateOptions({
      Cmd: ['true'], Image: 'alpine', Env: ['A=1'], WorkingDir: '', Labels: { a: 'b' }, StopSignal: '', StopTimeout: null,
      HostConfig: { RestartPolicy: { Name: '', MaximumRetryCount: 0 }, AutoRemove: false, Init: null },
    }, 'web')).toEqual({ name: 'web', cmd: ['true'], image: 'alpine', env: ['A=1'], labels: { a: 'b' }, restart: { name: 'no' }, autoRemove: false });
  });
});

describe('matchRoute', () => {
  const handler = () => undefined;
  const routes: Route[] = [{ method: 'GET', path: '/containers/{id}/json', handler }];
  it('matches segment by segment and decodes parameters after matching', () => {
    expect(matchRoute(routes, 'GET', '/containers/a%2Fb/json')?.params).toEqual({ id: 'a/b' });
    expect(matchRoute(routes, 'GET', '/containers/a/b/json')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/containers/a/json')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/containers//json')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/containers/%zz/other')).toBeUndefined();
    expect(() => matchRoute(routes, 'GET', '/containers/%zz/json')).toThrow(/invalid percent-encoding/);
  });
});

describe('serveApi over TCP', () => {
  it('listens on loopback with a free port and reports it', async () => {
    const { engine } = await startApi();
    const api = await serveApi(engine, { host: 'tcp://127.0.0.1:0' });
    try {
      expect(api.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      const port = Number(api.url.split(':').at(-1));
      const body = await new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/_ping', agent: false }, (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => { text += chunk; });
          res.on('end', () => resolve(text));
        }).on('error', reject).end();
      });
      expect(body).toBe('OK');
    } finally {
      await api.close();
    }
  });

  it('closing ends open event streams and removes the socket', async () => {
    const { socketPath, api } = await startApi();
    const streaming = rawRequest(socketPath, '/events');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await api.close();
    expect((await streaming).status).toBe(200);
    expect(existsSync(socketPath)).toBe(false);
  });
});
