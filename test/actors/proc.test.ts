// The /proc readers against real processes, including a comm full of parentheses and a zombie.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  isProcessAlive,
  isSameProcess,
  listProcessGroup,
  pidExists,
  readProcessStartTime,
  readProcessState,
} from '../../src/actors/proc.js';

const tmpDir = mkdtempSync(join(tmpdir(), 'berth-proc-test-'));
const children: ChildProcess[] = [];
const pidMax = 4_194_304; // above the kernel's PID_MAX_LIMIT: never a live pid

// A detached child (its own process group); its output is read by the test when needed.
function startGroup(file: string, args: string[]): ChildProcess & { pid: number } {
  const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  if (child.pid === undefined) throw new Error(`could not start ${file}`);
  return child as ChildProcess & { pid: number };
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

afterAll(() => rmSync(tmpDir, { recursive: true, force: true }));

describe('proc', () => {
  it('reads this process: alive, running or sleeping, with a stable start time', () => {
    const startTime = readProcessStartTime(process.pid);
    expect(startTime).toMatch(/^\d+$/);
    expect(readProcessStartTime(process.pid)).toBe(startTime);
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(pidExists(process.pid)).toBe(true);
    expect(isSameProcess(process.pid, startTime)).toBe(true);
    expect(isSameProcess(process.pid, `${startTime}0`)).toBe(false);
    expect(isSameProcess(process.pid, undefined)).toBe(false);
  });

  it('answers undefined / false / [] for pids that cannot exist', () => {
    for (const pid of [pidMax + 1, 0, -1, 1.5]) {
      expect(readProcessStartTime(pid)).toBeUndefined();
      expect(readProcessState(pid)).toBeUndefined();
      expect(isProcessAlive(pid)).toBe(false);
      expect(pidExists(pid)).toBe(false);
    }
    expect(listProcessGroup(pidMax + 1)).toEqual([]);
  });

  it('parses stat after the last ")" when the command name holds spaces and parentheses', async () => {
    const trickyName = 'a) b (c) 1 2';
    const link = join(tmpDir, trickyName);
    symlinkSync('/bin/sleep', link);
    const child = startGroup(link, ['1000']);
    await vi.waitFor(() => expect(readProcessState(child.pid)).toMatch(/^[RS]$/));
    expect(readProcessStartTime(child.pid)).toMatch(/^\d+$/);
    expect(listProcessGroup(child.pid)).toEqual([child.pid]);
  });

  it('lists every member of a process group, and only those', async () => {
    const child = startGroup('/bin/sh', ['-c', 'sleep 1000 & sleep 1000 & wait']);
    const members = await vi.waitFor(() => {
      const found = listProcessGroup(child.pid);
      expect(found).toHaveLength(3);
      return found;
    });
    expect(members).toContain(child.pid);
    expect(members).not.toContain(process.pid);
  });

  it('treats a zombie as dead although its pid and start time are still there', async () => {
    // sh forks a short sleep, then execs a long one, which never reaps it: the child stays a
    // zombie. The child outlives the exec, so the shell cannot reap it first.
    const child = startGroup('/bin/sh', ['-c', 'sleep 0.2 & echo "$!"; exec sleep 1000']);
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const zombie = await vi.waitFor(() => {
      const pid = Number.parseInt(text, 10);
      expect(readProcessState(pid)).toBe('Z');
      return pid;
    }, { timeout: 5_000, interval: 20 });
    expect(isProcessAlive(zombie)).toBe(false);
    expect(readProcessStartTime(zombie)).toMatch(/^\d+$/);
    expect(listProcessGroup(child.pid)).toContain(zombie);
  });
});
