// The berth client's side of the Docker Engine API: node:http over a unix socket or TCP, no
// dependency. Bare paths speak the daemon's newest API version (api/version.ts), which is berth's own.
import { request, type IncomingMessage } from 'node:http';
import { parseHost } from '../../api/host.js';

/** The daemon answered with an error status; `message` is its own (Docker's JSON `message`). */
export class DaemonError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = 'DaemonError';
  }
}

/** Nothing answered at the host, or the connection broke; the message says where. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/** Query parameters; undefined and false ones are left out, true is sent as 1. */
export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  /** Sent as JSON. */
  body?: unknown;
}

/** A client for one daemon. */
export interface ApiClient {
  /** The host it talks to, as given: `unix:///path.sock` or `tcp://127.0.0.1:PORT`. */
  host: string;
  /** Sends a request and resolves with the response once its headers arrive; an error status is a DaemonError. */
  open(method: string, path: string, options?: RequestOptions): Promise<IncomingMessage>;
  /** Sends a request and resolves with its JSON body (undefined for 204 and 304). */
  call<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T>;
}

/**
 * A client for the daemon at `host` (Docker's -H syntax); nothing connects until the first request.
 * @example
 * const api = createApiClient('unix:///run/user/1000/berth.sock');
 * await api.call('POST', `${containerPath('web')}/stop`, { query: { t: 1 } });
 */
export function createApiClient(host: string): ApiClient {
  const parsed = parseHost(host);
  const target = parsed.kind === 'unix' ? { socketPath: parsed.path } : { host: parsed.host, port: parsed.port };
  const open = (method: string, path: string, options: RequestOptions = {}) => new Promise<IncomingMessage>((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request({
      ...target, method, path: `${path}${queryString(options.query)}`, agent: false,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    }, (res) => {
      if ((res.statusCode ?? 500) < 400) resolve(res);
      else readText(res).then((text) => reject(new DaemonError(res.statusCode ?? 500, errorMessage(text))), (error: Error) => reject(lostConnection(host, error)));
    });
    req.on('error', (error: NodeJS.ErrnoException) => reject(cannotConnect(host, error)));
    req.end(body);
  });
  return {
    host,
    open,
    async call<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
      const res = await open(method, path, options);
      const text = await readText(res).catch((error: Error) => { throw lostConnection(host, error); });
      return (text.trim() === '' ? undefined : JSON.parse(text)) as T;
    },
  };
}

/** A container name or id as one path segment. */
export function containerPath(ref: string): string {
  return `/containers/${encodeURIComponent(ref)}`;
}

/** A response body to its end, as text. */
export async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

/** A streamed body's chunks (logs, events); a connection cut mid-stream is a ConnectionError, not a stack trace. */
export async function* readChunks(api: ApiClient, res: IncomingMessage): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of res) yield chunk as Buffer;
  } catch (error) {
    throw lostConnection(api.host, error as Error);
  }
}

function queryString(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === false) continue;
    params.set(name, value === true ? '1' : String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

// Docker's error body is {"message": ...}; anything else (a proxy's page) is shown as it came.
function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch { /* not JSON */ }
  return text.trim() || 'the daemon answered with an error and no message';
}

// Where the client looked, why nothing answered, and how to start a daemon or point at one.
function cannotConnect(host: string, error: NodeJS.ErrnoException): ConnectionError {
  return new ConnectionError(
    `Cannot connect to the berth daemon at ${host}: ${describeConnectionError(error, host)}. Is it running? Start one with \`npx berth daemon &\`, or point --host or BERTH_HOST at the address it prints`,
  );
}

// A response cut short: the daemon stopped or was killed while answering.
function lostConnection(host: string, error: Error): ConnectionError {
  return new ConnectionError(`Lost the connection to the berth daemon at ${host} in the middle of its answer: ${error.message}`);
}

// What a user can act on, for the errors a missing or dead daemon gives.
function describeConnectionError(error: NodeJS.ErrnoException, host: string): string {
  switch (error.code) {
    case 'ENOENT': return 'no such socket';
    case 'ECONNREFUSED': return host.startsWith('unix:') ? 'connection refused (nothing listens on the socket: a daemon that was killed leaves it behind)' : 'connection refused';
    case 'EACCES': return 'permission denied (the socket is mode 0600: run as the user who started the daemon)';
    case 'ENOTSOCK': return 'the path is not a socket';
    case 'ECONNRESET': return 'the daemon closed the connection';
    default: return error.message;
  }
}
