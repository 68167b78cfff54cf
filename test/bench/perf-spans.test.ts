// perf-spans: the probe's log and `perf script` output read back into CPU per span, by thread.
import { describe, expect, it } from 'vitest';
import { classify, parseProbeLog, samplesOf, summarize, type Sample } from '../../bench/perf-spans.js';
import { describeProbedProcess, describeSpan, type SpanCost } from '../../bench/probe.js';

const cost = (start: number, end: number): SpanCost => ({
  onCpuMs: 30, waitingMs: 10, helpersMs: 20, gcMs: 2, gcs: 1, majorGcs: 0, youngGenerationMib: 16, pageFaults: 900, monotonicS: [start, end],
});

// What the bench prints with --probe (probe.ts writes the lines perf-spans reads; run.ts and workloads.ts the rest).
const log = [
  describeProbedProcess(4242),
  'berth bench: raw-node, berth; W1, W2; 1 repetitions after 0 untimed (0 in-process) (W4: 1, W5: 1)',
  'W1: start 200 processes, then stop all at once',
  describeSpan('berth', 'stop', 130, cost(50, 50.13)),
  '  warm-up 1/3 berth',
  describeSpan('berth', 'stop', 120, cost(100, 100.12)),
  '  rep 1/1 berth       stop 120.00',
  'W2: stop 50 processes that ignore SIGTERM, timeout 1 s',
  describeSpan('raw-node', 'stop', 1020, cost(200, 201.02)),
  describeSpan('berth', 'stop', 1040, cost(300, 301.04)),
  '  rep 1/1 raw-node    stop 1020.00',
  '  rep 1/1 berth       stop 1040.00',
].join('\n');

const sample = (comm: string, pid: number, tid: number, time: number, frames: string[]): string =>
  [`${comm} ${pid}/${tid} ${time.toFixed(6)}: 1000000 `, ...frames.map((frame, index) => `\t${(0xffff0000 + index).toString(16)} ${frame}`), ''].join('\n');

const script = [
  sample('node', 4242, 4242, 300.5, ['Builtins_LoadIC', 'JS:*microstep xstate.cjs.js:2150:19']),
  sample('node', 4242, 4242, 300.6, ['v8::internal::Scavenger::ScavengeObject', 'v8::internal::Heap::CollectGarbage']),
  sample('node', 4242, 4250, 300.7, ['pvm_irq_enable', 'v8::internal::compiler::GraphReducer::ReduceTop', 'v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal']),
  sample('node', 4242, 4251, 300.8, ['v8::internal::ConcurrentMarking::RunMajor']),
  sample('PM2 v7.0.4: God', 999, 999, 300.9, ['epoll_wait']),
  sample('tiny', 5000, 5000, 301.0, ['exit_mmap', 'do_exit']),
  sample('swapper', 0, 0, 301.01, ['pvm_safe_halt_hc']),
  sample('node', 4242, 4242, 250, ['outside every span']),
  sample('tiny', 5001, 5001, 100.05, ['exit_mmap']),
  sample('node', 4242, 4242, 300.55, ['clear_page_erms', 'exc_page_fault', 'Builtins_CreateShallowObjectLiteral']),
  sample('tiny', 5002, 5002, 50.05, ['exit_mmap']),
  '         swapper     0/0     301.020000:     1000000 ',
].join('\n');

describe('perf-spans', () => {
  it('reads the bench pid and each probed span, with its workload, from a --probe log', () => {
    const { pid, spans } = parseProbeLog(log);
    expect(pid).toBe(4242);
    expect(spans).toEqual([
      { workload: 'W1', contender: 'berth', phase: 'stop', start: 50, end: 50.13, warmup: true },
      { workload: 'W1', contender: 'berth', phase: 'stop', start: 100, end: 100.12, warmup: false },
      { workload: 'W2', contender: 'raw-node', phase: 'stop', start: 200, end: 201.02, warmup: false },
      { workload: 'W2', contender: 'berth', phase: 'stop', start: 300, end: 301.04, warmup: false },
    ]);
  });

  it('reads samples whose command has spaces, with their stacks', async () => {
    const samples: Sample[] = [];
    for await (const one of samplesOf(script.split('\n'))) samples.push(one);
    expect(samples).toHaveLength(12);
    // Recorded without -g, perf pads the command on the left.
    expect(samples[11]).toMatchObject({ comm: 'swapper', pid: 0, time: 301.02, frames: [] });
    expect(samples[4]).toMatchObject({ comm: 'PM2 v7.0.4: God', pid: 999, tid: 999, time: 300.9, periodNs: 1_000_000, frames: ['epoll_wait'] });
    expect(samples[2]!.frames).toHaveLength(3);
  });

  it('tells the main thread, its collector, the compiler, the marker, other processes and idle apart', async () => {
    const kinds: string[] = [];
    for await (const one of samplesOf(script.split('\n'))) kinds.push(classify(one, 4242));
    expect(kinds).toEqual(['main thread', 'main thread: GC', 'helpers: compiling', 'helpers: GC', 'PM2 v7.0.4: God', 'tiny', 'idle', 'main thread', 'tiny', 'main thread: page faults', 'tiny', 'idle']);
  });

  it('sums CPU per timed span for each workload, contender and phase, leaving out warm-ups and samples outside every span', async () => {
    const groups = await summarize(parseProbeLog(log).spans, samplesOf(script.split('\n')), 4242);
    const berthW2 = groups.get('W2 berth stop')!;
    expect(berthW2.spans).toBe(1);
    expect(berthW2.wallMs).toBeCloseTo(1040, 6);
    expect(Object.fromEntries(berthW2.cpuMs)).toEqual({
      'main thread': 1, 'main thread: GC': 1, 'main thread: page faults': 1, 'helpers: compiling': 1, 'helpers: GC': 1, 'PM2 v7.0.4: God': 1, tiny: 1, idle: 2,
    });
    // The warm-up's span (50 s) holds a sample too, and counts neither as a span nor in the sums.
    expect(groups.get('W1 berth stop')!.spans).toBe(1);
    expect(Object.fromEntries(groups.get('W1 berth stop')!.cpuMs)).toEqual({ tiny: 1 });
    expect(groups.get('W2 raw-node stop')!.cpuMs.size).toBe(0);
  });
});
