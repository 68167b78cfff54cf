// Group signalling and the direct kill never reach a process that merely holds a recycled pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { killProcessDirectly, ownsProcessGroup, signalProcessGroup } from '../../src/actors/kill.js';
import { isProcessAlive, listProcessGroup, readProcessStartTime } from '../../src/actors/proc.js';

const children: ChildProcess[] = [];

// Stands in for "an unrelated process that now has the container's pid": its own group, alive.
async function startBystander(): Promise<{ pid: number; startTime: string }> {
  const child = spawn('/bin/sh', ['-c', 'sleep 1000 & wait'], { detached: true, stdio: 'ignore' });
  children.push(child);
  const pid = child.pid!;
  await vi.waitFor(() => expect(listProcessGroup(pid).filter(isProcessAlive)).toHaveLength(2));
  return { pid, startTime: readProcessStartTime(pid)! };
}

afterEach(() => {
  for (const child of children.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('kill', () => {
  it.each([
    ['a start time that differs from the recorded one', '1'],
    ['no start time (our reaped child): whoever holds its pid now is someone else', undefined],
  ])('does not touch a process when the record has %s', async (_, startTime) => {
    const bystander = await startBystander();
    const recorded = { pid: bystander.pid, startTime };
    expect(ownsProcessGroup(recorded)).toBe(false);
    expect(() => signalProcessGroup(recorded, 'SIGKILL')).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(() => killProcessDirectly(recorded)).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listProcessGroup(bystander.pid).filter(isProcessAlive)).toHaveLength(2);
  });

  it('kills the main process and every member of its group when the identity matches', async () => {
    const target = await startBystander();
    const members = listProcessGroup(target.pid);
    killProcessDirectly(target);
    await vi.waitFor(() => {
      for (const pid of members) expect(isProcessAlive(pid)).toBe(false);
    });
  });

  it('treats a pid that no longer exists as already killed', () => {
    const gone = { pid: 4_194_305, startTime: '1' };
    expect(ownsProcessGroup(gone)).toBe(true);
    expect(() => killProcessDirectly(gone)).not.toThrow();
    expect(() => signalProcessGroup(gone, 'SIGKILL')).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});
