// GET /containers/{id}/logs: the captured output in Docker's multiplexed stream format (berth's
// containers never have a TTY). With `follow`, new lines stream until the container stops.
import type { Writable } from 'node:stream';
import type { Engine } from '../../engine.js';
import { InvalidArgumentError } from '../../errors.js';
import type { LogChunk, LogOptions } from '../../output.js';
import { frameLogChunks } from '../multiplex.js';
import { readBoolean, readTimestamp } from '../query.js';
import type { ApiRequest } from '../request.js';
import { isVersionAtLeast } from '../version.js';

/**
 * How far a follower may fall behind, in bytes the socket has not taken yet. Node would buffer a
 * chatty container's output for a client that reads slowly without bound (a `yes` container and
 * a slow `docker logs -f` grew the daemon by 100 MB/s); past this the stream ends, saying why.
 */
const followBehindBytes = 8 * 1024 * 1024;

// `docker logs [-f] [-t] [--tail N] [--since T] [--until T]`.
export async function streamLogs({ engine, params, query, res, version, signal }: ApiRequest): Promise<undefined> {
  const stdout = readBoolean(query, 'stdout'), stderr = readBoolean(query, 'stderr');
  if (!stdout && !stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream (stdout=1, stderr=1 or both)');
  const until = readTimestamp(query, 'until');
  const options = { stdout, stderr, tail: readTail(query), since: readTimestamp(query, 'since'), ...(until === undefined ? {} : { until }) };
  const { Id, State } = engine.inspect(params.id!);
  res.writeHead(200, { 'Content-Type': multiplexedStreamType(version) });
  // Following stops at the end time: one in the past (the CLI's durations count back from now) leaves nothing to follow.
  const follow = readBoolean(query, 'follow') && State.Running && (until === undefined || until > Date.now());
  if (follow) res.flushHeaders();
  await pipeOutput(engine, Id, { ...options, timestamps: readBoolean(query, 'timestamps'), backlog: true, follow }, res, signal);
  return undefined;
}

/** The same frames either way; API 1.42 gave the multiplexed format its own content type. */
export function multiplexedStreamType(version: string): string {
  return isVersionAtLeast(version, '1.42') ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
}

/** What `pipeOutput` writes: the lines kept (`backlog`), then, with `follow`, new ones until the next exit. */
export interface PipeOptions extends LogOptions {
  stdout: boolean;
  stderr: boolean;
  timestamps: boolean;
  backlog: boolean;
  follow: boolean;
}

/**
 * Writes a container's output to `out` in Docker's multiplexed frames, then ends it: `docker logs`
 * over the response, `docker attach` over the hijacked socket. Following ends at the container's
 * `die` (or removal), at `until`, when `signal` aborts, or when the client falls too far behind.
 */
export async function pipeOutput(engine: Engine, id: string, options: PipeOptions, out: Writable, signal: AbortSignal): Promise<void> {
  const { stdout, stderr, timestamps } = options;
  // Output is taken a chunk at a time (a chunk of `yes` is 32,768 lines), a frame per chunk, and
  // the chunks of a turn of the event loop are framed into one buffer and one write.
  let pending: LogChunk[] = [];
  let fellBehind: (() => void) | undefined;
  const flush = (): void => {
    if (pending.length === 0 || out.writableEnded) return;
    out.write(frameLogChunks(pending, timestamps));
    pending = [];
    if (out.writableLength > followBehindBytes) fellBehind?.();
  };
  const write = (chunk: LogChunk): void => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(chunk);
  };
  // Backlog and subscriptions in one synchronous step: no line can fall between them or come twice.
  const backlog = options.backlog ? engine.logChunks(id, options) : [];
  const stopped = options.follow ? engine.events({ container: [id], event: ['die', 'destroy'], signal }) : undefined;
  const until = options.until ?? Infinity;
  const unfollow = options.follow ? engine.followLogChunks(id, (chunk) => { if ((chunk.stream === 'stdout' ? stdout : stderr) && chunk.time <= until) write(chunk); }) : undefined;
  backlog.forEach(write);
  if (stopped && unfollow) {
    // The engine stores a dying container's last partial lines before it publishes `die`.
    const behind = new Promise<'behind'>((resolve) => { fellBehind = () => resolve('behind'); });
    let endTimer: NodeJS.Timeout | undefined;
    const ended = until === Infinity ? [] : [new Promise<void>((resolve) => { endTimer = setTimeout(resolve, Math.max(0, until - Date.now())); })];
    try {
      if ((await Promise.race([stopped.next(), behind, ...ended])) === 'behind') {
        pending = [{ stream: 'stderr', time: Date.now(), text: `berth: stopped following: this client fell more than ${followBehindBytes} bytes behind the container's output; run docker logs -f again to resume` }];
      }
    } finally {
      clearTimeout(endTimer);
      unfollow();
      await stopped.return?.();
    }
  }
  const last = pending.length === 0 ? undefined : frameLogChunks(pending, timestamps);
  pending = [];
  out.end(last);
}

// "all" (or nothing) for every line, else the last N; Docker rejects anything else.
function readTail(query: URLSearchParams): number | undefined {
  const text = (query.get('tail') ?? '').trim();
  if (text === '' || text === 'all') return undefined;
  if (!/^-?\d+$/.test(text)) throw new InvalidArgumentError(`invalid value for "tail": ${JSON.stringify(text)}: use a number of lines or "all"`);
  const tail = Number(text);
  return tail < 0 ? undefined : tail;
}
