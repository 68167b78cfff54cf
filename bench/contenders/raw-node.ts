// The floor: Node's child_process used directly, doing the kernel work berth does for a container
// (its own process group, stdout and stderr piped and read) and nothing else: SIGTERM to the
// process, SIGKILL to its group after the timeout, done on 'exit'.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Contender, ContenderContext, Group, MemorySample } from './contender.js';
import { inProcessMemory } from './memory.js';

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

/** kill(2) that ignores "no such process": the target may have exited a moment ago. */
export function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // gone already
  }
}

export function createRawNode(context: ContenderContext): Contender {
  const groups = new Map<string, Running[]>();

  async function startOne(group: Group): Promise<Running> {
    const { file, args } = context.program.command(group.mode);
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.resume();
    child.stderr?.resume();
    const exited = once(child, 'exit').then(() => {
      if (child.pid !== undefined) signal(-child.pid, 'SIGKILL'); // what the main process left in its group
    });
    await once(child, 'spawn');
    return { child, exited };
  }

  async function stopOne({ child, exited }: Running, timeoutMs: number): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
    const pid = child.pid;
    signal(pid, 'SIGTERM');
    const timer = setTimeout(() => signal(-pid, 'SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  return {
    name: 'raw-node',
    async open() {},
    async start(group) {
      const started = await Promise.all(Array.from({ length: group.count }, () => startOne(group)));
      groups.set(group.name, started);
    },
    async stop(group) {
      await Promise.all((groups.get(group.name) ?? []).map((running) => stopOne(running, group.stopTimeoutMs)));
    },
    async reset(group) {
      groups.delete(group.name);
    },
    memory: async (): Promise<MemorySample> => inProcessMemory(),
    async close() {
      const all = [...groups.values()].flat();
      groups.clear();
      await Promise.all(all.map((running) => stopOne(running, 0)));
    },
  };
}
