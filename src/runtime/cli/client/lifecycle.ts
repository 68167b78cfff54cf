// `berth stop|kill|pause|unpause|restart|rm NAME...`: one request per container, all at once, each
// name printed once its request succeeded (docker's output; a 304 such as stopping a stopped
// container is a success, as in docker).
import { parseArgs } from 'node:util';
import { containerPath, type Query } from './api-client.js';
import {
  argsConfig, connect, forEachContainer, printHelp, processIo, readIntegerOption, requireNames, type ClientIo, type CommandSpec,
} from './command.js';

const stopSpec = {
  synopsis: 'stop [-t N] [-s SIG] NAME...',
  help: 'Stops running containers: the stop signal, then SIGKILL after the stop timeout.\n\n'
    + '  -t, --timeout N   seconds to wait before SIGKILL (default: the container\'s, else 10; negative: wait for ever)\n'
    + '  -s, --signal SIG  the stop signal (default: the container\'s, else SIGTERM)',
  options: { timeout: { type: 'string', short: 't' }, signal: { type: 'string', short: 's' } },
} as const satisfies CommandSpec;

const killSpec = {
  synopsis: 'kill [-s SIG] NAME...',
  help: 'Sends a signal to running containers. SIGKILL and the stop signal stop them (and their restart policy);\n'
    + 'other signals, such as HUP to reload a configuration, are only delivered.\n\n'
    + '  -s, --signal SIG  the signal (default: SIGKILL)',
  options: { signal: { type: 'string', short: 's' } },
} as const satisfies CommandSpec;

const pauseSpec = {
  synopsis: 'pause NAME...',
  help: 'Freezes every process of the containers (SIGSTOP to their process groups).',
  options: {},
} as const satisfies CommandSpec;

const unpauseSpec = {
  synopsis: 'unpause NAME...',
  help: 'Thaws paused containers (SIGCONT to their process groups).',
  options: {},
} as const satisfies CommandSpec;

const restartSpec = {
  synopsis: 'restart [-t N] [-s SIG] NAME...',
  help: 'Stops the containers (as berth stop), then starts them again.\n\n'
    + '  -t, --timeout N   seconds to wait before SIGKILL (default: the container\'s, else 10)\n'
    + '  -s, --signal SIG  the stop signal (default: the container\'s, else SIGTERM)',
  options: { timeout: { type: 'string', short: 't' }, signal: { type: 'string', short: 's' } },
} as const satisfies CommandSpec;

const rmSpec = {
  synopsis: 'rm [-f] NAME...',
  help: 'Removes stopped containers.\n\n  -f, --force  kill a running container first (SIGKILL), then remove it',
  options: { force: { type: 'boolean', short: 'f' } },
} as const satisfies CommandSpec;

/** `berth stop`: POST /containers/{name}/stop for each name. */
export async function runStop(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(stopSpec, args));
  if (values.help) return printHelp(io, stopSpec);
  const query = { t: readIntegerOption(values.timeout, '--timeout'), signal: values.signal };
  return post(io, values.host, requireNames(stopSpec, positionals), 'stop', query);
}

/** `berth kill`: POST /containers/{name}/kill for each name. */
export async function runKill(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(killSpec, args));
  if (values.help) return printHelp(io, killSpec);
  return post(io, values.host, requireNames(killSpec, positionals), 'kill', { signal: values.signal });
}

/** `berth pause`: POST /containers/{name}/pause for each name. */
export async function runPause(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(pauseSpec, args));
  if (values.help) return printHelp(io, pauseSpec);
  return post(io, values.host, requireNames(pauseSpec, positionals), 'pause', {});
}

/** `berth unpause`: POST /containers/{name}/unpause for each name. */
export async function runUnpause(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(unpauseSpec, args));
  if (values.help) return printHelp(io, unpauseSpec);
  return post(io, values.host, requireNames(unpauseSpec, positionals), 'unpause', {});
}

/** `berth restart`: POST /containers/{name}/restart for each name. */
export async function runRestart(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(restartSpec, args));
  if (values.help) return printHelp(io, restartSpec);
  const query = { t: readIntegerOption(values.timeout, '--timeout'), signal: values.signal };
  return post(io, values.host, requireNames(restartSpec, positionals), 'restart', query);
}

/** `berth rm`: DELETE /containers/{name} for each name. */
export async function runRm(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(rmSpec, args));
  if (values.help) return printHelp(io, rmSpec);
  const names = requireNames(rmSpec, positionals);
  const api = connect(values.host, io);
  return forEachContainer(io, names, async (name) => {
    await api.call('DELETE', containerPath(name), { query: { force: values.force } });
    return name;
  });
}

// The lifecycle actions all have the same shape: POST /containers/{name}/{action}, then the name.
function post(io: ClientIo, host: string | undefined, names: string[], action: string, query: Query): Promise<number> {
  const api = connect(host, io);
  return forEachContainer(io, names, async (name) => {
    await api.call('POST', `${containerPath(name)}/${action}`, { query });
    return name;
  });
}
