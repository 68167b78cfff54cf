// Who had the CPUs during the bench's timed spans: a `perf record -a` of a `--probe` run, summed
// per workload, contender and phase over the spans the probe logged. `--probe` reads the bench's own
// threads only; on 2 CPUs a span is also long because of what ran beside them (the processes
// exiting, V8's compiler and marker on the helper threads, the daemons). V8's sampling profiler
// charges a preempted thread's wait to the function it was preempted in (bench/ROUNDS.md, tenth
// round); perf's cpu-clock samples only what is on a CPU.
//
//   perf record -a -g -k CLOCK_MONOTONIC -F 1999 -o perf.data -- \
//     node --expose-gc dist/bench/run.js --only W1,W2 --probe --no-write | tee bench.log
//   node dist/bench/perf-spans.js bench.log perf.data
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

/** A span the probe logged: its workload, contender, phase, and CLOCK_MONOTONIC bounds in seconds. */
export interface LoggedSpan {
  workload: string;
  contender: string;
  phase: string;
  start: number;
  end: number;
  /** One of the untimed repetitions before the timed ones (`--warmup`): left out of the sums. */
  warmup: boolean;
}

/** One `perf script` sample: the thread it was taken on, when, its weight, and its stack (leaf first). */
export interface Sample {
  comm: string;
  pid: number;
  tid: number;
  time: number;
  /** Nanoseconds of CPU the sample stands for (cpu-clock's period). */
  periodNs: number;
  frames: string[];
}

/** Reads the bench's pid and its probed spans out of a `--probe` log. */
export function parseProbeLog(text: string): { pid: number | undefined; spans: LoggedSpan[] } {
  let pid: number | undefined;
  let workload = '?';
  const spans: LoggedSpan[] = [];
  // A repetition's spans are logged before the line that names it a warm-up or a timed repetition.
  const unnamed = new Map<string, LoggedSpan[]>();
  for (const line of text.split('\n')) {
    const bench = /^probe: the bench's process is pid (\d+)/.exec(line);
    if (bench) pid = Number(bench[1]);
    const header = /^(W\d+): /.exec(line);
    if (header) workload = header[1]!;
    const span = /^\s+(\S+) (\S+) span [\d.]+ ms: .*CLOCK_MONOTONIC ([\d.]+)-([\d.]+) s/.exec(line);
    if (span) {
      const logged = { workload, contender: span[1]!, phase: span[2]!, start: Number(span[3]), end: Number(span[4]), warmup: false };
      spans.push(logged);
      const pending = unnamed.get(logged.contender) ?? [];
      pending.push(logged);
      unnamed.set(logged.contender, pending);
    }
    const repetition = /^\s+(warm-up|rep) \d+\/\d+ (\S+)/.exec(line);
    if (repetition) {
      for (const logged of unnamed.get(repetition[2]!) ?? []) logged.warmup = repetition[1] === 'warm-up';
      unnamed.delete(repetition[2]!);
    }
  }
  return { pid, spans };
}

/** Reads `perf script -F comm,pid,tid,time,period,ip,sym` output, line by line, into samples. */
export async function* samplesOf(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<Sample> {
  let current: Sample | undefined;
  for await (const line of lines) {
    // The comm may hold spaces ("PM2 v7.0.4: God"), so the header is read from its right end; perf
    // pads it on the left when no stack follows.
    const header = /^\s*(\S.*?)\s+(\d+)\/(\d+)\s+([\d.]+):\s+(\d+)\s*$/.exec(line);
    if (header) {
      if (current) yield current;
      current = { comm: header[1]!, pid: Number(header[2]), tid: Number(header[3]), time: Number(header[4]), periodNs: Number(header[5]), frames: [] };
      continue;
    }
    const frame = /^\s+[0-9a-f]+ (.+)$/.exec(line);
    if (frame && current) current.frames.push(frame[1]!);
  }
  if (current) yield current;
}

const compiling = /v8::internal::(compiler::|OptimizingCompileDispatcher|.*Compil)/;
const collecting = /v8::internal::(\w*Marking|\w*Marker|MarkCompact|Scaveng|\w*Sweeper|Heap::|MinorMC|\w*Evacuat)/;

/** What a sample was doing, in the bench's terms. */
export function classify(sample: Sample, benchPid: number): string {
  if (sample.pid === 0) return 'idle';
  if (sample.pid !== benchPid) return sample.comm;
  const stack = sample.frames.join('\n');
  const gc = collecting.test(stack);
  if (sample.tid === benchPid) return gc ? 'main thread: GC' : stack.includes('exc_page_fault') ? 'main thread: page faults' : 'main thread';
  if (compiling.test(stack)) return 'helpers: compiling';
  return gc ? 'helpers: GC' : 'helpers: other';
}

/** What the spans of one workload, contender and phase held: how many, their wall time, and CPU by class. */
export interface SpanGroup {
  spans: number;
  wallMs: number;
  /** CPU milliseconds per span, by class (classify). */
  cpuMs: Map<string, number>;
}

/** Sums the samples that fall in a timed span, per workload, contender and phase ("W2 berth stop"), per span. */
export async function summarize(spans: LoggedSpan[], samples: AsyncIterable<Sample>, benchPid: number): Promise<Map<string, SpanGroup>> {
  const groups = new Map<string, SpanGroup>();
  const sorted = spans.filter((span) => !span.warmup).sort((a, b) => a.start - b.start);
  for (const span of sorted) {
    const key = groupKey(span);
    const group = groups.get(key) ?? { spans: 0, wallMs: 0, cpuMs: new Map<string, number>() };
    group.spans++;
    group.wallMs += (span.end - span.start) * 1000;
    groups.set(key, group);
  }
  for await (const sample of samples) {
    const span = spanAt(sorted, sample.time);
    if (!span) continue;
    const { cpuMs } = groups.get(groupKey(span))!;
    const what = classify(sample, benchPid);
    cpuMs.set(what, (cpuMs.get(what) ?? 0) + sample.periodNs / 1e6);
  }
  for (const group of groups.values()) for (const [what, ms] of group.cpuMs) group.cpuMs.set(what, ms / group.spans);
  return groups;
}

function groupKey(span: LoggedSpan): string {
  return `${span.workload} ${span.contender} ${span.phase}`;
}

// The span holding `time`, by binary search over spans sorted by start (they do not overlap).
function spanAt(sorted: LoggedSpan[], time: number): LoggedSpan | undefined {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const span = sorted[middle]!;
    if (time < span.start) high = middle - 1;
    else if (time > span.end) low = middle + 1;
    else return span;
  }
  return undefined;
}

async function main(logFile: string | undefined, perfData = 'perf.data'): Promise<void> {
  if (logFile === undefined) {
    console.error('usage: node dist/bench/perf-spans.js <log of a --probe run> [perf.data]');
    process.exit(2);
  }
  const { pid, spans } = parseProbeLog(readFileSync(logFile, 'utf8'));
  if (pid === undefined || spans.length === 0) {
    console.error(`perf-spans: ${logFile} has no probed spans: run the bench with --probe and keep its output`);
    process.exit(2);
  }
  const perf = spawn('perf', ['script', '-i', perfData, '-F', 'comm,pid,tid,time,period,ip,sym'], { stdio: ['ignore', 'pipe', 'inherit'] });
  perf.on('error', (error) => {
    console.error(`perf-spans: cannot run perf (${error.message}): install it (Debian: apt-get install linux-perf)`);
    process.exit(2);
  });
  const exited = once(perf, 'close');
  const groups = await summarize(spans, samplesOf(createInterface({ input: perf.stdout, crlfDelay: Infinity })), pid);
  const [code] = await exited;
  if (code !== 0) {
    console.error(`perf-spans: perf script -i ${perfData} failed (exit code ${code}): see its message above`);
    process.exit(2);
  }
  const cpus = availableParallelism();
  for (const [key, group] of groups) {
    const wall = group.wallMs / group.spans;
    console.log(`${key}: ${group.spans} spans of ${wall.toFixed(1)} ms on average; CPU ms per span (${cpus} CPUs give ${(cpus * wall).toFixed(0)}):`);
    for (const [what, ms] of [...group.cpuMs].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${what.padEnd(28)} ${ms.toFixed(1).padStart(7)}`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv[2], process.argv[3]);
