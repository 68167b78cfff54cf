// The `berth` command line. Subcommands stay thin: they call the engine and print.
import { readFileSync } from 'node:fs';
import { runDaemon } from './daemon.js';
import { runDemo } from './demo.js';
import { runSimulate } from './simulate.js';
import { BerthError } from '../errors.js';

const usage = `Usage: berth <command>

Commands:
  daemon     serve the Docker Engine API (docker CLI, dockerode) on a unix socket or TCP port:
             berth daemon [--host unix:///path.sock | tcp://127.0.0.1:PORT] [--state-dir DIR] [--log-level LEVEL]
  demo       start three real containers (graceful, SIGTERM-ignoring, shell form) and stop them,
             printing each stop flow as it happens
  simulate   run a container on a simulated clock and print its exact timeline, e.g.
             berth simulate --on TERM=ignore "0 stop -t 10"   (berth simulate --help)
  help       show this help
  version    print berth's version
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
  switch (command) {
    case 'simulate':
      return runSimulate(args.slice(1));
    case 'daemon':
      return runDaemon(args.slice(1));
    case 'demo':
      return runDemo();
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

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
