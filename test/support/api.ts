// The API served in-process over a real-process engine on a temporary unix socket, a dockerode
// client for it, and raw HTTP requests for what dockerode never sends. The server, the engine and
// every container are closed after each test, even a failed one.
import Docker from 'dockerode';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { serveApi, type ApiServer } from '../../src/runtime/api/server.js';
import type { Engine, EngineOptions } from '../../src/index.js';
import { realEngine } from './real-engine.js';

export interface TestApi {
  engine: Engine;
  api: ApiServer;
  socketPath: string;
  docker: Docker;
}

const cleanups: (() => Promise<void>)[] = [];

/** A fresh engine and API server on a socket in a new temporary directory. */
export async function startApi(options: EngineOptions = {}): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-api-'));
  const socketPath = join(dir, 'api.sock');
  const engine = realEngine(options);
  const api = await serveApi(engine, { host: `unix://${socketPath}` });
  cleanups.push(async () => {
    await engine.shutdown({ timeout: 2 });
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { engine, api, socketPath, docker: new Docker({ socketPath }) };
}

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string | number>;
}

/** One HTTP request over the socket, no connection reuse; resolves with the whole response. */
export function rawRequest(socketPath: string, path: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = openRequest(socketPath, path, options, async (res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res) chunks.push(chunk as Buffer);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Opens a request and hands over the response as soon as its headers arrive (for streams and waits). */
export function openRequest(
  socketPath: string, path: string, options: RawRequestOptions, onResponse: (res: IncomingMessage) => void,
) {
  return request({ socketPath, path, method: options.method ?? 'GET', headers: options.headers, agent: false }, onResponse);
}

/** The response's headers, once they arrive; the body stays unread. */
export function responseHeaders(socketPath: string, path: string, options: RawRequestOptions = {}) {
  return new Promise<{ res: IncomingMessage; destroy(): void }>((resolve, reject) => {
    const req = openRequest(socketPath, path, options, (res) => resolve({ res, destroy: () => req.destroy() }));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Reads a response body to its end. */
export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** Container commands for the tests: each one's behaviour on SIGTERM and SIGHUP. */
export const commands = {
  /** Dies of SIGTERM at once (143). */
  sleeper: ['sleep', '1000'],
  /** Ignores SIGTERM: only SIGKILL ends it (137). */
  stubborn: ['sh', '-c', 'trap "" TERM; echo ready; exec sleep 1000'],
  /** Prints "reloaded" on SIGHUP and keeps running; ignores SIGTERM. */
  reloader: ['sh', '-c', 'trap "echo reloaded" HUP; trap "" TERM; echo ready; while :; do sleep 1 & wait $!; done'],
};
