// `--probe`: what a timed span cost this process beyond its wall time, from Linux's per-thread
// scheduler statistics and Node's GC entries. On a 2-CPU machine a span is often longer because
// the engine's thread waited for a CPU (the processes it signalled run their exits there) or
// because V8's helper threads (concurrent marking, compiles) took one, not because of more work
// on the thread itself: bench/ROUNDS.md, eighth round.
import { readdirSync, readFileSync } from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export interface SpanCost {
  /** CPU time of the main thread (the engine's, for raw Node, the floor and berth). */
  onCpuMs: number;
  /** Time the main thread was runnable but waited for a CPU. */
  waitingMs: number;
  /** CPU time of every other thread of the process: V8's helpers, libuv's pool. */
  helpersMs: number;
  /** Pauses of the collector on the main thread, and how many were mark-compacts. */
  gcMs: number;
  gcs: number;
  majorGcs: number;
  /**
   * Size of V8's young generation when the span began. V8 shrinks it while the process idles
   * (to 1 MiB here, from 32 MiB), and a span that allocates then scavenges far more often.
   */
  youngGenerationMib: number;
  /**
   * Minor page faults of the whole process: memory the kernel had to supply (and zero) as it was
   * first touched. After a mark-compact V8 gives emptied pages back, and the allocations that follow
   * fault them in again, one per 4 KiB, at about 20 µs each on the bench's VM (thirteenth round).
   */
  pageFaults: number;
  /**
   * Where the span lies on CLOCK_MONOTONIC, in seconds: the clock of `perf record -k CLOCK_MONOTONIC`,
   * so that perf-spans.ts can sum what every thread of the machine did within it.
   */
  monotonicS: [start: number, end: number];
}

type ThreadTimes = Map<string, { cpuNs: number; waitNs: number }>;

// /proc/self/task/<tid>/schedstat: "<ns on CPU> <ns runnable, waiting> <timeslices>".
function threadTimes(): ThreadTimes {
  const times: ThreadTimes = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const [cpu, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      times.set(tid, { cpuNs: cpu ?? 0, waitNs: wait ?? 0 });
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return times;
}

/** Whether this system has the per-thread statistics the probe reads (Linux with schedstats). */
export function probeAvailable(): boolean {
  try {
    return readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').length >= 2;
  } catch {
    return false;
  }
}

/**
 * Starts measuring; the returned function ends the span and gives its cost. One span at a time.
 * @example const end = beginSpan(); await contender.stop(group); log(describeCost(await end()));
 */
export function beginSpan(): () => Promise<SpanCost> {
  const gcs: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => gcs.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const youngGenerationMib = (getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0) / 2 ** 20;
  const before = threadTimes();
  const faultsBefore = process.resourceUsage().minorPageFault;
  const main = String(process.pid);
  const startedAt = performance.now();
  const monotonicStart = monotonicSeconds();
  return async () => {
    const endedAt = performance.now();
    const monotonicEnd = monotonicSeconds();
    const after = threadTimes();
    const pageFaults = process.resourceUsage().minorPageFault - faultsBefore;
    // Node creates a collection's entry in an immediate after it, so the collections of the span's
    // last turn of the event loop have none until the loop reaches its check phase: a span that ends
    // in its poll phase (raw Node's and the floor's, which answer on the 'exit' event) lost them, and
    // their mark-compacts went uncounted until the nineteenth round. One turn later they are there;
    // by their start times, what came before the span (the bench's own minor GC right before it) or
    // after it is left out.
    await new Promise<void>((resolve) => setImmediate(resolve));
    gcs.push(...observer.takeRecords());
    observer.disconnect();
    const inSpan = gcs.filter((entry) => entry.startTime >= startedAt && entry.startTime <= endedAt);
    let helpersNs = 0;
    for (const [tid, { cpuNs }] of after) if (tid !== main) helpersNs += cpuNs - (before.get(tid)?.cpuNs ?? 0);
    const start = before.get(main)!;
    const end = after.get(main)!;
    const major = constants.NODE_PERFORMANCE_GC_MAJOR;
    return {
      onCpuMs: (end.cpuNs - start.cpuNs) / 1e6,
      waitingMs: (end.waitNs - start.waitNs) / 1e6,
      helpersMs: helpersNs / 1e6,
      gcMs: inSpan.reduce((sum, entry) => sum + entry.duration, 0),
      gcs: inSpan.length,
      majorGcs: inSpan.filter((entry) => (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === major).length,
      youngGenerationMib,
      pageFaults,
      monotonicS: [monotonicStart, monotonicEnd],
    };
  };
}

// libuv's hrtime is CLOCK_MONOTONIC on Linux.
function monotonicSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** The line a `--probe` run starts with: perf-spans.ts tells the bench's threads from the machine's by this pid. */
export function describeProbedProcess(pid: number): string {
  return `probe: the bench's process is pid ${pid}`;
}

/** The line `--probe` logs for one span, which perf-spans.ts reads back. */
export function describeSpan(contender: string, phase: 'start' | 'stop', spanMs: number, cost: SpanCost): string {
  return `    ${contender} ${phase} span ${spanMs.toFixed(1)} ms: ${describeCost(cost)}`;
}

export function describeCost(cost: SpanCost): string {
  const ms = (value: number): string => value.toFixed(1);
  return `main thread ${ms(cost.onCpuMs)} ms on CPU, ${ms(cost.waitingMs)} ms waiting for one; helper threads ${ms(cost.helpersMs)} ms; GC ${ms(cost.gcMs)} ms in ${cost.gcs} pause${cost.gcs === 1 ? '' : 's'} (${cost.majorGcs} mark-compact), young generation ${ms(cost.youngGenerationMib)} MiB at the start; ${cost.pageFaults} page fault${cost.pageFaults === 1 ? '' : 's'}; CLOCK_MONOTONIC ${cost.monotonicS[0].toFixed(6)}-${cost.monotonicS[1].toFixed(6)} s`;
}
