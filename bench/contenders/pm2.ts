// PM2 7, driven through its programmatic API (the one its CLI uses) against a daemon of its own:
// PM2_HOME is a directory of this run, and the daemon is started (connect) before anything is
// timed. Everything else is PM2's default except what the workloads need: the program runs
// without an interpreter, is never restarted by PM2, gets SIGTERM (PM2's default is SIGINT) and
// the workload's stop timeout (kill_timeout). Groups start and stop through PM2's own batch
// calls (an apps list, `stop all`), which PM2 runs two at a time (PM2_CONCURRENT_ACTIONS, pm2#5500).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { trackDaemon, untrackDaemon } from '../cleanup.js';
import { killPrograms, listProgramProcesses } from '../processes.js';
import { daemonMemory } from './memory.js';
import type { Contender, ContenderContext } from './contender.js';
import { processName, processNames } from './contender.js';

type Callback<T = unknown> = (error: Error | null | undefined, result?: T) => void;

interface Pm2App {
  name: string;
  script: string;
  args: string[];
  interpreter: 'none';
  autorestart: false;
  kill_timeout: number;
}

// The part of PM2's API the bench uses (its bundled types lack `delete` and app lists).
interface Pm2Api {
  connect(callback: Callback): void;
  disconnect(): void;
  start(config: { apps: Pm2App[] }, callback: Callback): void;
  stop(target: string, callback: Callback): void;
  restart(target: string, callback: Callback): void;
  delete(target: string, callback: Callback): void;
  killDaemon(callback: Callback): void;
}

let loaded: Promise<Pm2Api> | undefined;

// PM2 reads its home and its kill signal from the environment when it is first loaded, and its
// daemon inherits the environment: so they are set once, before the import, for the whole run.
function loadPm2(home: string): Promise<Pm2Api> {
  loaded ??= (async () => {
    process.env.PM2_HOME = home;
    process.env.PM2_KILL_SIGNAL = 'SIGTERM';
    process.env.PM2_DISCRETE_MODE = 'true';
    process.env.PM2_NO_INTERACTION = 'true';
    const module = (await import('pm2')) as unknown as { default: Pm2Api };
    return module.default;
  })();
  return loaded;
}

/** Whether PM2 can be loaded (it is a dev dependency, so after `npm install` it is). */
export function pm2Available(): boolean {
  try {
    createRequire(import.meta.url).resolve('pm2');
    return true;
  } catch {
    return false;
  }
}

function call<T>(action: (callback: Callback<T>) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => action((error, result) => (error ? reject(error) : resolve(result))));
}

export function createPm2(context: ContenderContext): Contender {
  const home = join(context.workDir, 'pm2');
  let pm2: Pm2Api | undefined;
  const known = new Set<string>();

  const daemonPid = (): number | undefined => {
    try {
      return Number(readFileSync(join(home, 'pm2.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };
  const api = (): Pm2Api => {
    if (!pm2) throw new Error('pm2 is not open');
    return pm2;
  };

  return {
    name: 'pm2',
    async open() {
      const loadedPm2 = await loadPm2(home);
      await call((callback) => loadedPm2.connect(callback));
      pm2 = loadedPm2;
      const pid = daemonPid();
      if (pid !== undefined) trackDaemon(pid);
    },
    async start(group) {
      if (known.has(group.name)) {
        await call((callback) => api().restart(group.count === 1 ? processName(group, 0) : 'all', callback));
        return;
      }
      const { file, args } = context.program.command(group.mode);
      const apps = processNames(group).map((name): Pm2App => ({
        name, script: file, args, interpreter: 'none', autorestart: false, kill_timeout: group.stopTimeoutMs,
      }));
      await call((callback) => api().start({ apps }, callback));
      known.add(group.name);
    },
    async stop(group) {
      await call((callback) => api().stop(group.count === 1 ? processName(group, 0) : 'all', callback));
    },
    async reset(group) {
      if (!known.delete(group.name)) return;
      await call((callback) => api().delete(group.count === 1 ? processName(group, 0) : 'all', callback));
    },
    memory: async () => daemonMemory(daemonPid(), 'the PM2 daemon'),
    async close() {
      const current = pm2;
      pm2 = undefined;
      known.clear();
      if (!current) return;
      const pid = daemonPid();
      try {
        // PM2 deletes processes two at a time with a 100 ms liveness poll each: end ours first, so
        // its own shutdown has nothing left to wait for (untimed; 1000 processes would take 50 s).
        if (killPrograms(context.program.path) > 0) {
          for (let i = 0; i < 100 && listProgramProcesses(context.program.path).length > 0; i++) await sleep(20);
          await sleep(200); // let the daemon see the exits
        }
        await Promise.race([call((callback) => current.killDaemon(callback)), sleep(20_000)]);
      } finally {
        current.disconnect();
        if (pid !== undefined) {
          untrackDaemon(pid);
          try {
            process.kill(pid, 'SIGKILL'); // normally gone already
          } catch {
            // gone
          }
        }
        killPrograms(context.program.path);
      }
    },
  };
}
