// Reads a JSON request body with a size cap: a client can send anything, and a daemon that buffers
// whatever it is sent can be made to run out of memory.
import type { IncomingMessage } from 'node:http';
import { BerthError, InvalidArgumentError } from '../errors.js';

/** A container config is a few KiB; 1 MiB leaves room for big environments and labels. */
const maxBodyBytes = 1024 * 1024;

/** The request body is over the cap (413). */
class PayloadTooLargeError extends BerthError {
  override readonly status = 413;
  override readonly kind = 'InvalidArgument';
}

/** The parsed JSON body; undefined when there is none. Docker checks the Content-Type only when one is sent. */
export async function readJsonBody(req: IncomingMessage, limit = maxBodyBytes): Promise<unknown> {
  const type = req.headers['content-type'];
  if (type !== undefined && type.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    throw new InvalidArgumentError(`unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(declared, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  // Past the cap the rest is read and dropped, so the client gets its 413 instead of a reset connection.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw tooLarge(size, limit);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`the request body is not valid JSON: ${(error as Error).message}`);
  }
}

function tooLarge(size: number, limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`the request body is ${size} bytes, over the ${limit}-byte limit: send a container config, not data`);
}
