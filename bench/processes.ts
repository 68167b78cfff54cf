// What the bench reads from /proc: the processes of this run's program (found by the program's
// unique path in their argv, so never anyone else's), whether they have set up their SIGTERM
// disposition yet, and a process's resident memory.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const SIGTERM_BIT = 1n << 14n; // signal 15 is bit 14 of the SigCgt / SigIgn masks (proc(5))

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined; // the process is gone
  }
}

function argvOf(pid: number): string[] {
  return (readText(`/proc/${pid}/cmdline`) ?? '').split('\0');
}

/**
 * Every live process whose argv[0] or argv[1] is `programPath` (the C program, or the shell running
 * the fallback script): the processes this run started, whichever contender started them.
 * @example listProgramProcesses('/tmp/berth-bench-x/tiny') // [4242, 4243]
 */
export function listProgramProcesses(programPath: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = argvOf(Number(entry));
    if (argv[0] === programPath || argv[1] === programPath) pids.push(Number(entry));
  }
  return pids;
}

/** Whether a process exists, is not a zombie, and has caught or ignored SIGTERM. */
function handlesSigterm(pid: number): boolean {
  const status = readText(`/proc/${pid}/status`);
  if (status === undefined || /^State:\s+[ZX]/m.test(status)) return false;
  const mask = (name: string): bigint => BigInt(`0x${new RegExp(`^${name}:\\s+([0-9a-f]+)`, 'm').exec(status)?.[1] ?? '0'}`);
  return ((mask('SigCgt') | mask('SigIgn')) & SIGTERM_BIT) !== 0n;
}

/**
 * Waits until `count` processes of the program run with their SIGTERM disposition set: a SIGTERM
 * that came earlier would meet the default action (death) instead of the program's handler, and
 * W2 would time an immediate death rather than a 1 s stop timeout. Untimed, between start and stop.
 */
export async function waitForPrograms(programPath: string, count: number, timeoutMs = 30_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = listProgramProcesses(programPath).filter(handlesSigterm);
    if (ready.length >= count) return ready;
    if (Date.now() > deadline) throw new Error(`only ${ready.length} of ${count} processes of ${programPath} were running after ${timeoutMs} ms`);
    await sleep(ready.length === 0 ? 5 : 2);
  }
}

/** Waits until none of the program's processes is alive (zombies not yet reaped count as gone). */
export async function waitForNoPrograms(programPath: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (listProgramProcesses(programPath).some((pid) => !/^State:\s+[ZX]/m.test(readText(`/proc/${pid}/status`) ?? 'State: X'))) {
    if (Date.now() > deadline) throw new Error(`processes of ${programPath} were still alive after ${timeoutMs} ms`);
    await sleep(10);
  }
}

/**
 * SIGKILLs every process of the program still alive, by pid (and its process group when it leads
 * one, so the shell fallback's `sleep` goes too). The last line of every cleanup.
 * @returns how many were found
 */
export function killPrograms(programPath: string): number {
  const pids = listProgramProcesses(programPath);
  for (const pid of pids) {
    const stat = readText(`/proc/${pid}/stat`);
    const pgrp = stat === undefined ? undefined : Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    for (const target of pgrp === pid ? [-pid, pid] : [pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  return pids.length;
}

/** Resident set size of a process in bytes (VmRSS), or undefined if it is gone. */
export function readRssBytes(pid: number): number | undefined {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readText(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) * 1024 : undefined;
}
