// `berth run`: docker's detached run. Create, register the wait (condition next-exit, or removed
// with --rm) before the start as the docker CLI does so no exit can slip between them
// (docker-lifecycle.md (f)), start, print the id. There is no attach: the output is in `berth logs -f`.
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../../errors.js';
import { containerPath, DaemonError, readText, type ApiClient } from './api-client.js';
import {
  argsConfig, connect, describeClientError, isClientError, printHelp, processIo, readIntegerOption, type ClientIo, type CommandSpec,
} from './command.js';

const runSpec = {
  synopsis: 'run [-d] [--name NAME] [OPTIONS] IMAGE COMMAND [ARG...]',
  help: 'Creates and starts a container, and prints its id. Always detached: foreground runs and attaching are\n'
    + 'not supported; follow the output with `berth logs -f NAME`. With the process runtime the image is only\n'
    + 'a name: the command runs on this host. Options go before the image; what follows it is the command.\n\n'
    + '  -d, --detach             accepted for docker\'s sake: berth run is always detached\n'
    + '      --name NAME          the container\'s name (default: a generated one)\n'
    + '  -e, --env KEY=VALUE      an environment variable (KEY alone: its value here, if set); repeatable\n'
    + '  -l, --label KEY=VALUE    a label; repeatable\n'
    + '  -w, --workdir DIR        the working directory of the command\n'
    + '      --restart POLICY     no, on-failure[:N], always or unless-stopped\n'
    + '      --stop-signal SIG    the signal berth stop sends first (default: SIGTERM)\n'
    + '      --stop-timeout N     seconds berth stop waits before SIGKILL (default: 10)\n'
    + '      --init               run the command under a minimal init that forwards signals and reaps\n'
    + '      --rm                 remove the container once it exits',
  options: {
    detach: { type: 'boolean', short: 'd' },
    name: { type: 'string' },
    env: { type: 'string', short: 'e', multiple: true },
    label: { type: 'string', short: 'l', multiple: true },
    workdir: { type: 'string', short: 'w' },
    restart: { type: 'string' },
    'stop-signal': { type: 'string' },
    'stop-timeout': { type: 'string' },
    init: { type: 'boolean' },
    rm: { type: 'boolean' },
  },
} as const satisfies CommandSpec;

/** `berth run`; exit codes as docker run's: 126/127 when the command cannot run, 125 for any other failure. */
export async function runRun(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { flags, image, command } = splitAtImage(args);
  const { values } = parseArgs({ ...argsConfig(runSpec, flags), allowPositionals: false as const });
  if (values.help) return printHelp(io, runSpec);
  if (image === undefined) throw new InvalidArgumentError(`"berth run" needs an image name and a command: berth ${runSpec.synopsis}`);
  const body = {
    Image: image,
    Cmd: command,
    Env: (values.env ?? []).flatMap((entry) => envEntry(entry, io.env)),
    Labels: Object.fromEntries((values.label ?? []).map(labelEntry)),
    ...(values.workdir ? { WorkingDir: values.workdir } : {}),
    ...(values['stop-signal'] ? { StopSignal: values['stop-signal'] } : {}),
    ...(values['stop-timeout'] === undefined ? {} : { StopTimeout: readIntegerOption(values['stop-timeout'], '--stop-timeout') }),
    HostConfig: {
      AutoRemove: values.rm ?? false,
      Init: values.init ?? false,
      ...(values.restart ? { RestartPolicy: restartPolicy(values.restart) } : {}),
    },
  };
  const api = connect(values.host, io);
  let created = false;
  try {
    const { Id } = await api.call<{ Id: string }>('POST', '/containers/create', { query: { name: values.name }, body });
    created = true;
    await startWatched(api, Id, values.rm ?? false);
    io.stdout.write(`${Id}\n`);
    return 0;
  } catch (error) {
    if (!isClientError(error)) throw error;
    io.stderr.write(`${describeClientError(error)}\n`);
    return created && error instanceof DaemonError ? startFailureExitCode(error.message) : 125;
  }
}

// The wait's headers come back before the start is sent; a start that fails with --rm waits for the removal.
async function startWatched(api: ApiClient, id: string, autoRemove: boolean): Promise<void> {
  const condition = autoRemove ? 'removed' : 'next-exit';
  const waiting = await api.open('POST', `${containerPath(id)}/wait`, { query: { condition } });
  try {
    await api.call('POST', `${containerPath(id)}/start`);
  } catch (error) {
    if (autoRemove) await readText(waiting).catch(() => undefined);
    throw error;
  } finally {
    waiting.destroy(); // the daemon cancels only this wait, never the container
  }
}

// Everything up to the first argument that is not an option (or `--`) is berth's; the rest is the image and its command.
function splitAtImage(args: string[]): { flags: string[]; image: string | undefined; command: string[] } {
  const options: Record<string, { type: string; short?: string }> = { host: { type: 'string', short: 'H' }, ...runSpec.options };
  const byShort = new Map(Object.values(options).filter((o) => o.short).map((o) => [o.short!, o]));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--' || !arg.startsWith('-') || arg === '-') {
      const rest = args.slice(arg === '--' ? i + 1 : i);
      return { flags: args.slice(0, i), image: rest[0], command: rest.slice(1) };
    }
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && options[arg.slice(2)]?.type === 'string') i++;
      continue;
    }
    // A short group such as -de: the value of its first string option is the rest of the group, else the next argument.
    const letters = arg.slice(1);
    const valueAt = [...letters].findIndex((letter) => byShort.get(letter)?.type === 'string');
    if (valueAt === letters.length - 1) i++;
  }
  return { flags: args, image: undefined, command: [] };
}

// Docker's -e KEY without a value takes KEY's value from this environment, and leaves it out when unset.
function envEntry(entry: string, env: NodeJS.ProcessEnv): string[] {
  if (entry.includes('=')) return [entry];
  const value = env[entry];
  return value === undefined ? [] : [`${entry}=${value}`];
}

function labelEntry(entry: string): [string, string] {
  const at = entry.indexOf('=');
  return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
}

// "on-failure:3" as Docker's RestartPolicy; the daemon checks the name.
function restartPolicy(text: string): { Name: string; MaximumRetryCount?: number } {
  const [name = '', count, ...extra] = text.split(':');
  if (extra.length > 0 || (count !== undefined && !/^\d+$/.test(count))) {
    throw new InvalidArgumentError(`Expected --restart to be no, on-failure[:N], always or unless-stopped, got ${JSON.stringify(text)}`);
  }
  return { Name: name, ...(count === undefined ? {} : { MaximumRetryCount: Number(count) }) };
}

// docker run's runStartContainerErr: 127 when the command or directory is missing, 126 when it cannot be executed, else 125.
function startFailureExitCode(message: string): number {
  if (/executable file not found|no such file or directory|not a directory/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}
