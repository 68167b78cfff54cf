// Where the viewer and the inspector relay listen: loopback only, since both show every
// container's configuration and the viewer can stop and kill containers, with no authentication.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopback } from '../api/host.js';
import { BerthError, ConflictError, InvalidArgumentError, SystemError } from '../errors.js';

/** A loopback TCP address. */
export interface LoopbackAddress {
  host: string;
  port: number;
}

/**
 * Parses `PORT` or `HOST:PORT` (HOST a loopback address) for an option such as `--ui`; absent: the default port.
 * @example
 * parseLoopbackAddress('--ui', '0', 7375)          // { host: '127.0.0.1', port: 0 } (0: a free port)
 * parseLoopbackAddress('--ui', '[::1]:9000', 7375) // { host: '::1', port: 9000 }
 */
export function parseLoopbackAddress(option: string, text: string | undefined, defaultPort: number): LoopbackAddress {
  if (text === undefined || text === '') return { host: '127.0.0.1', port: defaultPort };
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    throw new InvalidArgumentError(`Expected ${option} to be a port or 127.0.0.1:PORT, got ${JSON.stringify(text)}`);
  }
  const host = (match[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  if (!isLoopback(host)) {
    throw new InvalidArgumentError(`${option} listens on loopback only (no authentication, and it shows every container's environment): use a port or 127.0.0.1:PORT, got ${JSON.stringify(text)}`);
  }
  return { host, port };
}

/** Listens on a loopback address; resolves with the `http://` URL and the real port. */
export function listenLoopback(server: Server, address: LoopbackAddress, what: string): Promise<{ url: string; port: number }> {
  return new Promise((resolve, reject) => {
    const named = `${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
    server.once('error', (error: NodeJS.ErrnoException) => reject(listenError(error, what, named)));
    server.listen({ host: address.host, port: address.port }, () => {
      const { address: host, port } = server.address() as AddressInfo;
      resolve({ url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`, port });
    });
  });
}

/** The request came through a loopback host name: a page on another site that rebinds its DNS to 127.0.0.1 does not. */
export function hasLoopbackHost(hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  const host = hostHeader.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return isLoopback(host);
}

function listenError(error: NodeJS.ErrnoException, what: string, named: string): BerthError {
  switch (error.code) {
    case 'EADDRINUSE': return new ConflictError(`cannot serve the ${what} on ${named}: the address is in use: choose another port`);
    case 'EACCES': return new InvalidArgumentError(`cannot serve the ${what} on ${named}: permission denied: choose a port above 1023`);
    case 'EADDRNOTAVAIL': return new InvalidArgumentError(`cannot serve the ${what} on ${named}: no such address on this machine`);
    default: return new SystemError(`cannot serve the ${what} on ${named}: ${error.message}`);
  }
}
