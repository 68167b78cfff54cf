// GET /containers/{id}/logs: the captured output in Docker's multiplexed stream format (berth's
// containers never have a TTY). With `follow`, new lines stream until the container stops.
import { InvalidArgumentError } from '../../errors.js';
import type { LogLine } from '../../output.js';
import { frameLogLine } from '../multiplex.js';
import { readBoolean, readTimestamp } from '../query.js';
import type { ApiRequest } from '../request.js';
import { isVersionAtLeast } from '../version.js';

// `docker logs [-f] [-t] [--tail N] [--since T]`.
export async function streamLogs({ engine, params, query, res, version, signal }: ApiRequest): Promise<undefined> {
  const stdout = readBoolean(query, 'stdout'), stderr = readBoolean(query, 'stderr');
  if (!stdout && !stderr) throw new InvalidArgumentError('Bad parameters: you must choose at least one stream (stdout=1, stderr=1 or both)');
  const options = { stdout, stderr, tail: readTail(query), since: readTimestamp(query, 'since') };
  const timestamps = readBoolean(query, 'timestamps');
  const { Id, State } = engine.inspect(params.id!);
  // The same frames either way; API 1.42 gave the multiplexed format its own content type.
  const type = isVersionAtLeast(version, '1.42') ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
  res.writeHead(200, { 'Content-Type': type });
  const write = (line: LogLine) => res.write(frameLogLine(line, timestamps));
  const following = readBoolean(query, 'follow') && State.Running;
  // Backlog and subscriptions in one synchronous step: no line can fall between them or come twice.
  const backlog = engine.logs(Id, options);
  const stopped = following ? engine.events({ container: [Id], event: ['die', 'destroy'], signal }) : undefined;
  const unfollow = following ? engine.followLogs(Id, (line) => { if (line.stream === 'stdout' ? stdout : stderr) write(line); }) : undefined;
  backlog.forEach(write);
  if (stopped && unfollow) {
    res.flushHeaders();
    // The engine stores a dying container's last partial lines before it publishes `die`.
    try {
      await stopped.next();
    } finally {
      unfollow();
      await stopped.return?.();
    }
  }
  res.end();
  return undefined;
}

// "all" (or nothing) for every line, else the last N; Docker rejects anything else.
function readTail(query: URLSearchParams): number | undefined {
  const text = (query.get('tail') ?? '').trim();
  if (text === '' || text === 'all') return undefined;
  if (!/^-?\d+$/.test(text)) throw new InvalidArgumentError(`invalid value for "tail": ${JSON.stringify(text)}: use a number of lines or "all"`);
  const tail = Number(text);
  return tail < 0 ? undefined : tail;
}
