// berth with its default (process) runtime, embedded in the bench's process as an embedder would
// use it: create and start per container (a `docker run`), stop all at once with Promise.all.
import { createEngine, type Engine } from '../../src/index.js';
import type { Contender, ContenderContext } from './contender.js';
import { processNames } from './contender.js';
import { inProcessMemory } from './memory.js';

export function createBerth(context: ContenderContext): Contender {
  let engine: Engine | undefined;
  const created = new Set<string>();

  function open(): Engine {
    engine ??= createEngine();
    return engine;
  }

  return {
    name: 'berth',
    async open() {
      open();
    },
    async start(group) {
      const current = open();
      const cmd = (() => {
        const { file, args } = context.program.command(group.mode);
        return [file, ...args];
      })();
      await Promise.all(processNames(group).map(async (name) => {
        if (!created.has(name)) {
          await current.create({ name, cmd, stopTimeout: group.stopTimeoutMs / 1000 });
          created.add(name);
        }
        await current.start(name);
      }));
    },
    async stop(group) {
      const current = open();
      await Promise.all(processNames(group).map((name) => current.stop(name)));
    },
    async reset(group) {
      const current = open();
      await Promise.all(processNames(group).filter((name) => created.delete(name)).map((name) => current.remove(name, { force: true })));
    },
    memory: inProcessMemory,
    async close() {
      const current = engine;
      engine = undefined;
      created.clear();
      if (current) await current.shutdown({ timeout: 2 });
    },
  };
}
