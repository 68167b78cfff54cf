// Linux /proc readers for the process runtime: liveness that sees through zombies, process-group
// membership, and the start time that tells a live pid apart from a recycled one (proc(5)).
import { readdirSync, readFileSync, statSync } from 'node:fs';

// The fields of /proc/<pid>/stat after the comm, split once: comm is "(name)" and may itself
// contain spaces and parentheses, so only the text after the *last* ')' splits safely.
// Index 0 is field 3 (state), index 2 is field 5 (pgrp), index 19 is field 22 (starttime).
function readStatFields(pid: number): string[] | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined; // no such process (ENOENT), or it vanished while we read (ESRCH)
  }
  const close = stat.lastIndexOf(')');
  if (close < 0) return undefined;
  return stat.slice(close + 1).trim().split(/\s+/);
}

/**
 * Whether any process (or zombie) has this pid, without the cost of an exception when none has:
 * the exit path asks right after the reap, when the answer is usually no.
 */
export function pidExists(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0 && statSync(`/proc/${pid}`, { throwIfNoEntry: false }) !== undefined;
}

/** The one-letter state of a process (R, S, D, T, t, Z, X, ...), or undefined if it does not exist. */
export function readProcessState(pid: number): string | undefined {
  return readStatFields(pid)?.[0];
}

/**
 * The kernel start time of a process (clock ticks since boot, as text), or undefined if it does
 * not exist. A pid plus its start time names one process for good, whatever reuses the pid later.
 * @example readProcessStartTime(process.pid) // '1234567'
 */
export function readProcessStartTime(pid: number): string | undefined {
  return readStatFields(pid)?.[19];
}

/**
 * Whether a process exists and has not died: `kill(pid, 0)` succeeds on zombies, which are dead
 * but not yet reaped, so liveness checks must read the state instead.
 */
export function isProcessAlive(pid: number): boolean {
  const state = readProcessState(pid);
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/**
 * Every pid whose process group is `pgid`, zombies included: the members a group signal reaches,
 * found without signalling anything. Pids that vanish during the scan are skipped.
 * @example listProcessGroup(child.pid) // [child.pid, grandchildPid]
 */
export function listProcessGroup(pgid: number): number[] {
  return scanProcessGroup(pgid).map(({ pid }) => pid);
}

/** What a process group uses now: CPU time (its members' and their reaped children's) and memory. */
export interface GroupUsage {
  /** Members, zombies included. */
  pids: number;
  /** utime + stime + cutime + cstime of every member, in clock ticks (USER_HZ, 100 a second on Linux). */
  userTicks: number;
  systemTicks: number;
  /** Resident set size of every member, in pages. */
  rssPages: number;
}

/**
 * The CPU and memory a process group uses, from one scan of /proc: what `docker stats` shows for
 * a container of the process runtime.
 * @example readGroupUsage(child.pid) // { pids: 2, userTicks: 31, systemTicks: 4, rssPages: 912 }
 */
export function readGroupUsage(pgid: number): GroupUsage {
  const usage: GroupUsage = { pids: 0, userTicks: 0, systemTicks: 0, rssPages: 0 };
  for (const { fields } of scanProcessGroup(pgid)) {
    // Fields 14-17 (utime, stime, cutime, cstime) and 24 (rss), indexed from field 3.
    usage.pids++;
    usage.userTicks += Number(fields[11]) + Number(fields[13]);
    usage.systemTicks += Number(fields[12]) + Number(fields[14]);
    usage.rssPages += Number(fields[21]);
  }
  return usage;
}

// The members of a process group with their stat fields, from one pass over /proc.
function scanProcessGroup(pgid: number): { pid: number; fields: string[] }[] {
  const members: { pid: number; fields: string[] }[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const fields = readStatFields(pid);
    if (fields !== undefined && Number(fields[2]) === pgid) members.push({ pid, fields });
  }
  return members;
}

/**
 * Whether `pid` still names the process that had `startTime`: the identity check that keeps a
 * last-resort kill from hitting an unrelated process that was given a recycled pid.
 */
export function isSameProcess(pid: number, startTime: string | undefined): boolean {
  return startTime !== undefined && readProcessStartTime(pid) === startTime;
}
