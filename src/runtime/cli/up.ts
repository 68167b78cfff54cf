// `berth up [-f FILE]`: run a Compose file's services until Ctrl-C (see compose/up.ts).
import { parseArgs } from 'node:util';
import { findComposeFile, loadProject } from '../compose/parse.js';
import { up } from '../compose/up.js';

export const upUsage = `Usage: berth up [-f FILE] [--no-color]

Runs the services of berth.yaml (else compose.yaml / docker-compose.yaml) in dependency order,
with each one's output prefixed by its name. Ctrl-C stops them in reverse dependency order, each
with its own stop signal and grace period; a second Ctrl-C kills what is left at once.
Exit status 0 when every service stopped cleanly (without SIGKILL).
`;

/** Runs `berth up`; resolves with the exit status. */
export async function runUp(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { file: { type: 'string', short: 'f' }, 'no-color': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(upUsage);
    return 0;
  }
  const project = loadProject(findComposeFile(values.file));
  return up(project, values['no-color'] ? { color: false } : {});
}
