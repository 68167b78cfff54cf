// The floor: Node's child_process used directly, doing the kernel work berth does for a container
// (its own process group, stdout and stderr piped and read) and nothing else: SIGTERM to the
// process, SIGKILL to its group after the timeout, done on 'close'. 'close' is Node's word for
// what berth's answer means too: the process has exited and its output has been read to the end
// (as Docker's `die` comes once the container's output is drained); 'exit' would answer before
// the last of it is in.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Contender, ContenderContext, Group, MemorySample } from './contender.js';
import { inProcessMemory } from './memory.js';

interface Running {
  child: ChildProcess;
  /** The process exited and its pipes closed. */
  closed: Promise<void>;
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
    child.once('exit', () => {
      if (child.pid !== undefined) signal(-child.pid, 'SIGKILL'); // what the main process left in its group
    });
    const closed = once(child, 'close').then(() => {});
    await once(child, 'spawn');
    return { child, closed };
  }

  async function stopOne({ child, closed }: Running, timeoutMs: number): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return closed;
    const pid = child.pid;
    signal(pid, 'SIGTERM');
    const timer = setTimeout(() => signal(-pid, 'SIGKILL'), timeoutMs);
    await closed;
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
