// Query parameters read the way Docker reads them (docker-lifecycle.md (i)): booleans are false
// only for "", "0", "no", "false" and "none"; numbers and timestamps that do not parse are a 400.
import { InvalidArgumentError } from '../errors.js';

const falseWords = new Set(['', '0', 'no', 'false', 'none']);

// Docker's httputils.BoolValue: an absent parameter is false, any other word true.
export function readBoolean(query: URLSearchParams, name: string): boolean {
  return !falseWords.has((query.get(name) ?? '').trim().toLowerCase());
}

// An integer parameter (`t`, `limit`); absent or empty is undefined.
export function readInteger(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  if (!/^-?\d+$/.test(text.trim())) {
    throw new InvalidArgumentError(`Expected the \`${name}\` query parameter to be an integer, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

// Docker's `since`/`until`: unix `seconds[.fraction]` (the CLI turns "10m" or dates into this) to epoch milliseconds.
export function readTimestamp(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const match = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) {
    throw new InvalidArgumentError(`Expected the \`${name}\` query parameter to be a unix timestamp in seconds, such as 1700000000 or 1700000000.5, got ${JSON.stringify(text)}`);
  }
  const [, seconds = '0', fraction = ''] = match;
  return Number(seconds) * 1000 + Number(fraction.padEnd(9, '0')) / 1e6;
}
