// POST /containers/{id}/attach, which foreground `docker run` and `docker attach` use: the client
// asks to upgrade the connection ("Upgrade: tcp"), the daemon answers 101 and the socket then
// carries the container's output in Docker's multiplexed frames until the container exits. The
// CLI attaches before it starts the container, so a created one is followed from its start.
// berth's containers have no stdin: what the client sends on the socket is read and dropped.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import { messageOf } from '../../machines/records.js';
import { rawJsonError, statusOfError } from './respond.js';
import type { ServerContext } from './handle-request.js';
import { readBoolean } from './query.js';
import { matchRoute, type Route } from './router.js';
import { multiplexedStreamType, pipeOutput } from './routes/logs.js';
import { parseRequestTarget } from './version.js';

// Matched like any route; the handler is never called (the upgrade has no ServerResponse).
const attachRoute: Route[] = [{ method: 'POST', path: '/containers/{id}/attach', handler: () => undefined }];

/**
 * Answers a request that asks for a protocol upgrade: the attach stream, or an error in Docker's
 * JSON shape for anything else. Never throws: a failure ends the connection.
 */
export async function handleUpgrade(server: ServerContext, req: IncomingMessage, socket: Duplex): Promise<void> {
  const { engine, logger, closing } = server;
  socket.on('error', (error) => logger.debug({ err: error }, 'attach connection failed'));
  socket.resume(); // stdin, if the client sends any: dropped
  let upgraded = false;
  try {
    const { version, path, query } = parseRequestTarget(req.url ?? '');
    const match = matchRoute(attachRoute, req.method ?? '', path);
    if (!match) throw new NotFoundError(`page not found: berth upgrades a connection only to attach to a container (POST /containers/{id}/attach), not for ${req.method ?? ''} ${path}`);
    const stdout = readBoolean(query, 'stdout'), stderr = readBoolean(query, 'stderr');
    if (!stdout && !stderr) throw new InvalidArgumentError('Bad parameters: attach needs stdout=1, stderr=1 or both: berth containers have no stdin');
    const { Id, State } = engine.inspect(match.params.id!);
    // Following a created container covers its coming start; an exited one has nothing to follow.
    const follow = readBoolean(query, 'stream') && (State.Running || State.Status === 'created');
    upgraded = true;
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${multiplexedStreamType(version)}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    const signal = AbortSignal.any([closing, closedSignal(socket)]);
    await pipeOutput(engine, Id, { stdout, stderr, timestamps: false, backlog: readBoolean(query, 'logs'), follow }, socket, signal);
  } catch (error) {
    if (socket.destroyed) return;
    if (upgraded) {
      // The stream has begun: an HTTP error can no longer be sent, only the end.
      logger.error({ err: error }, 'an attach stream failed');
      socket.end();
      return;
    }
    socket.end(rawJsonError(statusOfError(error), messageOf(error)));
  }
}

// Aborted when the client closes the connection (Ctrl-C on `docker run`): the container runs on.
function closedSignal(socket: Duplex): AbortSignal {
  const controller = new AbortController();
  socket.once('close', () => controller.abort(new Error('the attached client went away')));
  return controller.signal;
}
