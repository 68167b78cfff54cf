// berth's typed errors, one class per Docker status (containerd's errdefs idea): callers branch on
// the class or `status`, and the API layer maps them to HTTP in exactly one place.
import type { ErrorKind } from '../machines/records.js';

/** The base of every error berth throws on purpose; `status` is Docker's HTTP status for it. */
export class BerthError extends Error {
  readonly status: number = 500;
  readonly kind: ErrorKind = 'System';
}

/** No such container (404). */
export class NotFoundError extends BerthError {
  override readonly status = 404;
  override readonly kind = 'NotFound';
}

/** The command changed nothing, e.g. stop of a stopped container (304). */
export class NotModifiedError extends BerthError {
  override readonly status = 304;
  override readonly kind = 'NotModified';
}

/** The container's state does not allow the command, or a name is taken (409). */
export class ConflictError extends BerthError {
  override readonly status = 409;
  override readonly kind = 'Conflict';
}

/** Bad input: a bad signal, timeout, name, restart policy or command (400). */
export class InvalidArgumentError extends BerthError {
  override readonly status = 400;
  override readonly kind = 'InvalidArgument';
}

/** Anything else, including a stop that could not kill its container (500). */
export class SystemError extends BerthError {}

/** The typed error for an error kind reported by a container machine. */
export function errorOfKind(kind: ErrorKind, message: string): BerthError {
  switch (kind) {
    case 'NotFound': return new NotFoundError(message);
    case 'NotModified': return new NotModifiedError(message);
    case 'Conflict': return new ConflictError(message);
    case 'InvalidArgument': return new InvalidArgumentError(message);
    default: return new SystemError(message);
  }
}

for (const type of [BerthError, NotFoundError, NotModifiedError, ConflictError, InvalidArgumentError, SystemError]) {
  Object.defineProperty(type.prototype, 'name', { value: type.name });
}
