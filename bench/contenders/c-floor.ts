// The C floor (program/c-floor.c): a supervisor in C with no JavaScript and no runtime, doing the
// kernel work raw Node does for a process (its own session, stdout and stderr piped and read,
// SIGTERM, SIGKILL to its group at the timeout, done once reaped and both pipes have ended) from
// one poll loop. What it takes is what the kernel takes on this machine: no supervisor can stop
// the processes faster. For reference, not a target. Driven one command a line over its stdin
// (the round trip is two pipe wake-ups, as a daemon's socket is for PM2 and supervisord).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { trackDaemon, untrackDaemon } from '../cleanup.js';
import { killPrograms } from '../processes.js';
import { cCompilerInstalled, compileC } from '../program.js';
import { daemonMemory } from './memory.js';
import type { Contender, ContenderContext, Group } from './contender.js';

/** Why the C floor cannot run here, or undefined when a C compiler is installed. */
export function cFloorUnavailable(): string | undefined {
  return cCompilerInstalled() ? undefined : 'no C compiler: `sudo apt-get install -y gcc` (bench/README.md)';
}

let instances = 0;

export function createCFloor(context: ContenderContext): Contender {
  let supervisor: ChildProcess | undefined;
  const waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];

  function failAll(error: Error): void {
    for (const request of waiting.splice(0)) request.reject(error);
  }

  /** Sends one command and resolves on its answer ("ok"), rejects on "error ...". */
  function ask(line: string): Promise<void> {
    const current = supervisor;
    if (!current?.stdin) return Promise.reject(new Error('the C floor is not running: open() first'));
    return new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      current.stdin!.write(`${line}\n`);
    });
  }

  return {
    name: 'c-floor',
    async open() {
      const binary = join(context.workDir, `c-floor-${++instances}`);
      if (!compileC('c-floor.c', binary)) throw new Error(`could not compile bench/program/c-floor.c: ${cFloorUnavailable() ?? 'see the compiler\'s output by running it by hand'}`);
      // Each start names the mode; the C floor appends it to the program's argv.
      const child = spawn(binary, ['--', ...context.program.prefix], { stdio: ['pipe', 'pipe', 'inherit'] });
      supervisor = child;
      const pid = child.pid;
      if (pid !== undefined) {
        trackDaemon(pid);
        child.on('exit', () => untrackDaemon(pid));
      }
      child.on('exit', (code, signal) => failAll(new Error(`the C floor exited (${signal ?? code})`)));
      child.on('error', (error) => failAll(error));
      createInterface({ input: child.stdout! }).on('line', (answer) => {
        const request = waiting.shift();
        if (!request) return;
        if (answer === 'ok') request.resolve();
        else request.reject(new Error(`the C floor: ${answer.replace(/^error /, '')}`));
      });
      await once(child, 'spawn');
    },
    start: (group: Group) => ask(`start ${group.name} ${group.mode} ${group.count}`),
    stop: (group: Group) => ask(`stop ${group.name} ${group.stopTimeoutMs}`),
    reset: (group: Group) => ask(`reset ${group.name}`),
    memory: async () => daemonMemory(supervisor?.pid, 'the C floor'),
    async close() {
      const current = supervisor;
      supervisor = undefined;
      if (current && current.exitCode === null && current.signalCode === null) {
        // End of stdin: it SIGKILLs what is left, reaps it and exits.
        const exited = once(current, 'exit');
        current.stdin?.end();
        const late = setTimeout(() => current.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(late);
      }
      killPrograms(context.program.path);
    },
  };
}
