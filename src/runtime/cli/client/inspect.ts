// `berth inspect NAME...`: the containers' inspect documents as one JSON array, as `docker inspect` prints it.
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../../errors.js';
import { ConnectionError, containerPath, type DaemonError } from './api-client.js';
import {
  argsConfig, connect, describeClientError, isClientError, printHelp, processIo, requireNames, type ClientIo, type CommandSpec,
} from './command.js';

const inspectSpec = {
  synopsis: 'inspect [-f json] NAME...',
  help: 'Prints the containers\' inspect documents (Docker\'s shape plus berth\'s stop flow) as a JSON array.\n\n'
    + '  -f, --format json  the only format (Go templates are not supported): use jq to pick fields',
  options: { format: { type: 'string', short: 'f' } },
} as const satisfies CommandSpec;

/** `berth inspect`: GET /containers/{name}/json for each name; unknown names on stderr after the array, exit 1. */
export async function runInspect(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(inspectSpec, args));
  if (values.help) return printHelp(io, inspectSpec);
  if (values.format !== undefined && values.format !== 'json') {
    throw new InvalidArgumentError(`Expected --format to be json (berth has no Go templates; pipe the JSON to jq instead), got ${JSON.stringify(values.format)}`);
  }
  const names = requireNames(inspectSpec, positionals);
  const api = connect(values.host, io);
  const results = await Promise.allSettled(names.map((name) => api.call<unknown>('GET', `${containerPath(name)}/json`)));
  const found = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const errors = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  const unexpected = errors.find((error) => !isClientError(error));
  if (unexpected) throw unexpected;
  const clientErrors = errors as (DaemonError | ConnectionError)[];
  const unreachable = clientErrors.find((error) => error instanceof ConnectionError);
  if (unreachable) {
    io.stderr.write(`${describeClientError(unreachable)}\n`);
    return 1;
  }
  // docker prints what it found, even an empty array, then what it did not find.
  io.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
  for (const error of clientErrors) io.stderr.write(`${describeClientError(error)}\n`);
  return errors.length > 0 ? 1 : 0;
}
