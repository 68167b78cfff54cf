// `berth logs NAME`: the captured output, stdout to stdout and stderr to stderr, as `docker logs`.
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../../errors.js';
import { containerPath, readChunks } from './api-client.js';
import { argsConfig, connect, printHelp, processIo, requireNames, runClient, type ClientIo, type CommandSpec } from './command.js';
import { demultiplex } from './demultiplex.js';
import { toApiTimestamp } from './times.js';

const logsSpec = {
  synopsis: 'logs [-f] [-n N] [-t] [--since T] [--until T] NAME',
  help: 'Prints a container\'s captured output (bounded per container; 1 MiB by default).\n\n'
    + '  -f, --follow      keep printing new lines until the container stops\n'
    + '  -n, --tail N      only the last N lines (default: all)\n'
    + '  -t, --timestamps  each line prefixed with its time (RFC 3339, UTC)\n'
    + '      --since T     only lines from T on: a duration (10m), a date, or unix seconds\n'
    + '      --until T     only lines up to T, in the same forms (and no following)',
  options: {
    follow: { type: 'boolean', short: 'f' },
    tail: { type: 'string', short: 'n' },
    timestamps: { type: 'boolean', short: 't' },
    since: { type: 'string' },
    until: { type: 'string' },
  },
} as const satisfies CommandSpec;

/** `berth logs`: GET /containers/{name}/logs, demultiplexed. */
export async function runLogs(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(logsSpec, args));
  if (values.help) return printHelp(io, logsSpec);
  const [name] = requireNames(logsSpec, positionals, 1);
  const tail = values.tail?.trim();
  if (tail !== undefined && tail !== 'all' && !/^-?\d+$/.test(tail)) throw new InvalidArgumentError(`Expected --tail to be a number of lines or "all", got ${JSON.stringify(values.tail)}`);
  const query = {
    stdout: true, stderr: true, follow: values.follow, timestamps: values.timestamps, tail,
    since: values.since === undefined ? undefined : toApiTimestamp(values.since, '--since'),
    until: values.until === undefined ? undefined : toApiTimestamp(values.until, '--until'),
  };
  const api = connect(values.host, io);
  return runClient(io, async () => {
    const res = await api.open('GET', `${containerPath(name!)}/logs`, { query });
    for await (const { stream, payload } of demultiplex(readChunks(api, res))) {
      const out = stream === 'stderr' ? io.stderr : io.stdout;
      if (!out.write(payload)) await once(out, 'drain');
    }
    return 0;
  });
}
