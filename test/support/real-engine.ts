// Engines over the real process runtime, with short timings, and a cleanup that leaves no process
// behind even when a test fails half-way.
import { execa } from 'execa';
import { afterEach } from 'vitest';
import { isProcessAlive, listProcessGroup } from '../../src/actors/proc.js';
import { createEngine, type Engine, type EngineOptions } from '../../src/index.js';

const engines: Engine[] = [];
const groups = new Set<number>();

/** A process-runtime engine that is shut down, and whose process groups are killed, after the test. */
export function realEngine(options: EngineOptions = {}): Engine {
  const engine = createEngine({ timings: { killWaitMs: 1_000, directKillWaitMs: 500 }, ...options });
  engines.push(engine);
  const events = engine.events({ event: ['start'] });
  void (async () => {
    try {
      for await (const event of events) {
        const pid = engine.inspect(event.Actor.ID).State.Pid;
        if (pid) groups.add(pid);
      }
    } catch { /* the engine went away */ }
  })();
  return engine;
}

/** Living members of a process group (zombies are dead, just not yet reaped). */
export function livingInGroup(pgid: number): number[] {
  return listProcessGroup(pgid).filter(isProcessAlive);
}

/** Pids of the processes whose command line matches `pattern` (pgrep -f), as a user would look. */
export async function processesMatching(pattern: string): Promise<number[]> {
  const { stdout } = await execa('pgrep', ['-f', pattern], { reject: false });
  return String(stdout).split('\n').filter(Boolean).map(Number);
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.shutdown({ timeout: 2 })));
  for (const pgid of groups) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
  }
  groups.clear();
});
