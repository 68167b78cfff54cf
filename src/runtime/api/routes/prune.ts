// POST /containers/prune, `docker container prune`: removes every container that is not running
// (created or exited, as Docker counts them), narrowed by Docker's prune filters `until` and
// `label` / `label!`. A container that starts (or goes) meanwhile is skipped, as Docker skips it.
import { InvalidArgumentError } from '../../errors.js';
import { parseTimestamp } from '../../timestamps.js';
import { parseFilters } from '../filters.js';
import { hasLabel } from '../list-filters.js';
import type { ApiRequest } from '../request.js';
import type { Reply } from '../respond.js';

const pruneFilterKeys = ['until', 'label', 'label!'] as const;

export async function pruneContainers({ engine, query }: ApiRequest): Promise<Reply> {
  const filters = parseFilters(query.get('filters'), pruneFilterKeys);
  const untils = filters.get('until') ?? [];
  if (untils.length > 1) throw new InvalidArgumentError('more than one until filter specified: give one');
  const before = untils.length === 1 ? parseUntil(untils[0]!, Date.now()) : undefined;
  const stopped = engine.list({ all: true }).filter((c) =>
    (c.State === 'created' || c.State === 'exited' || c.State === 'dead') &&
    (before === undefined || c.Created * 1000 < before) &&
    (filters.get('label') ?? []).every((label) => hasLabel(c.Labels, label)) &&
    !(filters.get('label!') ?? []).some((label) => hasLabel(c.Labels, label)));
  const deleted: string[] = [];
  await Promise.all(stopped.map(async ({ Id }) => {
    try {
      await engine.remove(Id);
      deleted.push(Id);
    } catch {
      // started or removed since it was listed: not this prune's to remove
    }
  }));
  // Docker's Go nil slice: null when nothing was deleted. Host processes leave no layers behind.
  return { status: 200, body: { ContainersDeleted: deleted.length === 0 ? null : deleted, SpaceReclaimed: 0 } };
}

// Docker's timestamp for `until`: unix seconds, an RFC 3339 date, or a Go duration back from now ("24h", "1h30m").
function parseUntil(text: string, now: number): number {
  const time = parseTimestamp(text, now);
  if (Number.isNaN(time)) throw new InvalidArgumentError(`invalid until filter ${JSON.stringify(text)}: use unix seconds, an RFC 3339 date or a duration such as 24h`);
  return time;
}
