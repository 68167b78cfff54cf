// Everything the runc runtime needs before the first container: root, the runc binary, runc's
// default spec, the state directories, and no leftovers of an engine that died (its containers
// would otherwise keep running unsupervised).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaSync } from 'execa';
import { makeDirectory } from '../actors/make-directory.js';
import { listRuncContainers, runcSync } from '../actors/runc/cli.js';
import type { OciSpec } from '../actors/runc/oci-spec.js';
import { createRuncRuntime } from '../actors/runc/runtime.js';
import type { OutputListener } from '../actors/output.js';
import { BerthError } from './errors.js';
import { ImageStore } from './images.js';

/** The runc runtime cannot be used here (not root, runc missing); the message says what to do. */
export class RuntimeUnavailableError extends BerthError {}
Object.defineProperty(RuntimeUnavailableError.prototype, 'name', { value: 'RuntimeUnavailableError' });

export interface RuncSetup {
  logic: ReturnType<typeof createRuncRuntime>;
  images: ImageStore;
  /** runc ids of containers a previous engine left running, killed and deleted at start-up. */
  orphans: string[];
}

/** Where the runc runtime keeps its state unless told otherwise. */
export const defaultRuncStateDir = '/var/lib/berth';

/** Checks the machine and prepares the runc runtime; throws RuntimeUnavailableError at once when it cannot work. */
export function setUpRunc(stateDir: string, onOutput: OutputListener | undefined): RuncSetup {
  if (process.getuid?.() !== 0) {
    throw new RuntimeUnavailableError('the runc runtime needs root: run berth as root (for example with sudo), or use the default process runtime');
  }
  const version = execaSync('runc', ['--version'], { reject: false });
  if (version.exitCode !== 0) {
    throw new RuntimeUnavailableError('runc is not installed (or not on PATH): install it (apt-get install runc), or use the default process runtime');
  }
  const root = join(stateDir, 'runc');
  const bundles = join(stateDir, 'bundles');
  for (const dir of [stateDir, root, bundles]) makeDirectory(dir, 0o700);
  const orphans = listRuncContainers(root).filter((id) => id.startsWith('berth-'));
  for (const id of orphans) {
    runcSync(root, ['kill', '--all', id, 'KILL']);
    runcSync(root, ['delete', '--force', id]);
    rmSync(join(bundles, id), { recursive: true, force: true });
  }
  const images = new ImageStore(join(stateDir, 'images'));
  const tiniPath = ['/usr/bin/tini-static', '/sbin/tini-static'].find((path) => existsSync(path));
  const logic = createRuncRuntime({
    root, bundles, template: readRuncTemplate(), resolveImage: (image) => images.resolve(image), ...(tiniPath ? { tiniPath } : {}), ...(onOutput ? { onOutput } : {}),
  });
  return { logic, images, orphans };
}

// runc's own default spec, so the generated config always suits the installed runc.
function readRuncTemplate(): OciSpec {
  const dir = mkdtempSync(join(tmpdir(), 'berth-spec-'));
  try {
    const result = execaSync('runc', ['spec', '--bundle', dir], { reject: false });
    if (result.exitCode !== 0) throw new RuntimeUnavailableError(`runc spec failed: ${String(result.stderr)}`);
    return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as OciSpec;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
