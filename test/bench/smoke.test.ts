// A tiny run of every workload against the C floor, raw Node, the XState floor and berth (no PM2
// daemon, no supervisord), so the bench cannot rot unnoticed. It checks the shape of the results
// only, never a time: timings belong to `npm run bench`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cFloorUnavailable } from '../../bench/contenders/c-floor.js';
import type { ContenderName } from '../../bench/contenders/contender.js';
import { beginSpan, describeCost, probeAvailable } from '../../bench/probe.js';
import { listProgramProcesses } from '../../bench/processes.js';
import { prepareProgram } from '../../bench/program.js';
import { checkTargets, replaceResults, reportMarkdown, resultsBegin, resultsEnd, type BenchReport } from '../../bench/report.js';
import { contenderOrder, warmupCount, runW1, runW2, runW3, runW4, runW5, runW6, type BenchOptions, type WorkloadResult } from '../../bench/workloads.js';

const workDir = mkdtempSync(join(tmpdir(), 'berth-bench-smoke-'));
const program = prepareProgram(workDir);
const inProcess: ContenderName[] = ['raw-node', 'xstate-floor', 'berth'];
// The C floor needs a C compiler (CI installs gcc); without one the run goes on without it.
const cFloorMissing = cFloorUnavailable();
const timed: ContenderName[] = cFloorMissing ? inProcess : ['c-floor', ...inProcess];
const options: BenchOptions = {
  program,
  workDir,
  contenders: timed,
  repetitions: 2,
  warmups: 1,
  inProcessWarmups: 0,
  memoryRepetitions: 1,
  engineOnlyRepetitions: 2,
  w1Count: 3,
  w2Count: 2,
  w2TimeoutMs: 200,
  w3Iterations: 3,
  w4Sizes: [1, 3],
  w4SettleMs: 0,
  w5: { lifecycles: 5, supervisorSize: 20 },
  w6Iterations: 2,
  isolate: false, // the child entry point exists only once the bench is compiled (npm run bench)
  probe: false,
  log: () => {},
};
const results: WorkloadResult[] = [];

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

// Every metric the workload declares, for each contender, with one finite sample per repetition.
function expectComplete(result: WorkloadResult, contenders: string[], repetitions: number, skip: (key: string, contender: string) => boolean = () => false): void {
  expect(result.errors).toEqual({});
  expect(Object.keys(result.results).sort()).toEqual([...contenders].sort());
  for (const contender of contenders) {
    for (const { key } of result.metrics) {
      if (skip(key, contender)) continue;
      const summary = result.results[contender as keyof WorkloadResult['results']]?.[key];
      expect(summary, `${result.id} ${contender} ${key}`).toBeDefined();
      expect(summary!.samples).toHaveLength(repetitions);
      for (const value of [summary!.median, summary!.min, summary!.max]) expect(Number.isFinite(value)).toBe(true);
      expect(summary!.min).toBeLessThanOrEqual(summary!.median);
      expect(summary!.median).toBeLessThanOrEqual(summary!.max);
    }
  }
  expect(listProgramProcesses(program.path)).toEqual([]);
}


describe('bench smoke run (the C floor, raw Node, the XState floor and berth, a few processes)', () => {
  it('alternates the contenders in a balanced order: every position, and every predecessor, equally often', () => {
    expect(contenderOrder([], 3)).toEqual([]);
    expect(contenderOrder(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
    expect(contenderOrder(['a', 'b', 'c'], 1)).toEqual(['c', 'b', 'a']);
    for (let n = 1; n <= 7; n++) {
      const items = Array.from({ length: n }, (_, i) => i);
      const rounds = n % 2 === 0 ? n : 2 * n; // a full round of the design's rows
      const positions = items.map(() => items.map(() => 0));
      const follows = items.map(() => items.map(() => 0)); // follows[a][b]: b ran right after a
      for (let rep = 0; rep < rounds; rep++) {
        const order = contenderOrder(items, rep);
        expect([...order].sort((x, y) => x - y)).toEqual(items);
        order.forEach((item, position) => positions[item]![position]!++);
        for (let k = 1; k < n; k++) follows[order[k - 1]!]![order[k]!]!++;
        expect(contenderOrder(items, rep + rounds)).toEqual(order);
      }
      for (const row of positions) expect(new Set(row)).toEqual(new Set([rounds / n]));
      const pairs = follows.flatMap((row, a) => row.filter((_, b) => a !== b));
      if (n > 1) expect(new Set(pairs)).toEqual(new Set([pairs[0]]));
    }
  });

  it('gives the contenders in the bench\'s process their extra warm-ups, and the daemons none', () => {
    const counts = { warmups: 3, inProcessWarmups: 10 };
    expect((['raw-node', 'xstate-floor', 'berth'] as const).map((name) => warmupCount(counts, name))).toEqual([13, 13, 13]);
    expect((['c-floor', 'pm2', 'supervisord'] as const).map((name) => warmupCount(counts, name))).toEqual([3, 3, 3]);
  });

  it('W1: start and stop times for each contender', async () => {
    const result = await runW1(options);
    expect(result.metrics.map((m) => m.key)).toEqual(['start', 'stop']);
    expectComplete(result, timed, 2);
    results.push(result);
  });

  it('W2: stop times of processes that ignore SIGTERM', async () => {
    const result = await runW2(options);
    expectComplete(result, timed, 2);
    // Nobody SIGKILLs before the timeout: these processes ignore the SIGTERM.
    for (const name of timed) expect(result.results[name]?.stop?.min, name).toBeGreaterThanOrEqual(options.w2TimeoutMs);
    results.push(result);
  });

  it('W3: stop latency percentiles', async () => {
    const result = await runW3(options);
    expect(result.metrics.map((m) => m.key)).toEqual(['stopP50', 'stopP95', 'stopP99', 'startP50']);
    expectComplete(result, timed, 2);
    results.push(result);
  });

  it('W4: RSS and heap per size, and per process', async () => {
    const result = await runW4(options);
    expectComplete(result, timed, 1, (key, contender) => contender === 'c-floor' && key.startsWith('heap'));
    expect(result.results.berth?.['heap@3']?.median).toBeGreaterThan(0);
    results.push(result);
  });

  it('W5: the engine on the fake runtime, berth only', async () => {
    const result = await runW5(options);
    expectComplete(result, ['berth'], 2);
    expect(result.results.berth?.lifecyclesPerSecond?.median).toBeGreaterThan(0);
    results.push(result);
  });

  it('W6: stop and start beside a flooding neighbour, the C floor, raw Node and berth only', async () => {
    const result = await runW6({ ...options, contenders: [...timed, 'pm2'] });
    expect(result.metrics.map((m) => m.key)).toEqual(['stopP50', 'stopP95', 'startP50']);
    expectComplete(result, timed.filter((name) => name !== 'xstate-floor'), 2);
    results.push(result);
  });

  it('reports the table, the targets and the README section', () => {
    const report: BenchReport = {
      environment: { date: 'now', machine: { cpus: 2, cpuModel: 'cpu', memoryBytes: 2 ** 30, kernel: 'k', loadAverageAtStart: [0, 0, 0] }, versions: { node: process.version }, program: program.kind, settings: {} },
      skipped: { supervisord: 'not installed' },
      workloads: results,
      targets: checkTargets(results),
    };
    // Issue 8's five, and for reference (never met or missed) the XState floor's ratio and the C floor's stops.
    expect(report.targets).toHaveLength(cFloorMissing ? 6 : 7);
    for (const check of report.targets.filter((c) => !c.target.startsWith('for reference'))) expect(typeof check.met).toBe('boolean');
    expect(report.targets[1]).toMatchObject({ target: expect.stringContaining('XState floor'), met: null });
    if (!cFloorMissing) expect(report.targets.find((c) => c.target.includes('C floor'))).toMatchObject({ measured: expect.stringMatching(/^W1 [\d.]+ ms \(raw Node [\d.]+ ms\); W2 [\d.]+ ms \(raw Node [\d.]+ ms\)$/), met: null });
    const markdown = reportMarkdown(report);
    for (const id of ['W1', 'W2', 'W3', 'W4', 'W5', 'W6']) expect(markdown).toContain(`| ${id}: `);
    expect(markdown).toContain('| berth / raw-node | xstate-floor / raw-node |');
    expect(markdown).toContain('Skipped supervisord: not installed');
    const readme = replaceResults(replaceResults('# bench\n', 'first'), 'second');
    expect(readme).toBe(`# bench\n\n${resultsBegin}\nsecond\n${resultsEnd}\n`);
    expect(JSON.parse(JSON.stringify(report)).workloads).toHaveLength(6);
  });
});

describe('bench --probe', () => {
  it.skipIf(!probeAvailable())('measures the main thread of a span that spins, its collections and the memory it touches first (needs Linux /proc/<pid>/task/<tid>/schedstat)', async () => {
    const before = Number(process.hrtime.bigint()) / 1e9;
    const end = beginSpan();
    const until = performance.now() + 30;
    const garbage: number[][] = [];
    while (performance.now() < until) garbage.push(new Array(1000).fill(garbage.length));
    // Above glibc's largest mmap threshold (32 MiB), so these are fresh pages, faulted in as filled.
    const fresh = Buffer.allocUnsafe(33 * 2 ** 20).fill(1);
    const cost = await end();
    const after = Number(process.hrtime.bigint()) / 1e9;
    // 30 ms of spinning is at least some ms on the CPU, whatever else the machine runs.
    expect(cost.onCpuMs).toBeGreaterThan(5);
    expect(cost.onCpuMs).toBeLessThan(1000);
    for (const value of [cost.waitingMs, cost.helpersMs, cost.gcMs, cost.majorGcs]) expect(value).toBeGreaterThanOrEqual(0);
    // The span kept every array it made, tens of MB: the young generation filled and was collected
    // in the span's only turn of the event loop, whose entries Node delivers a turn later.
    expect(cost.gcs).toBeGreaterThanOrEqual(1);
    expect(cost.majorGcs).toBeLessThanOrEqual(cost.gcs);
    // V8 reports its young generation as 1 MiB at the smallest (node --max-semi-space-size=1).
    expect(cost.youngGenerationMib).toBeGreaterThanOrEqual(1);
    expect(fresh[fresh.length - 1]).toBe(1);
    // At least one fault per page touched: 8448 of 4 KiB, or 17 where the kernel backs them with 2 MiB pages.
    expect(cost.pageFaults).toBeGreaterThanOrEqual(16);
    // The span's place on CLOCK_MONOTONIC (perf-spans.ts): inside the test's own readings, 30 ms or more long.
    const [start, finish] = cost.monotonicS;
    expect(start).toBeGreaterThanOrEqual(before);
    expect(finish).toBeLessThanOrEqual(after);
    expect(finish - start).toBeGreaterThanOrEqual(0.03);
    expect(describeCost(cost)).toMatch(/^main thread [\d.]+ ms on CPU, [\d.]+ ms waiting for one; helper threads [\d.]+ ms; GC [\d.]+ ms in \d+ pauses? \(\d+ mark-compact\), young generation [\d.]+ MiB at the start; \d+ page faults?; CLOCK_MONOTONIC [\d.]+-[\d.]+ s$/);
  });
});
