// GET /containers/{id}/stats, `docker stats`: the CPU, memory and process count of a container,
// in the shape of Docker's stats (the fields its CLI reads). With the process runtime a container
// is a process group, so the figures are its members' from /proc; there is no cgroup, hence no
// limit but the host's memory, and no network or block I/O figures.
import { readFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { readGroupUsage } from '../../../actors/proc.js';
import { readBoolean } from '../query.js';
import type { ApiRequest } from '../request.js';

/** Linux reports CPU time in /proc in USER_HZ ticks, 100 a second. */
const nanosecondsPerTick = 1e7;
/** The page size of x86-64 (what /proc's rss counts); arm64 kernels built with larger pages would under-report. */
const pageBytes = 4096;
/** Docker samples once a second. */
const intervalMs = 1_000;

interface CpuStats {
  cpu_usage: { total_usage: number; usage_in_usermode: number; usage_in_kernelmode: number };
  system_cpu_usage: number;
  online_cpus: number;
}

interface Sample {
  read: string;
  pids_stats: { current: number };
  cpu_stats: CpuStats;
  memory_stats: { usage: number; limit: number };
}

export async function statsContainer({ engine, params, query, res, signal }: ApiRequest): Promise<undefined> {
  const { Id, Name } = engine.inspect(params.id!);
  const stream = query.get('stream') === null || readBoolean(query, 'stream'); // Docker's default: a stream
  const oneShot = readBoolean(query, 'one-shot');
  // Read fresh each time: a container that stopped, or was removed meanwhile, counts nothing.
  const sample = (): Sample => sampleOf(stateOf(engine, Id));
  res.writeHead(200, { 'Content-Type': 'application/json' });
  let previous = oneShot ? undefined : sample();
  if (!stream && !oneShot) await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  do {
    if (signal.aborted) break;
    const current = sample();
    res.write(`${JSON.stringify({ id: Id, name: Name, ...current, preread: previous?.read ?? '0001-01-01T00:00:00Z', precpu_stats: previous?.cpu_stats ?? emptyCpu() })}\n`);
    previous = current;
    if (!stream || current.pids_stats.current === 0) break;
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  } while (!signal.aborted);
  res.end();
  return undefined;
}

function stateOf(engine: ApiRequest['engine'], id: string): { Running: boolean; Pid: number } {
  try {
    return engine.inspect(id).State;
  } catch {
    return { Running: false, Pid: 0 };
  }
}

function sampleOf(state: { Running: boolean; Pid: number }): Sample {
  const usage = state.Running && state.Pid > 0 ? readGroupUsage(state.Pid) : { pids: 0, userTicks: 0, systemTicks: 0, rssPages: 0 };
  const user = usage.userTicks * nanosecondsPerTick, kernel = usage.systemTicks * nanosecondsPerTick;
  return {
    read: new Date().toISOString(),
    pids_stats: { current: usage.pids },
    cpu_stats: {
      cpu_usage: { total_usage: user + kernel, usage_in_usermode: user, usage_in_kernelmode: kernel },
      system_cpu_usage: systemCpuNanoseconds(),
      online_cpus: availableParallelism(),
    },
    memory_stats: { usage: usage.rssPages * pageBytes, limit: totalmem() },
  };
}

function emptyCpu(): CpuStats {
  return { cpu_usage: { total_usage: 0, usage_in_usermode: 0, usage_in_kernelmode: 0 }, system_cpu_usage: 0, online_cpus: 0 };
}

// The host's CPU time since boot, all CPUs and states (the first line of /proc/stat), as Docker reports it.
function systemCpuNanoseconds(): number {
  const line = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
  return line.trim().split(/\s+/).slice(1, 8).reduce((sum, ticks) => sum + Number(ticks), 0) * nanosecondsPerTick;
}
