// `npm run bench`: every workload for every contender this machine has, alternating, then the
// table (printed and written into bench/README.md) and the JSON (bench/results/). The options are
// in cli.ts (`npm run bench -- --help`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killTrackedDaemons } from './cleanup.js';
import { list, positive, readArgs, usage, UsageError } from './cli.js';
import { describeProbedProcess, probeAvailable } from './probe.js';
import { contenderNames, unavailableReason, type ContenderName } from './contenders/index.js';
import { supervisordVersion } from './contenders/supervisord.js';
import { killPrograms } from './processes.js';
import { prepareProgram, type Program } from './program.js';
import { checkTargets, replaceResults, reportMarkdown, type BenchReport, type Environment } from './report.js';
import { runners, workloadIds, type BenchOptions, type WorkloadId, type WorkloadResult } from './workloads.js';

const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));
const root = join(benchDir, '..');

// Read from node_modules directly: some packages (execa) do not export their package.json.
function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function berthVersion(): string {
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${version} (${commit}${dirty ? ' + uncommitted src changes' : ''})`;
  } catch {
    return version;
  }
}

function compilerVersion(program: Program): string {
  if (program.kind === 'sh') return 'bench/program/tiny.sh (no C compiler found: each process is sh plus a sleep)';
  try {
    return `bench/program/tiny.c, ${execFileSync('cc', ['--version'], { encoding: 'utf8' }).split('\n')[0]}`;
  } catch {
    return 'bench/program/tiny.c';
  }
}

function writeReadme(markdown: string): void {
  const readmePath = join(benchDir, 'README.md');
  writeFileSync(readmePath, replaceResults(readFileSync(readmePath, 'utf8'), markdown));
  console.log(`written: the results section of ${readmePath}`);
}

// A recorded run, rendered again (after a change to the tables, or to show an older run).
function render(file: string, printOnly: boolean): void {
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  const markdown = reportMarkdown({ ...report, targets: checkTargets(report.workloads) });
  console.log(markdown);
  if (!printOnly) writeReadme(markdown);
}

async function main(): Promise<void> {
  const values = readArgs(process.argv.slice(2));
  if (values.help === true) {
    console.log(usage);
    return;
  }
  if (values.render !== undefined) return render(values.render, values['no-write'] === true);
  if (values.probe === true && !probeAvailable()) throw new UsageError('--probe reads /proc/self/task/<tid>/schedstat, which this system does not have (it needs Linux with schedstats): run without --probe');
  const only = (list(values.only ?? process.env.BENCH_ONLY) ?? [...workloadIds]).map((id) => id.toUpperCase());
  for (const id of only) if (!workloadIds.includes(id as WorkloadId)) throw new UsageError(`Expected --only to list workloads among ${workloadIds.join(', ')}, got ${JSON.stringify(id)}`);
  const wanted = list(values.contenders ?? process.env.BENCH_CONTENDERS) ?? [...contenderNames];
  for (const name of wanted) if (!contenderNames.includes(name as ContenderName)) throw new UsageError(`Expected --contenders to list some of ${contenderNames.join(', ')}, got ${JSON.stringify(name)}`);

  const skipped: BenchReport['skipped'] = {};
  const contenders: ContenderName[] = [];
  for (const name of wanted as ContenderName[]) {
    const reason = unavailableReason(name);
    if (reason === undefined) contenders.push(name);
    else {
      skipped[name] = reason;
      console.log(`skipping ${name}: ${reason}`);
    }
  }

  const workDir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  let program: Program;
  try {
    program = prepareProgram(workDir);
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true }); // nothing was started in it yet
    throw error;
  }
  const cleanUp = (): void => {
    killTrackedDaemons();
    killPrograms(program.path);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping everything the bench started`);
      cleanUp();
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  }

  const options: BenchOptions = {
    program,
    workDir,
    contenders,
    repetitions: positive('reps', values.reps ?? process.env.BENCH_REPS, 3),
    warmups: values.warmup === '0' ? 0 : positive('warmup', values.warmup, 3),
    inProcessWarmups: values['in-process-warmup'] === '0' ? 0 : positive('in-process-warmup', values['in-process-warmup'], 10),
    memoryRepetitions: positive('memory-reps', values['memory-reps'], 1),
    engineOnlyRepetitions: positive('w5-reps', values['w5-reps'], 1),
    w1Count: positive('w1', values.w1, 200),
    w2Count: positive('w2', values.w2, 50),
    w2TimeoutMs: 1_000,
    w3Iterations: positive('w3', values.w3, 100),
    w4Sizes: (list(values.w4) ?? ['1', '100', '1000']).map((size) => positive('w4', size, 1)),
    w4SettleMs: 1_000,
    w5: { lifecycles: positive('w5-lifecycles', values['w5-lifecycles'], 2_000), supervisorSize: positive('w5-size', values['w5-size'], 10_000) },
    w6Iterations: positive('w6', values.w6, 20),
    isolate: true,
    probe: values.probe === true,
    log: (line) => console.log(line),
  };
  const environment: Environment = {
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem(), kernel: release(), loadAverageAtStart: loadavg() },
    versions: {
      node: process.version, berth: berthVersion(), xstate: packageVersion('xstate'),
      pm2: packageVersion('pm2'), supervisord: supervisordVersion() ?? 'not installed',
    },
    program: compilerVersion(program),
    settings: {
      ...(values.label === undefined ? {} : { label: values.label }),
      repetitions: options.repetitions, warmups: options.warmups, inProcessWarmups: options.inProcessWarmups, memoryRepetitions: options.memoryRepetitions, engineOnlyRepetitions: options.engineOnlyRepetitions, w1: options.w1Count, w2: options.w2Count,
      w3: options.w3Iterations, w4: options.w4Sizes, w5: options.w5, w6: options.w6Iterations, contenders, workloads: only,
      gcBeforeSpans: typeof (globalThis as { gc?: unknown }).gc === 'function' ? 'minor' : 'none (node without --expose-gc)',
      // V8's heuristics move W1 and W2 (bench/ROUNDS.md, sixteenth round): a run under other flags says so.
      nodeFlags: process.execArgv,
    },
  };
  if (options.probe) console.log(describeProbedProcess(process.pid));
  console.log(`berth bench: ${contenders.join(', ')}; ${only.join(', ')}; ${options.repetitions} repetitions after ${options.warmups} untimed (${options.warmups + options.inProcessWarmups} in-process) (W4: ${options.memoryRepetitions}, W5: ${options.engineOnlyRepetitions})`);

  const workloads: WorkloadResult[] = [];
  try {
    for (const id of only as WorkloadId[]) workloads.push(await runners[id](options));
  } finally {
    cleanUp();
    rmSync(workDir, { recursive: true, force: true });
  }

  const report: BenchReport = { environment, skipped, workloads, targets: checkTargets(workloads) };
  const markdown = reportMarkdown(report);
  console.log(`\n${markdown}`);
  if (values['no-write'] || process.env.BENCH_NO_WRITE === '1') return;
  const resultsDir = join(benchDir, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${environment.date.replace(/[:.]/g, '-')}${values.label === undefined ? '' : `-${values.label}`}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwritten: ${file}`);
  if (!values['no-readme']) writeReadme(markdown);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`bench: ${error.message}`);
      process.exit(2);
    }
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
