// GET /events: Docker's event stream, one JSON message and "\n" per event, headers flushed at
// once (the docker CLI waits for them). `since`/`until` replay the engine's history; the stream
// ends at `until`, when the client goes away, or when the engine shuts down.
import { once } from 'node:events';
import type { DockerEvent } from '../../events.js';
import { parseFilters, type Filters } from '../filters.js';
import { readTimestamp } from '../query.js';
import type { ApiRequest } from '../request.js';

/** The `filters` keys GET /events accepts; berth only has container events. */
const eventFilterKeys = ['container', 'event', 'label', 'type', 'image', 'scope'] as const;

// `docker events [--since] [--until] [--filter]`.
export async function streamEvents({ engine, query, res, signal, logger }: ApiRequest): Promise<undefined> {
  const filters = parseFilters(query.get('filters'), eventFilterKeys);
  const events = engine.events({
    container: filters.get('container'), event: filters.get('event'), label: filters.get('label'),
    since: readTimestamp(query, 'since'), until: readTimestamp(query, 'until'), signal,
  });
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  try {
    for await (const event of events) {
      if (!matchesOtherFilters(event, filters)) continue;
      if (!res.write(`${JSON.stringify(withLegacyFields(event))}\n`)) await once(res, 'drain', { signal });
    }
  } catch (error) {
    // A consumer too slow for its queue (EventStreamOverflowError): end the stream, the client reconnects with `since`.
    if (!signal.aborted) logger.warn({ err: error }, 'an events stream ended early');
  }
  res.end();
  return undefined;
}

// API < 1.52 container events also carry `status`, `id` and `from`; pre-v25 clients need them (docker-lifecycle.md (g)).
function withLegacyFields(event: DockerEvent) {
  return { status: event.Action, id: event.Actor.ID, from: event.Actor.Attributes.image ?? '', ...event };
}

// The filters the engine's bus does not know: type and scope (berth's events are all local container
// events) and image, matched with or without its tag as Docker does.
function matchesOtherFilters(event: DockerEvent, filters: Filters): boolean {
  const types = filters.get('type'), scopes = filters.get('scope'), images = filters.get('image');
  if (types?.length && !types.includes(event.Type)) return false;
  if (scopes?.length && !scopes.includes(event.scope)) return false;
  const image = event.Actor.Attributes.image ?? '';
  return !images?.length || images.some((wanted) => wanted === image || wanted === image.replace(/[:@][^/:@]*$/, ''));
}
