// Docker's `filters` query parameter: JSON, either `{"status":{"running":true}}` or the legacy
// `{"status":["running"]}`, with every key checked against what the route supports (else 400).
import { InvalidArgumentError } from '../errors.js';

/** Filter values by key, e.g. `status` → ['running', 'paused']. */
export type Filters = Map<string, string[]>;

/** Parses and checks a `filters` parameter; absent or empty is no filters. */
export function parseFilters(text: string | null, supported: readonly string[]): Filters {
  const filters: Filters = new Map();
  if (text === null || text.trim() === '') return filters;
  const parsed = parseJson(text);
  if (!isRecord(parsed)) throw invalidFilters(text);
  for (const [key, value] of Object.entries(parsed)) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) filters.set(key, value);
    else if (isRecord(value) && Object.values(value).every((v) => typeof v === 'boolean')) filters.set(key, Object.keys(value));
    else throw invalidFilters(text);
    if (!supported.includes(key)) throw new InvalidArgumentError(`invalid filter '${key}': berth supports the filters ${supported.join(', ')}`);
  }
  return filters;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidFilters(text);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalidFilters(text: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid filters ${JSON.stringify(text)}: expected JSON such as {"status":{"running":true}} or {"status":["running"]}`);
}
