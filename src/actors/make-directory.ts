// `mkdir -p` that cannot spin. Node's recursive mkdir (sync and async alike) loops forever, at full
// CPU, when a parent exists but cannot hold children and the kernel answers ENOENT for the child:
// any path under /proc or /sys, or under a dangling symlink (an unmounted disk). A state dir there
// froze the engine before it served anything. One component at a time, ENOENT is final.
import { mkdirSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/**
 * Creates `dir` and its missing parents (new ones with `mode`). Throws the mkdir error (ENOENT,
 * ENOTDIR, EACCES...) of the first component that cannot be created, or ENOTDIR when `dir`
 * exists and is not a directory.
 * @example makeDirectory('/var/lib/berth/containers', 0o700)
 */
export function makeDirectory(dir: string, mode = 0o777): void {
  const absolute = resolve(dir);
  let current = '';
  for (const part of absolute.split(sep).slice(1)) {
    if (part === '') continue;
    current += sep + part;
    try {
      mkdirSync(current, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  if (!statSync(absolute).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${absolute}'`), { code: 'ENOTDIR', path: absolute });
  }
}
