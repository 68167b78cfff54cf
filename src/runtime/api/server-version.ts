// berth's version for `docker version` and the Server header, from the package.json above this
// file: the same code runs from src/ (tests) and dist/src/ (the CLI), at different depths.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version field of berth's package.json ("0.0.0" if none is found). */
export function readServerVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'berth' && pkg.version) return pkg.version;
    } catch { /* no package.json at this level */ }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
