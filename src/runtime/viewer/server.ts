// The berth viewer's server (`berth daemon --ui`): one static page and a small JSON API over the
// engine, on loopback only. The page polls it; everything it shows is computed here from the
// engine's snapshots (inspect, StopFlow) and from the machine definition (the statechart).
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import { BerthError, InvalidArgumentError, NotFoundError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { statechartOf, toSvg } from '../diagram.js';
import { renderTraceSvg, summarize, timelineOf } from '../trace.js';
import { messageOf } from '../../machines/records.js';
import { hasLoopbackHost, listenLoopback, type LoopbackAddress } from './listen.js';

export interface ViewerOptions {
  /** A loopback address (parseLoopbackAddress); port 0 picks a free one. */
  address: LoopbackAddress;
  logger?: Logger;
  /** The engine's clock, to draw an unfinished stop flow up to now (default Date.now). */
  now?: () => number;
}

/** A listening viewer. */
export interface Viewer {
  /** The page's address, e.g. http://127.0.0.1:7375/ */
  url: string;
  close(): Promise<void>;
}

/** Header every command request must carry: a page on another site cannot send it without CORS, which is never granted. */
export const commandHeader = 'x-berth-viewer';

const actions = ['start', 'stop', 'kill', 'pause', 'unpause', 'restart'] as const;
type Action = (typeof actions)[number];

/**
 * Serves the viewer for `engine`.
 * @example
 * const viewer = await serveViewer(engine, { address: { host: '127.0.0.1', port: 0 } });
 * console.log(`open ${viewer.url}`);
 */
export async function serveViewer(engine: Engine, options: ViewerOptions): Promise<Viewer> {
  const logger = options.logger ?? silentLogger();
  const now = options.now ?? Date.now;
  const page = readPage();
  let statechart: Promise<string> | undefined;
  const chartSvg = () => (statechart ??= toSvg(statechartOf()));
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!(error instanceof BerthError)) logger.error({ err: error, url: req.url }, 'viewer: could not answer a request');
      sendError(res, error);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hasLoopbackHost(req.headers.host)) return sendJson(res, 403, { message: 'the berth viewer answers only to a loopback host name (127.0.0.1, localhost, [::1])' });
    const url = new URL(req.url ?? '/', 'http://viewer');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && (url.pathname === '/' || url.pathname === '/index.html')) return send(res, 200, 'text/html; charset=utf-8', page);
    if (parts[0] !== 'ui' || parts[1] !== 'api') throw new NotFoundError(`no such page: ${url.pathname}`);
    const [, , resource, ref, action, ...rest] = parts;
    if (req.method === 'GET' && resource === 'statechart.svg' && !ref) return send(res, 200, 'image/svg+xml', await chartSvg());
    if (req.method === 'GET' && resource === 'statechart.json' && !ref) return sendJson(res, 200, statechartOf());
    if (resource !== 'containers' || rest.length > 0) throw new NotFoundError(`no such resource: ${url.pathname}`);
    if (req.method === 'GET' && !ref) return sendJson(res, 200, { now: now(), containers: listContainers(engine) });
    if (req.method === 'GET' && ref && !action) return sendJson(res, 200, describeContainer(engine, ref, now()));
    if (req.method === 'GET' && ref && action === 'trace.svg') {
      const inspect = engine.inspect(ref);
      return send(res, 200, 'image/svg+xml', renderTraceSvg({ name: inspect.Name.slice(1), steps: inspect.Berth.StopFlow, now: now() }));
    }
    if (req.method === 'POST' && ref && isAction(action)) {
      if (req.headers[commandHeader] !== '1') return sendJson(res, 403, { message: `commands need the ${commandHeader}: 1 header (the viewer page sends it)` });
      await runAction(engine, ref, action, url.searchParams);
      return sendJson(res, 200, { ok: true });
    }
    throw new NotFoundError(`no such resource: ${req.method} ${url.pathname}`);
  }

  const { url } = await listenLoopback(server, options.address, 'berth viewer');
  logger.info({ url }, 'viewer listening');
  let closed: Promise<void> | undefined;
  return {
    url,
    close: () => (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })),
  };
}

/** The containers as the list shows them: name, Docker status, machine state, last exit and stop flow. */
function listContainers(engine: Engine) {
  return engine.list({ all: true }).map((summary) => {
    const inspect = engine.inspect(summary.Id);
    return {
      id: summary.Id,
      name: summary.Names[0]!.slice(1),
      image: summary.Image,
      command: summary.Command,
      status: summary.State,
      statusText: summary.Status,
      machineState: inspect.Berth.MachineState,
      exitCode: inspect.State.ExitCode,
      stopFlowSteps: inspect.Berth.StopFlow.length,
    };
  });
}

function describeContainer(engine: Engine, ref: string, at: number) {
  const inspect = engine.inspect(ref);
  const name = inspect.Name.slice(1);
  const trace = { name, steps: inspect.Berth.StopFlow, now: at };
  return { now: at, container: inspect, summary: inspect.Berth.StopFlow.length ? summarize(timelineOf(trace)) : '', timeline: renderTraceSvg(trace, { width: 900 }) };
}

function isAction(action: string | undefined): action is Action {
  return (actions as readonly string[]).includes(action ?? '');
}

// The engine call for a button; `t` is the stop timeout in seconds and `signal` the signal, as in the API.
async function runAction(engine: Engine, ref: string, action: Action, query: URLSearchParams): Promise<void> {
  const timeout = readTimeout(query.get('t'));
  const signal = query.get('signal') || undefined;
  const stopOptions = { ...(timeout === undefined ? {} : { timeout }), ...(signal === undefined ? {} : { signal }) };
  switch (action) {
    case 'start': return engine.start(ref);
    case 'stop': return engine.stop(ref, stopOptions);
    case 'restart': return engine.restart(ref, stopOptions);
    case 'kill': return engine.kill(ref, signal === undefined ? {} : { signal });
    case 'pause': return engine.pause(ref);
    case 'unpause': return engine.unpause(ref);
  }
}

function readTimeout(text: string | null): number | undefined {
  if (text === null || text.trim() === '') return undefined;
  if (!/^-?\d+$/.test(text.trim())) throw new InvalidArgumentError(`Expected the timeout to be a whole number of seconds, got ${JSON.stringify(text)}`);
  return Number(text);
}

// The page is one file beside this module's source: src/runtime/viewer/page/ (from dist/, the same folder in src/).
function readPage(): string {
  const candidates = [new URL('./page/index.html', import.meta.url), new URL('../../../../src/runtime/viewer/page/index.html', import.meta.url)];
  for (const candidate of candidates) {
    try {
      return readFileSync(candidate, 'utf8');
    } catch { /* try the next */ }
  }
  throw new NotFoundError(`the viewer page is missing: expected src/runtime/viewer/page/index.html in the berth folder`);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json', JSON.stringify(body));
}

// A 304 (stop of a stopped container) is a success with a word for the page, which cannot read a 304's body.
function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const message = messageOf(error);
  const status = error instanceof BerthError ? error.status : 500;
  if (status === 304) return sendJson(res, 200, { ok: true, notModified: true, message });
  sendJson(res, status, { message });
}
