// Docker's time arguments (timetypes.GetTimestamp), read the same way by berth's client for
// `--since`/`--until` and by the daemon for filters such as prune's `until`.

const durationUnitsMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const goDuration = /^([-+]?)((?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;

/** Unix seconds with up to nine fraction digits, as the API takes them. */
export const unixSeconds = /^\d+(?:\.\d{1,9})?$/;

/**
 * A time argument as epoch milliseconds, or NaN when it is none of Docker's forms: a Go duration
 * before `now` ("10m", "1h30m", "0s"; negative is in the future), an RFC 3339 date or date-time
 * (local time unless it names a zone), or unix seconds.
 * @example parseTimestamp('10m', Date.parse('2024-01-01T00:10:00Z')) // 1704067200000
 */
export function parseTimestamp(value: string, now = Date.now()): number {
  const text = value.trim();
  if (unixSeconds.test(text)) return Number(text) * 1000;
  const duration = goDuration.exec(text);
  if (duration) {
    const [, sign, parts = ''] = duration;
    let ms = 0;
    for (const [, amount = '0', unit = 's'] of parts.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) ms += Number(amount) * durationUnitsMs[unit]!;
    return now - (sign === '-' ? -ms : ms);
  }
  return parseDate(text);
}

// JavaScript reads a bare date as UTC and rejects "T15" without minutes; Go (and docker) read both
// in local time. A date-time without a zone is local in JavaScript too.
function parseDate(text: string): number {
  if (!/^\d{4}-\d\d-\d\d/.test(text)) return Number.NaN;
  return Date.parse((text.length === 10 ? `${text}T00:00:00` : text).replace(/(T\d\d)(?=$|[zZ+-])/, '$1:00'));
}
