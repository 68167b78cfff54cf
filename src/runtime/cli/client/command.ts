// What every client command shares: its arguments read docker's way (flags plus --host and --help
// anywhere among the names; bad input is a usage error, which main prints as `berth: ...`, exit 2),
// where it writes, which daemon it talks to, how daemon errors are printed (the docker CLI's
// `Error response from daemon: ...`, exit 1) and docker's way of running one command on many
// containers at once.
import type { Writable } from 'node:stream';
import type { ParseArgsConfig } from 'node:util';
import { InvalidArgumentError } from '../../errors.js';
import { ConnectionError, createApiClient, DaemonError, type ApiClient } from './api-client.js';
import { resolveHost } from './host.js';

/** Where a command writes and the environment it reads (BERTH_HOST); the process's own by default. */
export interface ClientIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

/** The process's own streams and environment: what `berth <command>` uses. */
export function processIo(): ClientIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The options every client command takes. */
const commonOptions = {
  host: { type: 'string', short: 'H' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** A command's description for parsing and --help. */
export interface CommandSpec<O extends Options = Options> {
  /** e.g. 'stop [-t N] [-s SIG] NAME...' */
  synopsis: string;
  /** Lines after the synopsis in --help. */
  help: string;
  options: O;
}

/**
 * The parseArgs config of a command: its options plus --host and --help. Unknown flags are parseArgs
 * errors, which main prints (exit 2).
 * @example const { values, positionals } = parseArgs(argsConfig(stopSpec, ['-t', '1', 'web']));
 */
export function argsConfig<O extends Options>(spec: CommandSpec<O>, args: string[]) {
  return { args, options: { ...commonOptions, ...spec.options }, allowPositionals: true as const, strict: true as const };
}

/** Prints a command's --help; exit 0. */
export function printHelp(io: ClientIo, spec: CommandSpec): number {
  io.stdout.write(helpText(spec));
  return 0;
}

function helpText(spec: CommandSpec): string {
  return `Usage: berth ${spec.synopsis}\n\n${spec.help}\n  -H, --host URL   the daemon: unix:///path.sock or tcp://127.0.0.1:PORT (default: $BERTH_HOST, else $XDG_RUNTIME_DIR/berth.sock, else ./berth.sock)\n`;
}

/** At least one container name, as docker requires. */
export function requireNames(spec: CommandSpec, names: string[], atMost = Infinity): string[] {
  if (names.length === 0) throw new InvalidArgumentError(`"berth ${spec.synopsis.split(' ')[0]}" needs a container name: berth ${spec.synopsis}`);
  if (names.length > atMost) throw new InvalidArgumentError(`"berth ${spec.synopsis.split(' ')[0]}" takes exactly one container name: berth ${spec.synopsis}`);
  return names;
}

/** `--format`: 'table' (the default) or 'json'; Go templates are not supported. */
export function readFormat(value: string | undefined): 'table' | 'json' {
  if (value === undefined || value === 'table' || value === 'json') return value ?? 'table';
  throw new InvalidArgumentError(`Expected --format to be table or json (berth has no Go templates), got ${JSON.stringify(value)}`);
}

/** `KEY=VALUE` filters as the API's `filters` JSON, e.g. {"status":{"exited":true}}; undefined for none. */
export function toFiltersParam(filters: readonly string[]): string | undefined {
  if (filters.length === 0) return undefined;
  const byKey: Record<string, Record<string, boolean>> = {};
  for (const filter of filters) {
    const at = filter.indexOf('=');
    if (at <= 0) throw new InvalidArgumentError(`Expected --filter to be KEY=VALUE, such as status=exited or label=tier=front, got ${JSON.stringify(filter)}`);
    (byKey[filter.slice(0, at)] ??= {})[filter.slice(at + 1)] = true;
  }
  return JSON.stringify(byKey);
}

/** An integer option such as `-t`, or undefined when absent. */
export function readIntegerOption(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`Expected ${option} to be an integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** A client for the daemon the flag, BERTH_HOST or the default socket names (the daemon's own rule). */
export function connect(host: string | undefined, io: ClientIo): ApiClient {
  return createApiClient(resolveHost(host, io.env));
}

/** The docker CLI's line for a daemon or connection error. */
export function describeClientError(error: DaemonError | ConnectionError): string {
  return error instanceof DaemonError ? `Error response from daemon: ${error.message}` : error.message;
}

export function isClientError(error: unknown): error is DaemonError | ConnectionError {
  return error instanceof DaemonError || error instanceof ConnectionError;
}

/** Runs a command body; a daemon or connection error becomes one line on stderr and exit 1. */
export async function runClient(io: ClientIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (!isClientError(error)) throw error;
    io.stderr.write(`${describeClientError(error)}\n`);
    return 1;
  }
}

/**
 * Docker's parallel operation: `operation` runs on every container at once; each result is printed
 * in argument order as soon as it and those before it are done, each failure on stderr; 1 if any failed.
 * A daemon that cannot be reached is said once, not once per container.
 */
export async function forEachContainer(io: ClientIo, refs: string[], operation: (ref: string) => Promise<string>): Promise<number> {
  const settled = refs.map((ref) => operation(ref).then((output) => ({ output }), (error: unknown) => ({ error })));
  let failed = false;
  let unreachableSaid = false;
  for (const next of settled) {
    const result = await next;
    if ('output' in result) {
      io.stdout.write(`${result.output}\n`);
      continue;
    }
    if (!isClientError(result.error)) throw result.error;
    failed = true;
    if (result.error instanceof ConnectionError && unreachableSaid) continue;
    unreachableSaid ||= result.error instanceof ConnectionError;
    io.stderr.write(`${describeClientError(result.error)}\n`);
  }
  return failed ? 1 : 0;
}
