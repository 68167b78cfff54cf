// serveApi(): the Docker Engine API over an engine, on a unix socket (mode 0600) or a TCP port,
// with node:http and no framework. Requests are independent engine calls, so they run
// concurrently; closing ends every open stream and wait, then removes the socket file.
import { setMaxListeners } from 'node:events';
import { chmod, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo, ListenOptions, Socket } from 'node:net';
import type { Engine } from '../engine.js';
import { BerthError, ConflictError, InvalidArgumentError, SystemError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { handleUpgrade } from './attach.js';
import { handleRequest } from './handle-request.js';
import { rawJsonError } from './respond.js';
import { isLoopback, parseHost, type ApiHost } from './host.js';
import { readServerVersion } from './server-version.js';
import { clearStaleSocket } from './unix-socket.js';

/** Options of serveApi. */
export interface ApiServerOptions {
  /** `unix:///path/berth.sock`, or `tcp://127.0.0.1:PORT` (port 0 picks a free one). */
  host: string;
  /** A pino logger: one debug line per request, errors, and the warning for a non-loopback address. */
  logger?: Logger;
}

/** A listening API server. */
export interface ApiServer {
  /** Where it listens, with the real port: `unix:///path/berth.sock` or `tcp://127.0.0.1:41234`. */
  url: string;
  /** Stops listening, ends open event and log streams and waits, removes the socket file. */
  close(): Promise<void>;
}

/** How long close() lets clients read the end of their streams before it cuts their connections. */
const closeGraceMs = 2_000;

/**
 * Serves the Docker Engine API subset berth implements (docker-lifecycle.md (i)) over `engine`.
 * @example
 * const engine = createEngine();
 * const api = await serveApi(engine, { host: 'unix:///tmp/berth.sock' });
 * // DOCKER_HOST=unix:///tmp/berth.sock docker run -d alpine sleep 100
 * await engine.shutdown();
 * await api.close();
 */
export async function serveApi(engine: Engine, options: ApiServerOptions): Promise<ApiServer> {
  const host = parseHost(options.host);
  const logger = options.logger ?? silentLogger();
  const closing = new AbortController();
  setMaxListeners(0, closing.signal); // one listener per request in flight, by design
  const context = { engine, logger, serverVersion: readServerVersion(), closing: closing.signal };
  const server = createServer((req, res) => {
    handleRequest(context, req, res).catch((error: unknown) => {
      logger.error({ err: error, method: req.method, url: req.url }, 'could not answer a request');
      res.destroy();
    });
  });
  server.on('clientError', answerMalformedRequest);
  // Without this listener Node would answer an upgrade request as a plain one (a 404 here).
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => void handleUpgrade(context, req, socket));
  const url = await listen(server, host, logger);
  logger.info({ host: url }, 'API listening');
  let closed: Promise<void> | undefined;
  return {
    url,
    close: () => (closed ??= (async () => {
      closing.abort(new Error('the berth API server is shutting down'));
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), closeGraceMs);
      await stopped;
      clearTimeout(cut);
      if (host.kind === 'unix') await rm(host.path, { force: true });
      logger.info({ host: url }, 'API closed');
    })()),
  };
}

async function listen(server: Server, host: ApiHost, logger: Logger): Promise<string> {
  if (host.kind === 'unix') {
    await clearStaleSocket(host.path);
    await listenOn(server, { path: host.path }, `unix://${host.path}`);
    // Node creates the socket with the umask's mode: under the usual 022 that already keeps other users
    // out (connecting needs write permission); 0600 keeps the group out whatever the umask.
    await chmod(host.path, 0o600);
    return `unix://${host.path}`;
  }
  const named = `tcp://${host.host.includes(':') ? `[${host.host}]` : host.host}:${host.port}`;
  if (!isLoopback(host.host)) {
    logger.warn({ host: named }, `THE API IS OPEN TO THE NETWORK on ${named}, without TLS or authentication: anyone who can reach it can run any command on this host as this user. Use a unix socket or tcp://127.0.0.1 unless you really mean it.`);
  }
  await listenOn(server, { host: host.host, port: host.port }, named);
  const { address, port } = server.address() as AddressInfo;
  return `tcp://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function listenOn(server: Server, options: ListenOptions, named: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, named)));
    server.listen(options, () => resolve());
  });
}

// Listen failures a user can act on, said plainly.
function listenError(error: NodeJS.ErrnoException, named: string): BerthError {
  switch (error.code) {
    case 'EADDRINUSE': return new ConflictError(`cannot listen on ${named}: the address is in use: stop what listens there, or choose another`);
    case 'EACCES': return new InvalidArgumentError(`cannot listen on ${named}: permission denied: choose a path or port this user may use`);
    case 'ENOENT': return new InvalidArgumentError(`cannot listen on ${named}: the directory does not exist: create it first`);
    case 'EADDRNOTAVAIL': return new InvalidArgumentError(`cannot listen on ${named}: no such address on this machine`);
    default: return new SystemError(`cannot listen on ${named}: ${error.message}`);
  }
}

// Requests Node cannot even parse get a JSON 400 (431 for oversized headers) instead of a bare one.
function answerMalformedRequest(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(rawJsonError(error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400, `malformed HTTP request: ${error.code ?? error.message}`));
}
