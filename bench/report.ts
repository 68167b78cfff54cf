// The results as a table (printed, and written into bench/README.md between its result markers)
// and as JSON, with the targets of issue 8 checked against the same run.
import { contenderNames, type ContenderName } from './contenders/index.js';
import type { Summary } from './stats.js';
import type { MetricInfo, WorkloadId, WorkloadResult } from './workloads.js';

export interface Environment {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryBytes: number; kernel: string; loadAverageAtStart: number[] };
  versions: Record<string, string>;
  program: string;
  /** How the run was invoked: repetitions and sizes. */
  settings: Record<string, unknown>;
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | null;
}

export interface BenchReport {
  environment: Environment;
  skipped: Partial<Record<ContenderName, string>>;
  workloads: WorkloadResult[];
  targets: TargetCheck[];
}

const kib = 1024;

function formatValue(value: number, unit: MetricInfo['unit']): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === 'bytes') return Math.abs(value) >= kib * kib ? `${(value / kib / kib).toFixed(1)} MiB` : `${(value / kib).toFixed(1)} KiB`;
  if (unit === 'per-second') return `${Math.round(value)}/s`;
  return Math.abs(value) >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(2)} ms`;
}

function formatSummary(summary: Summary | undefined, unit: MetricInfo['unit']): string {
  if (!summary) return '—';
  if (summary.samples.length === 1) return formatValue(summary.median, unit);
  return `${formatValue(summary.median, unit)} (${formatValue(summary.min, unit)}–${formatValue(summary.max, unit)})`;
}

function medianOf(workload: WorkloadResult | undefined, contender: ContenderName, key: string): number | undefined {
  return workload?.results[contender]?.[key]?.median;
}

// A contender's median over raw Node's.
function ratio(workload: WorkloadResult, contender: ContenderName, key: string): string {
  const value = medianOf(workload, contender, key);
  const raw = medianOf(workload, 'raw-node', key);
  if (value === undefined || raw === undefined || raw === 0) return '—';
  return `${(value / raw).toFixed(2)}x`;
}

/**
 * The workload as a markdown table: one row per metric, medians with (min–max), then berth / raw
 * Node and, where it ran, the XState floor / raw Node.
 */
export function workloadTable(workload: WorkloadResult, contenders: ContenderName[]): string {
  const shown = contenders.filter((name) => workload.results[name] !== undefined || workload.errors[name] !== undefined);
  const ratios = workload.results['raw-node'] === undefined ? [] : (['berth', 'xstate-floor'] as const).filter((name) => workload.results[name] !== undefined);
  const lines = [
    `| ${workload.id}: ${workload.title} | ${shown.join(' | ')} |${ratios.map((name) => ` ${name} / raw-node |`).join('')}`,
    `|---|${shown.map(() => '---|').join('')}${ratios.map(() => '---|').join('')}`,
  ];
  for (const metric of workload.metrics) {
    const cells = shown.map((name) => (workload.errors[name] !== undefined ? 'failed' : formatSummary(workload.results[name]?.[metric.key], metric.unit)));
    if (cells.every((cell) => cell === '—' || cell === 'failed')) continue;
    lines.push(`| ${metric.label} | ${cells.join(' | ')} |${ratios.map((name) => ` ${ratio(workload, name, metric.key)} |`).join('')}`);
  }
  for (const [name, error] of Object.entries(workload.errors)) lines.push(`\n${name} failed: ${error}`);
  return lines.join('\n');
}

/** Issue 8's targets, checked on this run's medians (null: not measured in this run). */
export function checkTargets(workloads: WorkloadResult[]): TargetCheck[] {
  const byId = (id: WorkloadId): WorkloadResult | undefined => workloads.find((w) => w.id === id);
  const checks: TargetCheck[] = [];
  const w1 = byId('W1');
  const ratioCheck = (target: string, workload: WorkloadResult | undefined, key: string, limit: number): void => {
    const berth = medianOf(workload, 'berth', key);
    const raw = medianOf(workload, 'raw-node', key);
    if (berth === undefined || raw === undefined) return void checks.push({ target, measured: 'not measured', met: null });
    const value = berth / raw;
    checks.push({ target, measured: `${value.toFixed(2)}x (berth ${formatValue(berth, 'ms')}, raw Node ${formatValue(raw, 'ms')})`, met: value <= limit });
  };
  ratioCheck('W1 stop within 1.5x of raw Node', w1, 'stop', 1.5);
  // Not a target: what the architecture itself costs, beside the target it is measured against.
  const floor = medianOf(w1, 'xstate-floor', 'stop');
  const raw = medianOf(w1, 'raw-node', 'stop');
  if (w1 && floor !== undefined && raw !== undefined) {
    checks.push({ target: 'for reference, not a target: W1 stop of the XState floor (one minimal machine per process) over raw Node', measured: `${ratio(w1, 'xstate-floor', 'stop')} (xstate-floor ${formatValue(floor, 'ms')}, raw Node ${formatValue(raw, 'ms')})`, met: null });
  }
  const w2 = medianOf(byId('W2'), 'berth', 'stop');
  checks.push(w2 === undefined
    ? { target: 'W2 within 1.03 s', measured: 'not measured', met: null }
    : { target: 'W2 within 1.03 s', measured: formatValue(w2, 'ms'), met: w2 <= 1030 });
  // Not a target either: what the kernel alone takes for W1's and W2's stops on this machine.
  const kernel = (['W1', 'W2'] as const).map((id) => [id, medianOf(byId(id), 'c-floor', 'stop'), medianOf(byId(id), 'raw-node', 'stop')] as const);
  const measuredKernel = kernel.filter(([, floorValue]) => floorValue !== undefined);
  if (measuredKernel.length > 0) {
    checks.push({
      target: 'for reference, not a target: the stops of the C floor (a supervisor in C, no JavaScript: the kernel\'s own time here)',
      measured: measuredKernel.map(([id, floorValue, rawValue]) => `${id} ${formatValue(floorValue!, 'ms')}${rawValue === undefined ? '' : ` (raw Node ${formatValue(rawValue, 'ms')})`}`).join('; '),
      met: null,
    });
  }
  const w3Berth = medianOf(byId('W3'), 'berth', 'stopP50');
  const w3Raw = medianOf(byId('W3'), 'raw-node', 'stopP50');
  checks.push(w3Berth === undefined || w3Raw === undefined
    ? { target: 'W3 p50 within 1 ms of raw Node', measured: 'not measured', met: null }
    : { target: 'W3 p50 within 1 ms of raw Node', measured: `+${(w3Berth - w3Raw).toFixed(2)} ms (berth ${w3Berth.toFixed(2)} ms, raw Node ${w3Raw.toFixed(2)} ms)`, met: w3Berth - w3Raw <= 1 });
  ratioCheck('start of the W1 processes within 1.3x of raw Node', w1, 'start', 1.3);
  const w4 = byId('W4');
  const sizes = (w4?.params.sizes as number[] | undefined) ?? [];
  const largest = Math.max(...sizes);
  const heap = medianOf(w4, 'berth', 'heapPerProcess');
  checks.push(heap === undefined
    ? { target: 'under 50 KB of JS heap per idle container at 1000', measured: 'not measured', met: null }
    : { target: `under 50 KB of JS heap per idle container at ${largest}`, measured: `${(heap / 1000).toFixed(1)} KB per container`, met: heap < 50_000 });
  return checks;
}

function formatBytes(bytes: number): string {
  return `${(bytes / kib / kib / kib).toFixed(1)} GiB`;
}

/** The whole report as markdown: environment, one table per workload, targets. */
export function reportMarkdown(report: BenchReport): string {
  const { environment: env } = report;
  const contenders = [...contenderNames];
  const lines = [
    `Run of ${env.date} on ${env.machine.cpus} CPUs (${env.machine.cpuModel}), ${formatBytes(env.machine.memoryBytes)} of memory, Linux ${env.machine.kernel}; ` +
      `load average at start ${env.machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}.`,
    '',
    `Versions: ${Object.entries(env.versions).map(([name, version]) => `${name} ${version}`).join(', ')}. Program: ${env.program}.`,
    '',
    `Settings: ${Object.entries(env.settings).map(([key, value]) => `${key} ${JSON.stringify(value)}`).join(', ')}.`,
  ];
  for (const [name, reason] of Object.entries(report.skipped)) lines.push('', `Skipped ${name}: ${reason}`);
  for (const workload of report.workloads) {
    lines.push('', workloadTable(workload, contenders), '', `<sub>${workload.id} took ${(workload.durationMs / 1000).toFixed(0)} s; load average ${workload.loadAverage.before.toFixed(2)} before, ${workload.loadAverage.after.toFixed(2)} after.</sub>`);
  }
  lines.push('', '| target (issue 8) | measured | met |', '|---|---|---|');
  for (const check of report.targets) lines.push(`| ${check.target} | ${check.measured} | ${check.met === null ? '—' : check.met ? 'yes' : '**no**'} |`);
  return lines.join('\n');
}

export const resultsBegin = '<!-- results:begin (written by npm run bench) -->';
export const resultsEnd = '<!-- results:end -->';

/** `readme` with the text between the result markers replaced (or the markers appended). */
export function replaceResults(readme: string, markdown: string): string {
  const begin = readme.indexOf(resultsBegin);
  const end = readme.indexOf(resultsEnd);
  const block = `${resultsBegin}\n${markdown}\n${resultsEnd}`;
  if (begin < 0 || end < begin) return `${readme.trimEnd()}\n\n${block}\n`;
  return readme.slice(0, begin) + block + readme.slice(end + resultsEnd.length);
}
