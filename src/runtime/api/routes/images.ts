// POST /images/create: the docker CLI pulls when create says an image is missing. berth never
// pulls; it answers with what to do instead, which the CLI prints.
import { NotFoundError } from '../../errors.js';
import type { ApiRequest } from '../request.js';

/** Refuses a pull with Docker's 404 and the way to get the image into berth. */
export function refusePull({ query }: ApiRequest): never {
  const image = query.get('fromImage') ?? '';
  const tag = query.get('tag');
  const bare = image.replace(/^docker\.io\/(library\/)?/, '');
  const name = tag && !bare.includes(':') ? `${bare}:${tag}` : bare;
  throw new NotFoundError(`berth does not pull images from registries: ${name || 'this image'} is not here; ` +
    `import a root filesystem with \`berth image import ${name || 'NAME'} DIR\`, or build busybox with \`berth image busybox\``);
}
