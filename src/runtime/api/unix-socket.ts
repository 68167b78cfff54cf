// A socket file outlives a daemon that was killed; the next daemon removes it, but only once it
// is sure nothing answers on it, so a second daemon never steals a live one's socket.
import { lstat, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { ConflictError, InvalidArgumentError } from '../errors.js';

/** Removes a socket file nothing listens on; throws if a live server has it or the path is not a socket. */
export async function clearStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!stat) return;
  if (!stat.isSocket()) throw new InvalidArgumentError(`${path} exists and is not a socket: remove it, or choose another socket path`);
  if (await isAnswering(path)) {
    throw new ConflictError(`another daemon is serving ${path}: stop it first, or choose another socket (berth daemon --host unix:///path/other.sock)`);
  }
  await rm(path, { force: true });
}

// Accepted means a live server, refused a stale file; no answer in time counts as live (never steal a socket).
function isAnswering(path: string, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    const finish = (answering: boolean) => { socket.destroy(); resolve(answering); };
    socket.setTimeout(timeoutMs, () => finish(true));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
