// Docker words some errors with the operation and the name the client gave, e.g. "cannot stop
// container: web: ..." (docker-lifecycle.md (i)); the CLI prints them as they come.
import { BerthError, errorOfKind } from '../errors.js';
import { messageOf, type ErrorKind } from '../../machines/records.js';

// The container machine already words a failed stop, kill or restart this way.
const alreadyWorded = /^cannot \w+ container/i;

/** The error with `prefix` before its message, as `kind` (default: its own kind; untyped errors are System). */
export function prefixError(error: unknown, prefix: string, kind?: ErrorKind): BerthError {
  const message = messageOf(error);
  const ownKind = error instanceof BerthError ? error.kind : 'System';
  return errorOfKind(kind ?? ownKind, alreadyWorded.test(message) ? message : `${prefix}${message}`);
}
