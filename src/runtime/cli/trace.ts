// `berth trace NAME [--svg FILE]`: the last stop flow of a container, read from the daemon
// (inspect's Berth.StopFlow), as a timeline in the terminal or an SVG picture.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { InspectResponse } from '../inspect.js';
import { formatTrace, renderTraceSvg } from '../trace.js';
import { containerPath } from './client/api-client.js';
import { argsConfig, connect, printHelp, processIo, requireNames, runClient, type ClientIo, type CommandSpec } from './client/command.js';

const traceSpec = {
  synopsis: 'trace [--svg FILE] NAME',
  help: 'Shows the last stop flow of a container: each step (signal, timer, exit) with its time, on a time axis.\n\n'
    + '  --svg FILE   write the timeline as an SVG picture instead (- for standard output)',
  options: { svg: { type: 'string' } },
} as const satisfies CommandSpec;

/** `berth trace`: GET /containers/{name}/json, then the timeline of Berth.StopFlow. */
export async function runTrace(args: string[], io: ClientIo = processIo()): Promise<number> {
  const { values, positionals } = parseArgs(argsConfig(traceSpec, args));
  if (values.help) return printHelp(io, traceSpec);
  const [ref] = requireNames(traceSpec, positionals, 1);
  const api = connect(values.host, io);
  return runClient(io, async () => {
    const inspect = await api.call<InspectResponse>('GET', `${containerPath(ref!)}/json`);
    const name = inspect.Name.replace(/^\//, '');
    const steps = inspect.Berth?.StopFlow ?? [];
    if (steps.length === 0) {
      io.stderr.write(`${name} has no stop flow yet: it is recorded when the container is stopped or killed (berth stop ${name})\n`);
      return 1;
    }
    const trace = { name, steps, now: Date.now() };
    if (values.svg === undefined) {
      io.stdout.write(formatTrace(trace));
    } else if (values.svg === '-') {
      io.stdout.write(renderTraceSvg(trace));
    } else {
      await writeFile(values.svg, renderTraceSvg(trace));
      io.stdout.write(`${values.svg}: the stop flow of ${name}\n`);
    }
    return 0;
  });
}
