// POST /containers/{id}/start|stop|restart|kill|pause|unpause, with Docker's statuses and
// wording where the docker CLI shows them (docker-lifecycle.md (i)).
import { NotFoundError, NotModifiedError } from '../../errors.js';
import { prefixError } from '../prefix-error.js';
import { readInteger } from '../query.js';
import type { ApiRequest } from '../request.js';
import type { Reply } from '../respond.js';
import { isVersionAtLeast } from '../version.js';

const done: Reply = { status: 204 };

// 304 when already running (the CLI counts that as success), 409 when paused.
export async function startContainer({ engine, params }: ApiRequest): Promise<Reply> {
  await engine.start(params.id!);
  return done;
}

// Docker: 404 and 304 as they are, anything else a 500 "cannot stop container: NAME: ..." (even a bad signal).
export async function stopContainer(request: ApiRequest): Promise<Reply> {
  const { engine, params } = request;
  const options = { timeout: readInteger(request.query, 't'), signal: stopSignalOf(request) };
  engine.inspect(params.id!);
  try {
    await engine.stop(params.id!, options);
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof NotModifiedError) throw error;
    throw prefixError(error, `cannot stop container: ${params.id}: `, 'System');
  }
  return done;
}

// Docker: 404 as it is, anything else (even a `t` that is not a number) a 500 "Cannot restart container NAME: ...".
export async function restartContainer(request: ApiRequest): Promise<Reply> {
  const { engine, params } = request;
  try {
    const options = { timeout: readInteger(request.query, 't'), signal: stopSignalOf(request) };
    await engine.restart(params.id!, options);
  } catch (error) {
    if (error instanceof NotFoundError) throw error;
    throw prefixError(error, `Cannot restart container ${params.id}: `, 'System');
  }
  return done;
}

// The signal is checked before the lookup (400); every error keeps its status and gets Docker's "cannot kill container: NAME: ".
export async function killContainer({ engine, params, query }: ApiRequest): Promise<Reply> {
  try {
    await engine.kill(params.id!, { signal: query.get('signal') || undefined });
  } catch (error) {
    throw prefixError(error, `cannot kill container: ${params.id}: `);
  }
  return done;
}

// SIGSTOP to the whole group; 409 when not running or already paused.
export async function pauseContainer({ engine, params }: ApiRequest): Promise<Reply> {
  await engine.pause(params.id!);
  return done;
}

// Docker answers 500 when the container is not paused; the engine's SystemError carries that.
export async function unpauseContainer({ engine, params }: ApiRequest): Promise<Reply> {
  await engine.unpause(params.id!);
  return done;
}

// The stop signal parameter exists from API 1.42; older clients' is ignored, as Docker does.
function stopSignalOf({ query, version }: ApiRequest): string | undefined {
  return isVersionAtLeast(version, '1.42') ? query.get('signal') || undefined : undefined;
}
