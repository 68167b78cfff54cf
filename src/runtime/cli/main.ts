// The `berth` command line. Subcommands stay thin: they call the engine and print.
import { readFileSync } from 'node:fs';
import { runEvents } from './client/events.js';
import { runInspect } from './client/inspect.js';
import { runKill, runPause, runRestart, runRm, runStop, runUnpause } from './client/lifecycle.js';
import { runLogs } from './client/logs.js';
import { runPs } from './client/ps.js';
import { runRun } from './client/run.js';
import { runWait } from './client/wait.js';
import { runDaemon } from './daemon.js';
import { runDemo } from './demo.js';
import { runDiagram } from './diagram.js';
import { runTrace } from './trace.js';
import { runSimulate } from './simulate.js';
import { runImage } from './image.js';
import { runUp } from './up.js';
import { BerthError } from '../errors.js';

const usage = `Usage: berth <command>

Commands:
  up         run the services of berth.yaml (Compose format) until Ctrl-C: berth up [-f FILE]
  daemon     serve the Docker Engine API (docker CLI, dockerode) on a unix socket or TCP port:
             berth daemon [--host unix:///path.sock | tcp://127.0.0.1:PORT] [--state-dir DIR] [--log-level LEVEL]
             [--ui [PORT]] (the berth viewer, in a browser) [--inspect [PORT]] (the Stately inspector)
  demo       start three real containers (graceful, SIGTERM-ignoring, shell form) and stop them,
             printing each stop flow as it happens
  simulate   run a container on a simulated clock and print its exact timeline, e.g.
             berth simulate --on TERM=ignore "0 stop -t 10"   (berth simulate --help)
  image      images for the runc runtime: berth image import NAME DIR | busybox | ls
  diagram    the container statechart, generated from the machine: berth diagram [--format mermaid|svg]
  help       show this help
  version    print berth's version

Client commands, for a running daemon (without docker; each takes --host, else BERTH_HOST, else the
daemon's default socket; --help for each):
  ps         list containers: berth ps [-a] [-q] [--format json]
  run        create and start a container (always detached; see berth logs -f):
             berth run [-d] [--name NAME] [-e K=V] [--restart POLICY] [--stop-timeout N] IMAGE CMD...
  stop       berth stop [-t N] [-s SIG] NAME...      kill     berth kill [-s SIG] NAME...
  pause      berth pause NAME...                      unpause  berth unpause NAME...
  restart    berth restart [-t N] NAME...             wait     berth wait NAME...
  rm         berth rm [-f] NAME...                    inspect  berth inspect NAME...
  logs       berth logs [-f] [--tail N] [-t] NAME
  trace      the last stop flow of a container as a timeline: berth trace [--svg FILE] NAME
  events     berth events [--since T] [--until T] [--filter KEY=VALUE]... [--format json]
`;

/** Runs the CLI with the given arguments; resolves with the exit code. Bad input: a message, never a stack. */
export async function main(args: string[]): Promise<number> {
  try {
    return await dispatch(args);
  } catch (error) {
    const usageError = error instanceof BerthError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    if (!usageError) throw error;
    process.stderr.write(`berth: ${(error as Error).message}\n`);
    return 2;
  }
}

async function dispatch(args: string[]): Promise<number> {
  const [command] = args;
  onClosedOutput(command === 'up' || command === 'daemon' || command === 'demo');
  switch (command) {
    case 'simulate':
      return runSimulate(args.slice(1));
    case 'image':
      return runImage(args.slice(1));
    case 'up':
      return runUp(args.slice(1));
    case 'daemon':
      return runDaemon(args.slice(1));
    case 'demo':
      return runDemo();
    case 'trace':
      return runTrace(args.slice(1));
    case 'diagram':
      return runDiagram(args.slice(1));
    case 'ps':
      return runPs(args.slice(1));
    case 'run':
      return runRun(args.slice(1));
    case 'stop':
      return runStop(args.slice(1));
    case 'kill':
      return runKill(args.slice(1));
    case 'pause':
      return runPause(args.slice(1));
    case 'unpause':
      return runUnpause(args.slice(1));
    case 'restart':
      return runRestart(args.slice(1));
    case 'wait':
      return runWait(args.slice(1));
    case 'rm':
      return runRm(args.slice(1));
    case 'inspect':
      return runInspect(args.slice(1));
    case 'logs':
      return runLogs(args.slice(1));
    case 'events':
      return runEvents(args.slice(1));
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`${version()}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return 0;
    default:
      process.stderr.write(`berth: unknown command ${JSON.stringify(command)}\n\n${usage}`);
      return 2;
  }
}

/**
 * A reader that went away (`berth logs web | head`) makes the next write fail with EPIPE, which
 * unhandled ends the process with a stack trace. A command that only prints ends quietly, as
 * SIGPIPE ends a C tool. One that owns processes (up, daemon, demo) runs on without its output
 * and stops them as it would have: dying there would orphan every container.
 */
function onClosedOutput(ownsProcesses: boolean): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      if (!ownsProcesses) process.exit(0);
    });
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
