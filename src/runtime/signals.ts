// Signal names and numbers as Docker accepts them: a number, or a name with or without SIG, in
// any case ("TERM", "sigterm", "15"). Invalid input is a 400 before anything else happens.
import { constants } from 'node:os';
import { InvalidArgumentError } from './errors.js';

const byName = new Map<string, number>(Object.entries(constants.signals).map(([name, number]) => [name, number]));
const byNumber = new Map<number, string>([...byName].map(([name, number]) => [number, name]));
/** Real-time signals exist on Linux up to 64, though Node names none of them. */
const maxSignal = 64;
/** Docker's names for them (moby's signal map): RTMIN = 34 (glibc keeps 32 and 33), RTMIN+1 to RTMIN+15, RTMAX-14 to RTMAX-1, RTMAX = 64. */
const rtmin = 34;

/**
 * Parses a signal given by name or number into its number.
 * @example
 * parseSignal('term') // 15
 * parseSignal('SIGKILL') // 9
 * parseSignal(10) // 10
 */
export function parseSignal(input: string | number): number {
  const text = String(input).trim();
  if (/^\d+$/.test(text)) {
    const number = Number(text);
    if (number >= 1 && number <= maxSignal) return number;
    throw invalidSignal(input);
  }
  const upper = text.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  const number = byName.get(name) ?? realTimeSignal(name);
  if (number === undefined) throw invalidSignal(input);
  return number;
}

// SIGRTMIN, SIGRTMIN+n (n up to 15), SIGRTMAX-n (n up to 14), SIGRTMAX, as Docker names them.
function realTimeSignal(name: string): number | undefined {
  const match = /^SIGRT(MIN|MAX)(?:([+-])(\d+))?$/.exec(name);
  if (!match) return undefined;
  const [, end, sign, offset] = match;
  const n = Number(offset ?? 0);
  if (end === 'MIN' && (sign === undefined || (sign === '+' && n >= 1 && n <= 15))) return rtmin + n;
  if (end === 'MAX' && (sign === undefined || (sign === '-' && n >= 1 && n <= 14))) return maxSignal - n;
  return undefined;
}

/** The name of a signal number, e.g. 15 -> "SIGTERM", 36 -> "SIGRTMIN+2"; "SIG33" style for unnamed ones. */
export function signalName(signal: number): string {
  const named = byNumber.get(signal);
  if (named) return named;
  if (signal === rtmin) return 'SIGRTMIN';
  if (signal > rtmin && signal <= rtmin + 15) return `SIGRTMIN+${signal - rtmin}`;
  if (signal > rtmin + 15 && signal < maxSignal) return `SIGRTMAX-${maxSignal - signal}`;
  if (signal === maxSignal) return 'SIGRTMAX';
  return `SIG${signal}`;
}

function invalidSignal(input: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    `invalid signal: ${JSON.stringify(input)}: use a signal name such as SIGTERM, TERM or term (or RTMIN+3), or a number from 1 to ${maxSignal}`,
  );
}
