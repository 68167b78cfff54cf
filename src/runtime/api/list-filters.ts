// `docker ps --filter`: Docker's semantics for the keys berth supports. Values of one key are
// alternatives (any may match), except labels, which must all match; different keys must all match.
import { InvalidArgumentError } from '../errors.js';
import type { ContainerSummary } from '../inspect.js';
import type { Filters } from './filters.js';

/** The `filters` keys GET /containers/json accepts. */
export const listFilterKeys = ['id', 'name', 'label', 'status'] as const;

const statuses = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

/** The summaries that pass the filters; a status that does not exist is a 400, as in Docker. */
export function filterContainers(summaries: ContainerSummary[], filters: Filters): ContainerSummary[] {
  for (const status of filters.get('status') ?? []) {
    if (!statuses.includes(status)) throw new InvalidArgumentError(`invalid filter 'status=${status}': use one of ${statuses.join(', ')}`);
  }
  return summaries.filter((summary) =>
    matchesAny(filters.get('id'), [summary.Id]) &&
    matchesAny(filters.get('name'), summary.Names) &&
    (filters.get('status')?.includes(summary.State) ?? true) &&
    (filters.get('label') ?? []).every((label) => hasLabel(summary.Labels, label)));
}

// Docker's filters.Match: an exact match, or the value as a regular expression found anywhere ("web" matches "/webapp").
function matchesAny(patterns: string[] | undefined, sources: string[]): boolean {
  if (!patterns?.length) return true;
  return patterns.some((pattern) => sources.some((source) => source === pattern || searchRegExp(pattern, source)));
}

function searchRegExp(pattern: string, source: string): boolean {
  try {
    return new RegExp(pattern).test(source);
  } catch {
    return false; // Docker skips a value that is not a valid expression
  }
}

/** Docker's label filter: "key" (the label is set) or "key=value". */
export function hasLabel(labels: Record<string, string>, label: string): boolean {
  const at = label.indexOf('=');
  return at === -1 ? Object.hasOwn(labels, label) : labels[label.slice(0, at)] === label.slice(at + 1);
}
