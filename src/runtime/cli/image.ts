// `berth image`: the runc runtime's images, root filesystem directories under the state dir.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { ImageStore } from '../images.js';
import { defaultRuncStateDir } from '../runc-setup.js';

export const imageUsage = `Usage: berth image <command> [--state-dir DIR]

Images for the runc runtime (berth daemon --runtime runc). berth does not pull from registries.

Commands:
  import NAME DIR   copy the root filesystem in DIR into the store as NAME
  busybox           build a minimal busybox image from the host's static busybox
                    (apt-get install busybox-static)
  ls                list the images

--state-dir DIR     the runc runtime's state directory (default ${defaultRuncStateDir})
`;

/** Runs `berth image ...`; resolves with the exit code. */
export async function runImage(args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const [command, ...rest] = positionals;
  if (values.help || command === undefined) {
    out.write(imageUsage);
    return command === undefined && !values.help ? 2 : 0;
  }
  const store = new ImageStore(join(values['state-dir'] ?? defaultRuncStateDir, 'images'));
  switch (command) {
    case 'import': {
      const [name, dir] = rest;
      if (!name || !dir) throw new InvalidArgumentError('usage: berth image import NAME DIR');
      out.write(`${name}: imported into ${store.import(name, dir)}\n`);
      return 0;
    }
    case 'busybox':
      out.write(`busybox: built in ${store.busybox()}\n`);
      return 0;
    case 'ls':
      for (const name of store.list()) out.write(`${name}\n`);
      return 0;
    default:
      throw new InvalidArgumentError(`unknown image command "${command}": use import, busybox or ls`);
  }
}
