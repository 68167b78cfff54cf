// Times on the command line and in output, as the docker CLI reads and prints them: `--since 10m`,
// a date or unix seconds in; RFC 3339 with nine fraction digits in local time out.
import { InvalidArgumentError } from '../../errors.js';
import { parseTimestamp, unixSeconds } from '../../timestamps.js';

/**
 * A `--since`/`--until` value as the unix seconds the API takes (docker's timetypes.GetTimestamp,
 * see parseTimestamp); unix seconds are passed as they are. Durations keep the milliseconds, where
 * docker truncates to the second and so can miss the events of the last second.
 * @example
 * toApiTimestamp('10m', '--since', Date.parse('2024-01-01T00:10:00Z')) // '1704067200.000'
 */
export function toApiTimestamp(value: string, option: string, now = Date.now()): string {
  const text = value.trim();
  if (unixSeconds.test(text)) return text;
  const time = parseTimestamp(text, now);
  if (Number.isNaN(time)) {
    throw new InvalidArgumentError(
      `Expected ${option} to be a duration such as 10m or 1h30m, a date such as 2024-01-02 or 2024-01-02T15:04:05Z, or unix seconds, got ${JSON.stringify(value)}`,
    );
  }
  return (time / 1000).toFixed(3);
}

/**
 * Docker's jsonmessage.RFC3339NanoFixed in local time, e.g. "2024-01-02T15:04:05.123000000Z" (or "+01:00").
 * @example formatEventTime(1704207845123) // '2024-01-02T15:04:05.123000000Z' with TZ=UTC
 */
export function formatEventTime(ms: number): string {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  const fraction = `${String(date.getMilliseconds()).padStart(3, '0')}000000`;
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${fraction}${zone}`;
}
