// POST /containers/{id}/wait: 200 and the headers go out before waiting, because `docker run -d`
// registers its wait (condition=next-exit) before it starts the container and blocks until the
// headers arrive (docker-lifecycle.md (f), (j); moby#35001). A client that goes away cancels only
// its wait, never the container.
import type { WaitCondition, WaitResult } from '../../../machines/records.js';
import { InvalidArgumentError } from '../../errors.js';
import type { ApiRequest } from '../request.js';
import { isVersionAtLeast } from '../version.js';

const conditions: readonly string[] = ['not-running', 'next-exit', 'removed'] satisfies WaitCondition[];

// Answers `{"StatusCode": n}` (plus `Error` when the engine has one) once the condition is met.
export async function waitContainer({ engine, params, query, res, version, signal }: ApiRequest): Promise<undefined> {
  const condition = query.get('condition') || 'not-running';
  if (!conditions.includes(condition)) {
    throw new InvalidArgumentError(`invalid condition: ${JSON.stringify(condition)}: use one of ${conditions.join(', ')}`);
  }
  engine.inspect(params.id!); // a 404 must come before the 200
  const waiting = engine.wait(params.id!, { condition: condition as WaitCondition, signal });
  // Before API 1.30 Docker sent the headers only with the body.
  if (isVersionAtLeast(version, '1.30')) {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
  }
  let result: WaitResult;
  try {
    result = await waiting;
  } catch (error) {
    if (res.destroyed) return undefined; // the client went away: nobody to tell
    if (!res.headersSent) throw error;
    result = { StatusCode: -1, Error: { Message: (error as Error).message } }; // Docker's answer when a wait ends without an exit
  }
  if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(`${JSON.stringify(result)}\n`);
  return undefined;
}
