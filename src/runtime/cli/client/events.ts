// `berth events`: the daemon's event stream, one line per event in the docker CLI's format or as JSON.
// Without --until it streams until interrupted (Ctrl-C), as `docker events` does.
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { DockerEvent } from '../../events.js';
import { InvalidArgumentError } from '../../errors.js';
import { readChunks } from './api-client.js';
import {
  argsConfig, connect, printHelp, processIo, readFormat, runClient, toFiltersParam, type ClientIo, type CommandSpec,
} from './command.js';
import { formatEventTime, toApiTimestamp } from './times.js';

const eventsSpec = {
  synopsis: 'events [--since T] [--until T] [--filter KEY=VALUE]... [--format table|json]',
  help: 'Prints the daemon\'s events as they happen; with --since, those already past first; with --until,\n'
    + 'ends there. T is a duration before now (10m, 1h30m, 0s), a date (2024-01-02T15:04:05), or unix seconds.\n\n'
    + '      --since T          replay the events since T (the daemon keeps the last few thousand)\n'
    + '      --until T          stop at T\n'
    + '  -f, --filter KEY=VALUE container, event, label, type, image or scope; repeatable\n'
    + '      --format json      one JSON message per line, for scripts',
  options: {
    since: { type: 'string' },
    until: { type: 'string' },
    filter: { type: 'string', short: 'f', multiple: true },
    format: { type: 'string' },
  },
} as const satisfies CommandSpec;

/** `berth events`: GET /events, printed line by line as it streams. */
export async function runEvents(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(eventsSpec, args));
  if (values.help) return printHelp(io, eventsSpec);
  if (positionals.length > 0) throw new InvalidArgumentError(`"berth events" takes no arguments, got ${JSON.stringify(positionals.join(' '))}`);
  const format = readFormat(values.format);
  const now = Date.now(); // one reference for both, so `--since 1m --until 0s` is exactly a minute
  const query = {
    since: values.since === undefined ? undefined : toApiTimestamp(values.since, '--since', now),
    until: values.until === undefined ? undefined : toApiTimestamp(values.until, '--until', now),
    filters: toFiltersParam(values.filter ?? []),
  };
  const api = connect(values.host, io);
  return runClient(io, async () => {
    const res = await api.open('GET', '/events', { query });
    let partial = '';
    for await (const chunk of readChunks(api, res)) {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      const text = lines.filter((line) => line.trim() !== '').map((line) => `${format === 'json' ? line : formatEvent(JSON.parse(line) as DockerEvent)}\n`).join('');
      if (text !== '' && !io.stdout.write(text)) await once(io.stdout, 'drain');
    }
    return 0;
  });
}

/**
 * The docker CLI's line for an event: time, type, action, actor id, then the attributes sorted by key.
 * @example formatEvent(event) // '2024-01-02T15:04:05.123000000Z container stop 0123abcd… (image=alpine, name=web)'
 */
export function formatEvent(event: DockerEvent): string {
  const time = event.timeNano ? formatEventTime(event.timeNano / 1e6) : formatEventTime(event.time * 1000);
  const attributes = Object.entries(event.Actor.Attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const suffix = attributes.length === 0 ? '' : ` (${attributes.map(([key, value]) => `${key}=${value}`).join(', ')})`;
  return `${time} ${event.Type} ${event.Action} ${event.Actor.ID}${suffix}`;
}
