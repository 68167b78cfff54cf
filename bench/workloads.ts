// The workloads of issue 8. Each runs every contender in the same run, alternating them in a
// balanced order (contenderOrder), so no contender always goes first (cold), or always comes right
// after the same other one (its garbage, or its idle second). Only the span named by a metric is
// timed; setting up, waiting for the processes to be ready and cleaning up are not.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createContender, isInProcess, type Contender, type ContenderName, type Group, type MemorySample } from './contenders/index.js';
import { runEngineOnly, type EngineOnlyOptions } from './engine-only.js';
import { beginSpan, describeSpan } from './probe.js';
import { killPrograms, waitForNoPrograms, waitForPrograms } from './processes.js';
import { programAt, type Program } from './program.js';
import { percentile, summarize, type Summary } from './stats.js';

export type WorkloadId = 'W1' | 'W2' | 'W3' | 'W4' | 'W5' | 'W6';
export const workloadIds: readonly WorkloadId[] = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6'];

export interface BenchOptions {
  program: Program;
  /** A temporary directory of this run (daemon homes, configs, sockets). */
  workDir: string;
  contenders: ContenderName[];
  repetitions: number;
  /**
   * Untimed repetitions of W1, W2 and W3 per contender before the timed ones, so no contender's
   * first figure is its cold start (JIT compilation, lazy requires, the daemon's first fork).
   */
  warmups: number;
  /**
   * More untimed repetitions for the contenders in the bench's own process (raw Node, the XState
   * floor, berth): V8 goes on compiling their stop path on its helper threads for many
   * repetitions, and on 2 CPUs those compiles take CPU from the span (bench/README.md, Method).
   */
  inProcessWarmups: number;
  /** W4 runs fewer repetitions: each is a fresh engine or daemon per size. */
  memoryRepetitions: number;
  /** W5 too: each repetition is a fresh process with a 10,000-container supervisor. */
  engineOnlyRepetitions: number;
  w1Count: number;
  w2Count: number;
  w2TimeoutMs: number;
  w3Iterations: number;
  w4Sizes: number[];
  /** Idle time before memory is read, so start-up garbage and timers have settled. */
  w4SettleMs: number;
  w5: EngineOnlyOptions;
  /** W6: starts and stops of the quiet process beside the flooding one. */
  w6Iterations: number;
  /** Run W4's in-process contenders and W5 in child processes (node --expose-gc), as the CLI does. */
  isolate: boolean;
  /** Log what each span of 10 ms or more cost the bench's process (--probe; Linux only). */
  probe: boolean;
  log: (line: string) => void;
}

export interface MetricInfo {
  key: string;
  label: string;
  unit: 'ms' | 'bytes' | 'per-second';
}

export interface WorkloadResult {
  id: WorkloadId;
  title: string;
  params: Record<string, number | string | number[]>;
  metrics: MetricInfo[];
  results: Partial<Record<ContenderName, Record<string, Summary>>>;
  /** A contender that failed in this workload, with the error; the others carry on. */
  errors: Partial<Record<ContenderName, string>>;
  /** The 1-minute load average before and after: other work on the machine shows up here. */
  loadAverage: { before: number; after: number };
  durationMs: number;
}

type Samples = Record<string, number[]>;

const now = (): number => performance.now();

/** How many untimed repetitions `name` runs before its timed ones. */
export function warmupCount(options: Pick<BenchOptions, 'warmups' | 'inProcessWarmups'>, name: ContenderName): number {
  return options.warmups + (isInProcess(name) ? options.inProcessWarmups : 0);
}

/**
 * The order of the contenders in repetition `rep`: a row of a Williams design, so that over a full
 * round (n repetitions, 2n for an odd n) each contender runs in every position, and within the
 * rows right after each other contender, equally often. For an odd n the rows of the Latin square
 * and of its mirror image alternate, so a short run sees both; a mirror row begins with the
 * contender its square row ended with. (A rotation balanced the positions only: raw Node
 * always ran after supervisord and its idle second, berth after the XState floor and its garbage.)
 * @example contenderOrder(['a', 'b', 'c'], 1) // ['c', 'b', 'a']: row 0 of the mirror
 */
export function contenderOrder<T>(items: readonly T[], rep: number): T[] {
  const n = items.length;
  if (n === 0) return [];
  // The first row: 0, 1, n-1, 2, n-2, ...; the other rows add their index, modulo n.
  const first: number[] = [0];
  for (let low = 1, high = n - 1; first.length < n; ) first.push(first.length % 2 === 1 ? low++ : high--);
  const mirrored = n % 2 === 1 && rep % 2 === 1;
  const shift = (n % 2 === 1 ? Math.floor(rep / 2) : rep) % n;
  const row = first.map((index) => items[(index + shift) % n]!);
  return mirrored ? row.reverse() : row;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Every process a contender started must be gone once its stop resolved: one left over is a
// failure of that contender (and is killed, so it cannot disturb the next one).
async function assertNoneLeft(options: BenchOptions, contender: ContenderName): Promise<void> {
  try {
    await waitForNoPrograms(options.program.path, 2_000);
  } catch {
    const left = killPrograms(options.program.path);
    throw new Error(`${contender} reported every process stopped, but ${left} were still alive`);
  }
}

interface Collected {
  results: WorkloadResult['results'];
  errors: WorkloadResult['errors'];
}

function collect(samples: Map<ContenderName, Samples>, errors: WorkloadResult['errors']): Collected {
  const results: WorkloadResult['results'] = {};
  for (const [name, byMetric] of samples) {
    if (errors[name] !== undefined) continue;
    results[name] = Object.fromEntries(Object.entries(byMetric).map(([key, values]) => [key, summarize(values)]));
  }
  return { results, errors };
}

function record(samples: Map<ContenderName, Samples>, name: ContenderName, values: Record<string, number>): void {
  const byMetric = samples.get(name) ?? {};
  for (const [key, value] of Object.entries(values)) (byMetric[key] ??= []).push(value);
  samples.set(name, byMetric);
}

/**
 * Opens every contender for the groups, runs `repetition` for each `warmups` times untimed, then
 * `repetitions` times in a balanced order (contenderOrder), and closes them all, whatever fails.
 * A contender that fails is closed and dropped.
 */
async function repeatAlternating(
  options: BenchOptions,
  groups: Group[],
  repetition: (contender: Contender) => Promise<Record<string, number>>,
): Promise<Collected> {
  const samples = new Map<ContenderName, Samples>();
  const errors: WorkloadResult['errors'] = {};
  const open = new Map<ContenderName, Contender>();
  const fail = async (name: ContenderName, contender: Contender, error: unknown): Promise<void> => {
    errors[name] = messageOf(error);
    options.log(`  ${name}: failed: ${messageOf(error)}`);
    open.delete(name);
    await contender.close().catch(() => {});
    killPrograms(options.program.path);
  };
  try {
    for (const name of options.contenders) {
      const contender = createContender(name, { program: options.program, workDir: options.workDir });
      try {
        await contender.open(groups);
        open.set(name, contender);
      } catch (error) {
        await fail(name, contender, error);
      }
    }
    const mostWarmups = Math.max(0, ...options.contenders.map((name) => warmupCount(options, name)));
    for (let warmup = 0; warmup < mostWarmups; warmup++) {
      for (const name of options.contenders) {
        const contender = open.get(name);
        if (!contender || warmup >= warmupCount(options, name)) continue;
        try {
          await repetition(contender);
          await assertNoneLeft(options, name);
          options.log(`  warm-up ${warmup + 1}/${warmupCount(options, name)} ${name}`);
        } catch (error) {
          await fail(name, contender, error);
        }
      }
    }
    for (let rep = 0; rep < options.repetitions; rep++) {
      for (const name of contenderOrder(options.contenders, rep)) {
        const contender = open.get(name);
        if (!contender) continue;
        try {
          const values = await repetition(contender);
          await assertNoneLeft(options, name);
          record(samples, name, values);
          options.log(`  rep ${rep + 1}/${options.repetitions} ${name.padEnd(11)} ${Object.entries(values).map(([k, v]) => `${k} ${v.toFixed(2)}`).join('  ')}`);
        } catch (error) {
          await fail(name, contender, error);
        }
      }
    }
  } finally {
    for (const contender of open.values()) await contender.close().catch(() => {});
    killPrograms(options.program.path);
  }
  return collect(samples, errors);
}

// The in-process contenders share this process's heap. Without this, a span often held a
// scavenge of what the setup (200 processes just started, their pipes) or the contender before
// left in the young generation: 10-34 ms on a 100 ms stop, paid by whoever came next. A minor GC
// before each span empties it of garbage, for every contender alike. (What survives it stays in
// the young generation until its second scavenge; a second minor GC to promote that too did not
// help: bench/ROUNDS.md, tenth round.) Needs node --expose-gc (npm run bench).
function emptyYoungGeneration(): void {
  (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc?.({ type: 'minor' });
}

/** Spans shorter than this are not probed (W3's single starts and stops, about 1 ms: a line each would drown the log). */
const probedSpanMs = 10;

/**
 * Times `action` (a start or stop of `contender`); with `--probe`, also what the span cost the
 * bench's process, for the contenders that run in it (probe.ts).
 */
async function timed(options: BenchOptions, contender: Contender, phase: 'start' | 'stop', action: () => Promise<void>): Promise<number> {
  emptyYoungGeneration();
  const endSpan = options.probe && isInProcess(contender.name) ? beginSpan() : undefined;
  const startedAt = now();
  await action();
  const span = now() - startedAt;
  const cost = await endSpan?.();
  if (cost && span >= probedSpanMs) options.log(describeSpan(contender.name, phase, span, cost));
  return span;
}

async function workload(
  options: BenchOptions,
  head: Pick<WorkloadResult, 'id' | 'title' | 'params' | 'metrics'>,
  run: () => Promise<Collected>,
): Promise<WorkloadResult> {
  options.log(`${head.id}: ${head.title}`);
  const before = loadavg()[0]!;
  const startedAt = now();
  const collected = await run();
  return { ...head, ...collected, loadAverage: { before, after: loadavg()[0]! }, durationMs: now() - startedAt };
}

/** W1: start N tiny processes, then stop them all at once; both spans timed. */
export function runW1(options: BenchOptions): Promise<WorkloadResult> {
  const group: Group = { name: 'w1', count: options.w1Count, mode: 'term', stopTimeoutMs: 10_000 };
  return workload(options, {
    id: 'W1',
    title: `start ${group.count} processes, then stop all at once`,
    params: { processes: group.count, program: 'exits 0 on SIGTERM', stopTimeoutMs: group.stopTimeoutMs },
    metrics: [
      { key: 'start', label: `start ${group.count}: until all reported running`, unit: 'ms' },
      { key: 'stop', label: `stop ${group.count}: until all reported exited`, unit: 'ms' },
    ],
  }, () => repeatAlternating(options, [group], async (contender) => {
    const start = await timed(options, contender, 'start', () => contender.start(group));
    await waitForPrograms(options.program.path, group.count);
    const stop = await timed(options, contender, 'stop', () => contender.stop(group));
    await contender.reset(group);
    return { start, stop };
  }));
}

/** W2: N processes that ignore SIGTERM, stopped with a 1 s timeout: ideally 1.000 s. */
export function runW2(options: BenchOptions): Promise<WorkloadResult> {
  const group: Group = { name: 'w2', count: options.w2Count, mode: 'ignore', stopTimeoutMs: options.w2TimeoutMs };
  return workload(options, {
    id: 'W2',
    title: `stop ${group.count} processes that ignore SIGTERM, timeout ${group.stopTimeoutMs / 1000} s`,
    params: { processes: group.count, program: 'ignores SIGTERM', stopTimeoutMs: group.stopTimeoutMs },
    metrics: [{ key: 'stop', label: `stop ${group.count}: until all reported exited (ideal ${group.stopTimeoutMs} ms)`, unit: 'ms' }],
  }, () => repeatAlternating(options, [group], async (contender) => {
    await contender.start(group);
    await waitForPrograms(options.program.path, group.count);
    const stop = await timed(options, contender, 'stop', () => contender.stop(group));
    await contender.reset(group);
    return { stop };
  }));
}

/**
 * Starts and stops a one-process group `iterations` times, each span timed; between them it waits
 * (untimed) until the process is ready, beside the `others` of the program already running.
 */
async function startAndStop(options: BenchOptions, contender: Contender, group: Group, iterations: number, others: number): Promise<{ stops: number[]; starts: number[] }> {
  const stops: number[] = [];
  const starts: number[] = [];
  for (let i = 0; i < iterations; i++) {
    starts.push(await timed(options, contender, 'start', () => contender.start(group)));
    await waitForPrograms(options.program.path, others + 1);
    stops.push(await timed(options, contender, 'stop', () => contender.stop(group)));
  }
  return { stops, starts };
}

/** W3: one process started and stopped N times; the latency from stop request to exit observed. */
export function runW3(options: BenchOptions): Promise<WorkloadResult> {
  const group: Group = { name: 'w3', count: 1, mode: 'term', stopTimeoutMs: 10_000 };
  const iterations = options.w3Iterations;
  return workload(options, {
    id: 'W3',
    title: `one process, started and stopped ${iterations} times`,
    params: { iterations, program: 'exits 0 on SIGTERM' },
    metrics: [
      { key: 'stopP50', label: 'stop latency p50', unit: 'ms' },
      { key: 'stopP95', label: 'stop latency p95', unit: 'ms' },
      { key: 'stopP99', label: 'stop latency p99', unit: 'ms' },
      { key: 'startP50', label: 'start latency p50', unit: 'ms' },
    ],
  }, () => repeatAlternating(options, [group], async (contender) => {
    const { stops, starts } = await startAndStop(options, contender, group, iterations, 0);
    await contender.reset(group);
    return { stopP50: percentile(stops, 50), stopP95: percentile(stops, 95), stopP99: percentile(stops, 99), startP50: percentile(starts, 50) };
  }));
}

/** How long the flood runs before the first timed start, so it is in full swing. */
const floodSettleMs = 300;

/**
 * W6: a noisy neighbour. One process writes "y\n" as fast as it can (as `yes` does) while another
 * is started and stopped beside it: what one container's output costs the others. The C floor, raw
 * Node and berth only: PM2 would write the flood into its log files at hundreds of MB a second, and
 * the bench sets supervisord up to discard output.
 */
export function runW6(options: BenchOptions): Promise<WorkloadResult> {
  const flood: Group = { name: 'w6f', count: 1, mode: 'flood', stopTimeoutMs: 10_000 };
  const quiet: Group = { name: 'w6q', count: 1, mode: 'term', stopTimeoutMs: 10_000 };
  const iterations = options.w6Iterations;
  const contenders = options.contenders.filter((name) => name === 'c-floor' || name === 'raw-node' || name === 'berth');
  return workload(options, {
    id: 'W6',
    title: `a flooding neighbour: one process writes "y\\n" as fast as it can while another is started and stopped ${iterations} times`,
    params: { iterations, program: 'the flood: writes y\\n in 64 KiB writes; the other exits 0 on SIGTERM' },
    metrics: [
      { key: 'stopP50', label: 'stop latency p50 beside the flood', unit: 'ms' },
      { key: 'stopP95', label: 'stop latency p95 beside the flood', unit: 'ms' },
      { key: 'startP50', label: 'start latency p50 beside the flood', unit: 'ms' },
    ],
  }, () => repeatAlternating({ ...options, contenders }, [flood, quiet], async (contender) => {
    await contender.start(flood);
    await waitForPrograms(options.program.path, 1);
    await sleep(floodSettleMs);
    const { stops, starts } = await startAndStop(options, contender, quiet, iterations, 1);
    await contender.stop(flood);
    await contender.reset(quiet);
    await contender.reset(flood);
    return { stopP50: percentile(stops, 50), stopP95: percentile(stops, 95), startP50: percentile(starts, 50) };
  }));
}

/** One W4 reading: which contender, how many idle processes, and where to run them. */
export interface MemoryJob {
  contender: ContenderName;
  count: number;
  settleMs: number;
  program: Pick<Program, 'kind' | 'path'>;
  workDir: string;
}

/** One memory reading: a fresh contender, `count` idle processes, settled, then read. */
export async function measureMemoryHere(job: MemoryJob): Promise<MemorySample> {
  const program = programAt(job.program.kind, job.program.path);
  const group: Group = { name: 'w4', count: job.count, mode: 'term', stopTimeoutMs: 10_000 };
  const contender = createContender(job.contender, { program, workDir: job.workDir });
  try {
    await contender.open([group]);
    await contender.start(group);
    await waitForPrograms(program.path, job.count, 120_000);
    await sleep(job.settleMs);
    return await contender.memory();
  } finally {
    await contender.close().catch(() => {});
    killPrograms(program.path);
  }
}

/** Runs a job of child.ts in a fresh `node --expose-gc` and returns its JSON answer. */
export async function runChild<T>(job: unknown): Promise<T> {
  const script = fileURLToPath(new URL('./child.js', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', script, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => { output += chunk; });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const last = output.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`the child for ${JSON.stringify(job)} exited with ${code}: ${last}`);
  return JSON.parse(last) as T;
}

// In a child process for the in-process contenders (so one reading's heap is not the next one's),
// in this process for the daemons (whose memory is the daemon's, read from /proc).
async function measureMemory(options: BenchOptions, name: ContenderName, count: number): Promise<MemorySample> {
  const job: MemoryJob = { contender: name, count, settleMs: options.w4SettleMs, program: { kind: options.program.kind, path: options.program.path }, workDir: options.workDir };
  if (!(isInProcess(name) && options.isolate)) return measureMemoryHere(job);
  try {
    return await runChild<MemorySample>({ job: 'memory', memory: job });
  } finally {
    killPrograms(options.program.path);
  }
}

/** W4: RSS and JS heap of the supervising process with each number of idle processes. */
export function runW4(options: BenchOptions): Promise<WorkloadResult> {
  const sizes = [...options.w4Sizes].sort((a, b) => a - b);
  const smallest = sizes[0]!;
  const largest = sizes[sizes.length - 1]!;
  const metrics: MetricInfo[] = [
    ...sizes.flatMap((size): MetricInfo[] => [
      { key: `rss@${size}`, label: `RSS with ${size} idle`, unit: 'bytes' },
      { key: `heap@${size}`, label: `JS heap with ${size} idle`, unit: 'bytes' },
    ]),
    { key: 'rssPerProcess', label: `RSS per process (${smallest} to ${largest})`, unit: 'bytes' },
    { key: 'heapPerProcess', label: `JS heap per process (${smallest} to ${largest})`, unit: 'bytes' },
  ];
  return workload(options, {
    id: 'W4',
    title: `memory of the supervising process with ${sizes.join(', ')} idle processes`,
    params: { sizes, settleMs: options.w4SettleMs, isolated: options.isolate ? 'yes: a fresh node --expose-gc per reading' : 'no' },
    metrics,
  }, async () => {
    const samples = new Map<ContenderName, Samples>();
    const errors: WorkloadResult['errors'] = {};
    for (let rep = 0; rep < options.memoryRepetitions; rep++) {
      for (const name of contenderOrder(options.contenders, rep)) {
        if (errors[name] !== undefined) continue;
        try {
          const values: Record<string, number> = {};
          const readings = new Map<number, MemorySample>();
          for (const size of sizes) {
            const reading = await measureMemory(options, name, size);
            readings.set(size, reading);
            values[`rss@${size}`] = reading.rssBytes;
            if (reading.heapUsedBytes !== undefined) values[`heap@${size}`] = reading.heapUsedBytes;
          }
          const low = readings.get(smallest)!;
          const high = readings.get(largest)!;
          values.rssPerProcess = (high.rssBytes - low.rssBytes) / (largest - smallest);
          if (low.heapUsedBytes !== undefined && high.heapUsedBytes !== undefined) {
            values.heapPerProcess = (high.heapUsedBytes - low.heapUsedBytes) / (largest - smallest);
          }
          record(samples, name, values);
          options.log(`  rep ${rep + 1}/${options.memoryRepetitions} ${name.padEnd(11)} ${Object.entries(values).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)} KiB`).join('  ')}`);
        } catch (error) {
          errors[name] = messageOf(error);
          options.log(`  ${name}: failed: ${messageOf(error)}`);
          killPrograms(options.program.path);
        }
      }
    }
    return collect(samples, errors);
  });
}

/** W5: berth alone on the fake runtime and a simulated clock: the engine's own cost. */
export function runW5(options: BenchOptions): Promise<WorkloadResult> {
  const { lifecycles, supervisorSize } = options.w5;
  return workload(options, {
    id: 'W5',
    title: `engine only (fake runtime, simulated clock): ${lifecycles} lifecycles, a ${supervisorSize}-container supervisor`,
    params: { lifecycles, supervisorSize, isolated: options.isolate ? 'yes: a fresh node --expose-gc per repetition' : 'no' },
    metrics: [
      { key: 'lifecyclesPerSecond', label: 'lifecycles per second (create, start, stop, exit, remove; one at a time)', unit: 'per-second' },
      { key: 'createStart', label: `create and start ${supervisorSize}`, unit: 'ms' },
      { key: 'heapPerContainer', label: `JS heap per container at ${supervisorSize}`, unit: 'bytes' },
      { key: 'stopAll', label: `stop ${supervisorSize} at once`, unit: 'ms' },
      { key: 'removeAll', label: `remove ${supervisorSize} at once`, unit: 'ms' },
    ],
  }, async () => {
    const samples = new Map<ContenderName, Samples>();
    const errors: WorkloadResult['errors'] = {};
    if (!options.contenders.includes('berth')) return collect(samples, errors);
    for (let rep = 0; rep < options.engineOnlyRepetitions; rep++) {
      try {
        const values = options.isolate
          ? await runChild<Record<string, number>>({ job: 'engine-only', engineOnly: options.w5 })
          : await runEngineOnly(options.w5);
        record(samples, 'berth', values);
        options.log(`  rep ${rep + 1}/${options.engineOnlyRepetitions} berth       ${Object.entries(values).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('  ')}`);
      } catch (error) {
        errors.berth = messageOf(error);
        options.log(`  berth: failed: ${messageOf(error)}`);
        break;
      }
    }
    return collect(samples, errors);
  });
}

export const runners: Record<WorkloadId, (options: BenchOptions) => Promise<WorkloadResult>> = {
  W1: runW1, W2: runW2, W3: runW3, W4: runW4, W5: runW5, W6: runW6,
};
