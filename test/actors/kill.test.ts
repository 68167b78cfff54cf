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
  it('does not touch a process whose start time differs from the recorded one', async () => {
    const bystander = await startBystander();
    const recycled = { pid: bystander.pid, startTime: '1' };
    expect(ownsProcessGroup(recycled)).toBe(false);
    expect(() => signalProcessGroup(recycled, 'SIGKILL')).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(() => killProcessDirectly(recycled)).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(listProcessGroup(bystander.pid).filter(isProcessAlive)).toHaveLength(2);
  });

  it('a reaped child recorded without a start time: whoever holds its pid now is someone else', async () => {
    const bystander = await startBystander();
    const reaped = { pid: bystander.pid, startTime: undefined };
    expect(ownsProcessGroup(reaped)).toBe(false);
    expect(() => signalProcessGroup(reaped, 'SIGKILL')).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(() => killProcessDirectly(reaped)).not.toThrow();
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
