// The `berth` command line. Subcommands stay thin: they call the engine and print.
import { readFileSync } from 'node:fs';
import { runDemo } from './demo.js';

const usage = `Usage: berth <command>

Commands:
  demo       start three real containers (graceful, SIGTERM-ignoring, shell form) and stop them,
             printing each stop flow as it happens
  help       show this help
  version    print berth's version
`;

/** Runs the CLI with the given arguments; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  const [command] = args;
  switch (command) {
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
