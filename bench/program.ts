// The tiny program the workloads start (program/tiny.c), compiled into the run's own temporary
// directory. That directory is unique to the run, so "every process whose argv names this
// program" is exactly the set of processes this run started: the stray sweep relies on it.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `term` exits 0 on SIGTERM; `ignore` ignores SIGTERM (only SIGKILL ends it); `flood` writes "y\n" as fast as it can and exits on SIGTERM. */
export type ProgramMode = 'term' | 'ignore' | 'flood';

export interface Program {
  /** What the program is: the compiled C program, or the shell fallback when there is no compiler. */
  kind: 'c' | 'sh';
  /** The absolute path every started process names in its argv (argv[0] for C, argv[1] for sh). */
  path: string;
  /** The argv before the mode: the binary, or the shell and the script. */
  prefix: string[];
  /** The argv to run it in a mode: file plus arguments (the prefix, then the mode). */
  command(mode: ProgramMode): { file: string; args: string[] };
}

// The sources live next to this file in bench/program/, also when it runs compiled from dist/bench/.
function sourcePath(name: string): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const fromDist = join(here, '..', '..', 'bench', 'program', name);
  const fromSource = join(here, 'program', name);
  return here.includes(`${join('dist', 'bench')}`) ? fromDist : fromSource;
}

/**
 * Compiles tiny.c into `dir` with the system C compiler (cc, then gcc), or copies the shell
 * fallback there when neither is installed.
 * @example const program = prepareProgram(mkdtempSync(join(tmpdir(), 'berth-bench-')));
 */
export function prepareProgram(dir: string): Program {
  const binary = join(dir, 'tiny');
  if (compileC('tiny.c', binary)) return programAt('c', binary);
  const script = join(dir, 'tiny.sh');
  copyFileSync(sourcePath('tiny.sh'), script);
  chmodSync(script, 0o755);
  return programAt('sh', script);
}

/**
 * Compiles one of bench/program's C sources to `binary` with the system C compiler (cc, then gcc);
 * false when neither is installed or the source does not compile.
 * @example compileC('c-floor.c', join(dir, 'c-floor'))
 */
export function compileC(source: string, binary: string): boolean {
  for (const compiler of cCompilers) {
    try {
      execFileSync(compiler, ['-O2', '-o', binary, sourcePath(source)], { stdio: 'ignore' });
      return true;
    } catch {
      // not installed, or it failed: try the next one
    }
  }
  return false;
}

const cCompilers = ['cc', 'gcc'];

/** Whether a C compiler the bench would use (cc, then gcc) is installed. */
export function cCompilerInstalled(): boolean {
  return cCompilers.some((compiler) => spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status === 0);
}

/** The program another process of this run prepared (for the isolated W4 and W5 children). */
export function programAt(kind: Program['kind'], path: string): Program {
  const prefix = kind === 'c' ? [path] : ['/bin/sh', path];
  return { kind, path, prefix, command: (mode) => ({ file: prefix[0]!, args: [...prefix.slice(1), mode] }) };
}
