// One API request, start to end: Docker's headers, the version prefix, the route, the handler,
// and any error turned into Docker's JSON error. Nothing a client sends throws past this.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import { sendError, sendReply, setDockerHeaders, statusOfError } from './respond.js';
import { matchRoute } from './router.js';
import { routes } from './routes.js';
import { parseRequestTarget } from './version.js';

/** What every request shares: the engine, the logger, and the signal that the server is closing. */
export interface ServerContext {
  engine: Engine;
  logger: Logger;
  serverVersion: string;
  closing: AbortSignal;
}

/** Answers one request; what a handler throws becomes the error response. */
export async function handleRequest(server: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { logger, closing } = server;
  const started = performance.now();
  res.on('error', (error) => logger.debug({ err: error }, 'could not write a response'));
  // While the server closes, a connection is let go as soon as its response is out.
  res.once('finish', () => { if (closing.aborted) req.socket.end(); });
  const signal = requestSignal(res, closing);
  setDockerHeaders(res, server.serverVersion);
  try {
    const { version, path, query } = parseRequestTarget(req.url ?? '');
    const match = matchRoute(routes, req.method ?? '', path);
    // Docker's words first (clients and scripts match them), then what berth does serve.
    if (!match) throw new NotFoundError(`page not found: berth serves the container lifecycle part of the Docker Engine API, which has no ${req.method ?? ''} ${path} (berth's README lists the endpoints)`);
    const reply = await match.handler({
      engine: server.engine, req, res, params: match.params, version, logger, serverVersion: server.serverVersion, query, signal,
    });
    if (reply) sendReply(res, reply);
  } catch (error) {
    if (statusOfError(error) >= 500) logger.error({ err: error, method: req.method, url: req.url }, 'request failed');
    // An unread body (e.g. one over the size cap) would otherwise be read to its end after the answer.
    if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
    sendError(res, error);
  }
  logger.debug({ method: req.method, url: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
}

// Aborted when the response closes (done, or the client went away) or when the server closes; the
// server's listener goes with the response, so a long-lived daemon does not collect them.
function requestSignal(res: ServerResponse, closing: AbortSignal): AbortSignal {
  const controller = new AbortController();
  if (closing.aborted) controller.abort(closing.reason);
  const onClosing = () => controller.abort(closing.reason);
  closing.addEventListener('abort', onClosing, { once: true });
  res.once('close', () => {
    closing.removeEventListener('abort', onClosing);
    controller.abort(new Error('the client went away'));
  });
  return controller.signal;
}
