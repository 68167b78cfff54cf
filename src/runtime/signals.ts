// Signal names and numbers as Docker accepts them: a number, or a name with or without SIG, in
// any case ("TERM", "sigterm", "15"). Invalid input is a 400 before anything else happens.
import { constants } from 'node:os';
import { InvalidArgumentError } from './errors.js';

const byName = new Map<string, number>(Object.entries(constants.signals).map(([name, number]) => [name, number]));
const byNumber = new Map<number, string>([...byName].map(([name, number]) => [number, name]));
/** Real-time signals exist on Linux up to 64, though Node names none of them. */
const maxSignal = 64;

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
  const number = byName.get(upper.startsWith('SIG') ? upper : `SIG${upper}`);
  if (number === undefined) throw invalidSignal(input);
  return number;
}

/** The name of a signal number, e.g. 15 -> "SIGTERM"; "SIG34" style for unnamed ones. */
export function signalName(signal: number): string {
  return byNumber.get(signal) ?? `SIG${signal}`;
}

function invalidSignal(input: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    `invalid signal: ${JSON.stringify(input)}: use a signal name such as SIGTERM, TERM or term, or a number from 1 to ${maxSignal}`,
  );
}
