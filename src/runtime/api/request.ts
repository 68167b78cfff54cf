// What every route handler gets: the engine, the parsed request and a signal for when to stop.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine.js';
import type { Logger } from '../log.js';
import type { Reply } from './respond.js';

/** One API request, parsed. */
export interface ApiRequest {
  engine: Engine;
  req: IncomingMessage;
  res: ServerResponse;
  /** Path parameters, decoded, e.g. `{ id: 'web' }`. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The client's API version: its path prefix, else the maximum. */
  version: string;
  /** Aborted when the client goes away or the server closes; streams and waits end on it. */
  signal: AbortSignal;
  logger: Logger;
  /** berth's version, for /version and /info. */
  serverVersion: string;
}

/** A route handler: returns a Reply, or undefined when it wrote a stream itself. */
export type Handler = (request: ApiRequest) => Reply | undefined | Promise<Reply | undefined>;
