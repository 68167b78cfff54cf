// `berth up [-f FILE]`: run a Compose file's services until Ctrl-C (see compose/up.ts).
import { parseArgs } from 'node:util';
import { findComposeFile, loadProject } from '../compose/parse.js';
import { up } from '../compose/up.js';
import { createEngine } from '../engine.js';
import { silentLogger } from '../log.js';
import { createWatchers, splitWatchOptions } from '../viewer/watch.js';

export const upUsage = `Usage: berth up [-f FILE] [--no-color] [--ui [PORT]] [--inspect [PORT]]

Runs the services of berth.yaml (else compose.yaml / docker-compose.yaml) in dependency order,
with each one's output prefixed by its name. Ctrl-C stops them in reverse dependency order, each
with its own stop signal and grace period; a second Ctrl-C kills what is left at once.
Exit status 0 when every service stopped cleanly (without SIGKILL).

  --ui [PORT]       serve the berth viewer on 127.0.0.1 (default port 7375)
  --inspect [PORT]  relay the actor system to the Stately inspector (default port 8080)
`;

/** Runs `berth up`; resolves with the exit status. */
export async function runUp(args: string[]): Promise<number> {
  const [watch, rest] = splitWatchOptions(args);
  const { values } = parseArgs({ args: rest, options: { file: { type: 'string', short: 'f' }, 'no-color': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(upUsage);
    return 0;
  }
  const project = loadProject(findComposeFile(values.file));
  const watchers = createWatchers(watch);
  const logger = silentLogger();
  const engine = createEngine({ logger, ...watchers.engineOptions });
  try {
    const where = await watchers.listen(engine, logger);
    if (where) process.stdout.write(where.endsWith('\n') ? where : `${where}\n`);
    return await up(project, { engine, ...(values['no-color'] ? { color: false } : {}) });
  } finally {
    await engine.shutdown({ timeout: 1 });
    await watchers.close();
  }
}
