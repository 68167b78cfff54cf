// Images for the runc runtime: a root filesystem directory per name, under the state dir. berth
// does not pull from registries; `berth image import NAME DIR` copies a root filesystem in, and
// `berth image busybox` builds a minimal one from the host's static busybox.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execaSync } from 'execa';
import { InvalidArgumentError, NotFoundError } from './errors.js';

const namePattern = /^[a-z0-9][a-z0-9._-]*(?::[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127})?$/;

/** The image store: `<dir>/<name>/rootfs`, one directory per image. */
export class ImageStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** The root filesystem of an image, or Docker's 404 with what to do about it. */
  resolve(image: string): string {
    const rootfs = join(this.dir, storageName(image), 'rootfs');
    if (image && existsSync(rootfs)) return rootfs;
    throw new NotFoundError(`No such image: ${image || '(none given)'}: berth does not pull from registries; ` +
      `import a root filesystem with \`berth image import ${image || 'NAME'} DIR\`, or build busybox with \`berth image busybox\``);
  }

  list(): string[] {
    return readdirSync(this.dir).filter((name) => existsSync(join(this.dir, name, 'rootfs'))).sort();
  }

  /** Copies a root filesystem directory into the store as `name`. */
  import(name: string, source: string): string {
    const from = resolve(source);
    if (!existsSync(from)) throw new InvalidArgumentError(`cannot import ${name}: ${from} does not exist: give a root filesystem directory`);
    const target = this.prepare(name);
    cpSync(from, target, { recursive: true, verbatimSymlinks: true });
    return target;
  }

  /** Builds a minimal busybox image from the host's static busybox (Debian: busybox-static). */
  busybox(busybox = '/bin/busybox'): string {
    if (!existsSync(busybox)) throw new InvalidArgumentError(`no busybox at ${busybox}: install it (apt-get install busybox-static)`);
    const applets = execaSync(busybox, ['--list'], { reject: false }).stdout.toString().split('\n').filter(Boolean);
    const rootfs = this.prepare('busybox');
    for (const dir of ['bin', 'sbin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'run', 'root', 'var', 'usr/bin']) mkdirSync(join(rootfs, dir), { recursive: true });
    cpSync(busybox, join(rootfs, 'bin/busybox'));
    for (const applet of applets) if (applet !== 'busybox') symlinkSync('busybox', join(rootfs, 'bin', applet));
    writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
    writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    return rootfs;
  }

  private prepare(name: string): string {
    const dir = join(this.dir, storageName(name));
    rmSync(dir, { recursive: true, force: true });
    const rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs, { recursive: true });
    return rootfs;
  }
}

// "busybox:latest" and "busybox" are one image, as in Docker; other tags get their own directory.
function storageName(image: string): string {
  if (!namePattern.test(image)) {
    throw new InvalidArgumentError(`invalid image name ${JSON.stringify(image)}: use lowercase letters, digits, '.', '_' or '-', with an optional :tag`);
  }
  const [name, tag = 'latest'] = image.split(':');
  return tag === 'latest' ? name! : `${name}_${tag}`;
}
