// The bench's command line: its options, the usage `--help` prints, and the one-line error a
// mistyped option gets instead of a stack trace.
import { parseArgs } from 'node:util';

export const usage = `usage: npm run bench -- [options]
       (or, once compiled: node --expose-gc [v8 flags] dist/bench/run.js [options])

  --reps N               repetitions of W1, W2, W3 and W6 (BENCH_REPS; default 3; 6 is a full round of
                         the six contenders' balanced order, 12 two)
  --warmup N             untimed repetitions of W1, W2, W3 and W6 before those (default 3; 0: none)
  --in-process-warmup N  more of those for raw Node, the XState floor and berth (default 10; 0: none)
  --memory-reps N        repetitions of W4 (default 1)
  --w5-reps N            repetitions of W5 (default 1)
  --only W1,W3           some workloads only (BENCH_ONLY)
  --contenders a,b       some contenders only: c-floor, raw-node, xstate-floor, berth, pm2, supervisord (BENCH_CONTENDERS)
  --w1 200 --w2 50 --w3 100 --w4 1,100,1000 --w5-lifecycles 2000 --w5-size 10000 --w6 20
                         workload sizes
  --label NAME           a name for the run, kept in the JSON and its file name (e.g. before-fix)
  --probe                log what each span of 10 ms or more cost the bench's process (Linux)
  --no-readme            write the JSON but leave bench/README.md alone
  --no-write             print only: no README or JSON (also BENCH_NO_WRITE=1)
  --render FILE          run nothing: print a recorded run (results/*.json) and put it in the README
  --help                 this text

bench/README.md says what each workload measures and how to read the tables.`;

/** A mistake on the command line: the bench prints the message (no stack) and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const options = {
  reps: { type: 'string' }, warmup: { type: 'string' }, 'in-process-warmup': { type: 'string' }, 'memory-reps': { type: 'string' }, 'w5-reps': { type: 'string' },
  only: { type: 'string' }, contenders: { type: 'string' },
  w1: { type: 'string' }, w2: { type: 'string' }, w3: { type: 'string' }, w4: { type: 'string' }, w6: { type: 'string' },
  'w5-lifecycles': { type: 'string' }, 'w5-size': { type: 'string' }, label: { type: 'string' },
  'no-readme': { type: 'boolean' }, probe: { type: 'boolean' }, 'no-write': { type: 'boolean' }, render: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Every long option the bench takes (the usage above names each one). */
export const optionNames = Object.keys(options);

/**
 * Parses the bench's arguments; an unknown option, a missing value or a stray argument is a UsageError.
 * @example readArgs(['--reps', '10', '--only', 'W1']).reps // '10'
 */
export function readArgs(args: string[]) {
  try {
    return parseArgs({ args, options, allowPositionals: false }).values;
  } catch (error) {
    // Node's message names the option ("Unknown option '--rep'"); the rest of it suggests `--`, which the bench never takes.
    const message = (error as Error).message.split('. ')[0];
    throw new UsageError(`${message}: run with --help for the options`);
  }
}

/** A comma-separated list, trimmed; undefined when the option was not given. */
export function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter(Boolean);
}

/** The value of --`name` as a positive integer, or `fallback` when it was not given. */
export function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`Expected --${name} to be a positive integer, got ${JSON.stringify(value)}`);
  return number;
}
