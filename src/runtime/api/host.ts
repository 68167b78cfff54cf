// Where the API listens, in Docker's -H syntax: `unix:///path/berth.sock` or `tcp://HOST:PORT`.
import { resolve } from 'node:path';
import { InvalidArgumentError } from '../errors.js';

/** A parsed host: a socket path, or a TCP address and port. */
export type ApiHost = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** Docker's unencrypted TCP port, used when a tcp:// host names none. */
const defaultTcpPort = 2375;

/**
 * Parses a host; a relative socket path is resolved against the working directory.
 * @example
 * parseHost('unix:///run/user/1000/berth.sock') // { kind: 'unix', path: '/run/user/1000/berth.sock' }
 * parseHost('tcp://127.0.0.1:0')                // { kind: 'tcp', host: '127.0.0.1', port: 0 }
 */
export function parseHost(text: unknown): ApiHost {
  if (typeof text !== 'string') throw invalidHost(text);
  if (text.startsWith('unix://')) {
    const path = text.slice('unix://'.length);
    if (path === '' || path.includes('\0')) throw invalidHost(text);
    return { kind: 'unix', path: resolve(path) };
  }
  if (!text.startsWith('tcp://')) throw invalidHost(text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidHost(text);
  }
  if (url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.search || url.username) throw invalidHost(text);
  return { kind: 'tcp', host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? defaultTcpPort : Number(url.port) };
}

// Anything else is reachable from other machines, and the API runs commands on this host.
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function invalidHost(text: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    `Expected the host to be unix:///path/to/berth.sock or tcp://127.0.0.1:PORT, got ${JSON.stringify(text)}`,
  );
}
