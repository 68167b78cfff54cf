// `berth ps`: GET /containers/json as the docker CLI shows it, a table or one JSON object per line
// with the docker CLI's field names (`docker ps --format json`).
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../../errors.js';
import { humanDuration, type ContainerSummary } from '../../inspect.js';
import {
  argsConfig, connect, printHelp, processIo, readFormat, runClient, toFiltersParam, type ClientIo, type CommandSpec,
} from './command.js';
import { ellipsis, formatTable } from './table.js';

const psSpec = {
  synopsis: 'ps [-a] [-q] [--no-trunc] [--filter KEY=VALUE]... [--format table|json]',
  help: 'Lists running containers (all of them with -a).\n\n'
    + '  -a, --all              every container, not only the running ones\n'
    + '  -q, --quiet            only the ids\n'
    + '      --no-trunc         full ids and commands\n'
    + '  -f, --filter KEY=VALUE status, name, id or label (label=KEY or label=KEY=VALUE); repeatable\n'
    + '      --format json      one JSON object per container and line, for scripts',
  options: {
    all: { type: 'boolean', short: 'a' },
    quiet: { type: 'boolean', short: 'q' },
    'no-trunc': { type: 'boolean' },
    filter: { type: 'string', short: 'f', multiple: true },
    format: { type: 'string' },
  },
} as const satisfies CommandSpec;

/** The docker CLI truncates ids to 12 characters and commands to 20 (`--no-trunc` keeps them whole). */
const shortIdLength = 12;
const commandWidth = 20;

/** `berth ps`. */
export async function runPs(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(psSpec, args));
  if (values.help) return printHelp(io, psSpec);
  if (positionals.length > 0) throw new InvalidArgumentError(`"berth ps" takes no arguments, got ${JSON.stringify(positionals.join(' '))}`);
  const format = readFormat(values.format);
  const filters = toFiltersParam(values.filter ?? []);
  const api = connect(values.host, io);
  return runClient(io, async () => {
    const containers = await api.call<ContainerSummary[]>('GET', '/containers/json', { query: { all: values.all, filters } });
    const rows = containers.map((container) => toPsRow(container, !values['no-trunc']));
    if (values.quiet) io.stdout.write(rows.map((row) => `${row.ID}\n`).join(''));
    else if (format === 'json') io.stdout.write(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    else io.stdout.write(formatTable([psColumns, ...rows.map((row) => [row.ID, row.Image, row.Command, row.RunningFor, row.Status, row.Names])]));
    return 0;
  });
}

const psColumns = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'NAMES'];

// The docker CLI's container context (cli/command/formatter/container.go), which `--format json` prints.
function toPsRow(container: ContainerSummary, truncate: boolean) {
  return {
    Command: JSON.stringify(truncate ? ellipsis(container.Command, commandWidth) : container.Command),
    CreatedAt: formatCreatedAt(container.Created),
    ID: truncate ? container.Id.slice(0, shortIdLength) : container.Id,
    Image: container.Image,
    Labels: Object.entries(container.Labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => `${key}=${value}`).join(','),
    Names: container.Names.map((name) => name.replace(/^\//, '')).join(','),
    RunningFor: `${humanDuration(Date.now() - container.Created * 1000)} ago`,
    State: container.State,
    Status: container.Status,
  };
}

// Go's time.Time String(), in UTC: "2024-01-02 15:04:05 +0000 UTC".
function formatCreatedAt(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}
