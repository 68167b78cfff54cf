// The bench's command line: a mistyped option is a one-line UsageError that points to --help.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { list, optionNames, positive, readArgs, usage, UsageError } from '../../bench/cli.js';

describe('bench command line', () => {
  it('reads the options it documents', () => {
    const values = readArgs(['--reps', '10', '--only', 'W1,W2', '--probe', '--label', 'round17']);
    expect(values).toMatchObject({ reps: '10', only: 'W1,W2', probe: true, label: 'round17' });
    expect(readArgs(['-h']).help).toBe(true);
    // Every long option it parses is in the usage text, so --help never hides one.
    expect(optionNames).toHaveLength(20);
    for (const name of optionNames) expect(usage).toMatch(new RegExp(`--${name}\\b(?!-)`));
  });

  it('has every option in the bench README\'s table too', () => {
    const readme = readFileSync(new URL('../../bench/README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('| option |');
    const table = readme.slice(start, readme.indexOf('\n\n', start));
    expect(table).toContain('| `--reps N`');
    for (const name of optionNames) expect(table, name).toMatch(new RegExp(`--${name}\\b(?!-)`));
  });

  it('turns an unknown option, a missing value or a stray argument into a UsageError naming it', () => {
    const cases: [string[], string][] = [
      [['--rep', '3'], "Unknown option '--rep'"],
      [['--reps'], "'--reps <value>' argument missing"],
      [['W1'], "Unexpected argument 'W1'"],
    ];
    for (const [args, named] of cases) {
      let thrown: unknown;
      try {
        readArgs(args);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, args.join(' ')).toBeInstanceOf(UsageError);
      expect((thrown as Error).message).toContain(named);
      expect((thrown as Error).message).toMatch(/run with --help for the options$/);
    }
  });

  it('checks counts and splits lists', () => {
    expect(positive('reps', undefined, 3)).toBe(3);
    expect(positive('reps', '10', 3)).toBe(10);
    for (const bad of ['0', '-1', '2.5', 'ten']) expect(() => positive('reps', bad, 3)).toThrow(new UsageError(`Expected --reps to be a positive integer, got ${JSON.stringify(bad)}`));
    expect(list(undefined)).toBeUndefined();
    expect(list(' W1, W3 ,,')).toEqual(['W1', 'W3']);
  });
});
