// Turns a failed spawn into Docker's start-failure exit code and message: 126 when the command
// cannot be invoked, 127 when it (or the working directory) is missing, 128 for anything else
// (docker-lifecycle.md (a), "start failure"; moby daemon/start.go translateContainerdStartErr).
import { statSync } from 'node:fs';
import { messageOf } from '../machines/records.js';

/** What a container that never started reports instead of an exit. */
export interface StartFailure {
  exitCode: number;
  message: string;
}

// Whether a path exists and, if it does, whether it is a directory: separates "the command is
// missing" from "the working directory is missing", which spawn reports with the same errno.
function inspectPath(path: string): 'missing' | 'directory' | 'other' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other';
  } catch {
    return 'missing';
  }
}

// Docker words a missing bare command name differently from a missing path.
function describeMissingCommand(file: string): string {
  if (!file.includes('/')) {
    return `exec: "${file}": executable file not found in $PATH: install it or give its full path`;
  }
  if (inspectPath(file) !== 'missing') {
    return `exec: "${file}": no such file or directory: the file exists, so its #! interpreter is probably missing`;
  }
  return `exec: "${file}": no such file or directory: check the path of the command`;
}

/**
 * Maps the error of a spawn that never produced a process (its errno `code`) to the report the
 * container machine records.
 * @example describeStartError({ code: 'ENOENT' }, 'nosuch', undefined).exitCode // 127
 */
export function describeStartError(error: unknown, file: string, cwd: string | undefined): StartFailure {
  const code = (error as { code?: unknown } | undefined)?.code;
  const cwdState = cwd === undefined ? 'directory' : inspectPath(cwd);
  if (cwdState === 'missing') {
    return { exitCode: 127, message: `chdir to cwd "${cwd}" failed: no such file or directory: create it or set another working directory` };
  }
  if (cwdState === 'other') {
    return { exitCode: 127, message: `chdir to cwd "${cwd}" failed: not a directory: set the working directory to a directory` };
  }
  switch (code) {
    case 'ENOENT':
      return { exitCode: 127, message: describeMissingCommand(file) };
    case 'ENOTDIR':
      return { exitCode: 127, message: `exec: "${file}": not a directory: a component of the command's path is a file` };
    case 'EACCES':
      return { exitCode: 126, message: `exec: "${file}": permission denied: make it executable (chmod +x) or run it through its interpreter` };
    case 'EISDIR':
      return { exitCode: 126, message: `exec: "${file}": is a directory: give the path of a file inside it` };
    case 'E2BIG': // 126, as a shell answers it: the command exists but cannot be invoked like this
      return { exitCode: 126, message: `exec: "${file}": argument list too long: one argument is over 128 KiB, or the arguments and environment together are over the kernel's limit (about 2 MiB); pass large data through a file` };
    default: {
      const detail = messageOf(error);
      return { exitCode: 128, message: `exec: "${file}": could not start (${typeof code === 'string' ? code : 'unknown error'}): ${detail}` };
    }
  }
}
