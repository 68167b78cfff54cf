// `berth wait NAME...`: blocks until each container stops and prints its exit code, in argument order.
import { parseArgs } from 'node:util';
import { containerPath } from './api-client.js';
import { argsConfig, connect, forEachContainer, printHelp, processIo, requireNames, type ClientIo, type CommandSpec } from './command.js';

const waitSpec = {
  synopsis: 'wait NAME...',
  help: 'Waits until the containers stop (at once for a stopped one), then prints their exit codes.',
  options: {},
} as const satisfies CommandSpec;

/** `berth wait`: POST /containers/{name}/wait (condition not-running) for each name. */
export async function runWait(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(waitSpec, args));
  if (values.help) return printHelp(io, waitSpec);
  const names = requireNames(waitSpec, positionals);
  const api = connect(values.host, io);
  return forEachContainer(io, names, async (name) => {
    const { StatusCode } = await api.call<{ StatusCode: number }>('POST', `${containerPath(name)}/wait`);
    return String(StatusCode);
  });
}
