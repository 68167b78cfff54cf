// GET /containers/json, POST /containers/create, GET /containers/{id}/json, DELETE /containers/{id},
// POST /containers/{id}/rename.
import { readJsonBody } from '../body.js';
import { toCreateOptions } from '../create-config.js';
import { parseFilters } from '../filters.js';
import { filterContainers, listFilterKeys } from '../list-filters.js';
import { readBoolean, readInteger } from '../query.js';
import type { ApiRequest } from '../request.js';
import type { Reply } from '../respond.js';

// `docker ps`: running containers unless `all`; a limit or a status filter implies all (Docker's rule).
export function listContainers({ engine, query }: ApiRequest): Reply {
  const filters = parseFilters(query.get('filters'), listFilterKeys);
  const limit = readInteger(query, 'limit');
  const all = readBoolean(query, 'all') || (limit !== undefined && limit > 0) || filters.has('status');
  const containers = filterContainers(engine.list({ all }), filters);
  return { status: 200, body: limit !== undefined && limit > 0 ? containers.slice(0, limit) : containers };
}

// `docker create` (and the first step of `docker run`): 201 with the id. Never a 404, which would make the CLI pull an image.
export async function createContainer({ engine, req, query }: ApiRequest): Promise<Reply> {
  const options = toCreateOptions(await readJsonBody(req), query.get('name') || undefined);
  const { id } = await engine.create(options);
  return { status: 201, body: { Id: id, Warnings: [] } };
}

// Docker's inspect shape, straight from the engine's snapshot: answers at once, whatever the container is doing.
export function inspectContainer({ engine, params }: ApiRequest): Reply {
  return { status: 200, body: engine.inspect(params.id!) };
}

// `docker rename OLD NEW`: 400 for a bad or unchanged name, 409 for one in use.
export async function renameContainer({ engine, params, query }: ApiRequest): Promise<Reply> {
  await engine.rename(params.id!, query.get('name') ?? '');
  return { status: 204 };
}

// `docker rm [-f]`; `v` and `link` mean nothing without volumes and links.
export async function removeContainer({ engine, params, query }: ApiRequest): Promise<Reply> {
  await engine.remove(params.id!, { force: readBoolean(query, 'force') });
  return { status: 204 };
}
