// Turns what a caller passes to `engine.create` into a validated ContainerSpec, or a typed 400
// whose message names the option, what was expected and what was given (execa's style).
import { defaultTimings, type ContainerSpec, type RestartPolicy, type RestartPolicyName } from '../machines/spec.js';
import { InvalidArgumentError } from './errors.js';
import type { LogOptions } from './output.js';
import { parseSignal } from './signals.js';

/** The options of `engine.create`. Timeouts are seconds, as in Docker. */
export interface CreateOptions {
  /** Unique; generated when absent. Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ */
  name?: string;
  /** Exec form (an argv array, no shell) or shell form (a string, run by /bin/sh -c). */
  cmd: string[] | string;
  env?: Record<string, string> | string[];
  cwd?: string;
  stopSignal?: string | number;
  /** Seconds to wait after the stop signal before SIGKILL; negative waits forever. */
  stopTimeout?: number;
  /** "no", "always", "unless-stopped", "on-failure" or "on-failure:N", or the object form. */
  restart?: string | { name: RestartPolicyName; maximumRetryCount?: number };
  init?: boolean;
  labels?: Record<string, string>;
  image?: string;
  autoRemove?: boolean;
}

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const policyNames: RestartPolicyName[] = ['no', 'always', 'unless-stopped', 'on-failure'];

/** Validates create options into a spec; throws InvalidArgumentError on any bad field. */
export function toContainerSpec(options: CreateOptions, id: string, now: number): ContainerSpec {
  if (options === null || typeof options !== 'object') throw invalid('the create options', 'an object', options);
  const restart = parseRestartPolicy(options.restart);
  const autoRemove = optionalBoolean('autoRemove', options.autoRemove);
  if (autoRemove && restart.name !== 'no') {
    throw new InvalidArgumentError(`can't create 'AutoRemove' container with restart policy: use autoRemove or restart "${restart.name}", not both`);
  }
  return {
    id,
    name: options.name === undefined ? generateName(id) : parseName(options.name),
    cmd: parseCommand(options.cmd),
    env: parseProcessEnv(options.env),
    cwd: options.cwd === undefined ? undefined : withoutNul('`cwd`', nonEmptyString('cwd', options.cwd)),
    stopSignal: options.stopSignal === undefined ? undefined : parseSignal(options.stopSignal),
    stopTimeoutMs: options.stopTimeout === undefined ? undefined : parseTimeoutSeconds('stopTimeout', options.stopTimeout),
    restart,
    autoRemove,
    init: optionalBoolean('init', options.init),
    labels: parseStringMap('labels', options.labels),
    image: options.image === undefined ? '' : String(options.image),
    createdAt: now,
  };
}

/** Seconds (possibly fractional, possibly negative) to milliseconds; rejects NaN, Infinity, non-numbers. */
export function parseTimeoutSeconds(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`\`${option}\``, 'a finite number of seconds (negative waits forever)', value);
  }
  return Math.round(value * 1000);
}

/**
 * The engine's own options that are numbers: stop-ladder timings in milliseconds (a negative
 * default stop timeout waits forever, as a stop's own does) and sizes. A NaN or negative wait
 * would make its timer fire at once.
 * @example parseEngineNumbers({ timings: { killWaitMs: 500 }, logBufferBytes: 65536 })
 */
export function parseEngineNumbers(options: { timings?: Partial<Record<string, unknown>>; eventQueueSize?: unknown; eventHistorySize?: unknown; logBufferBytes?: unknown }): void {
  for (const [key, value] of Object.entries(options.timings ?? {})) {
    if (value === undefined) continue;
    if (!(key in defaultTimings)) throw new InvalidArgumentError(`unknown timing \`${key}\`: use ${Object.keys(defaultTimings).join(', ')}`);
    const least = key === 'defaultStopTimeoutMs' ? -Infinity : 0;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < least) {
      throw invalid(`\`timings.${key}\``, least === 0 ? 'a finite number of milliseconds, 0 or more' : 'a finite number of milliseconds (negative waits forever)', value);
    }
  }
  for (const [key, least] of [['eventQueueSize', 1], ['eventHistorySize', 0], ['logBufferBytes', 1]] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < least)) throw invalid(`\`${key}\``, `a whole number, ${least} or more`, value);
  }
}

/**
 * `engine.logs` options, checked: a tail that is not a whole number or a `since` that is not a
 * time would otherwise quietly return every line, or none.
 * @example parseLogOptions({ tail: 10 }) // { tail: 10 }
 */
export function parseLogOptions(options: LogOptions): LogOptions {
  if (options === null || typeof options !== 'object') throw invalid('the logs options', 'an object', options);
  const { stdout, stderr, tail, since, until } = options as Record<keyof LogOptions, unknown>;
  for (const [key, value] of [['stdout', stdout], ['stderr', stderr]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw invalid(`\`${key}\``, 'true or false', value);
  }
  if (tail !== undefined && (typeof tail !== 'number' || !Number.isInteger(tail))) throw invalid('`tail`', 'a whole number of lines (negative: all)', tail);
  for (const [key, value] of [['since', since], ['until', until]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) throw invalid(`\`${key}\``, 'a time in epoch milliseconds', value);
  }
  return options;
}

/** Docker's restart policy strings, e.g. "on-failure:3". */
export function parseRestartPolicy(value: CreateOptions['restart']): RestartPolicy {
  if (value === undefined || value === '') return { name: 'no', maximumRetryCount: 0 };
  const [name, count] = typeof value === 'string' ? splitPolicy(value) : [value.name, value.maximumRetryCount];
  if (!policyNames.includes(name as RestartPolicyName)) {
    throw invalid('`restart`', `one of ${policyNames.join(', ')} (on-failure may add :N)`, value);
  }
  if (count !== undefined && count !== 0 && name !== 'on-failure') {
    throw new InvalidArgumentError(`invalid restart policy: maximum retry count can only be used with 'on-failure', got ${JSON.stringify(value)}`);
  }
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
    throw invalid('the restart policy\'s maximum retry count', 'an integer of 0 or more', count);
  }
  return { name: name as RestartPolicyName, maximumRetryCount: count ?? 0 };
}

function splitPolicy(text: string): [string, number | undefined] {
  const [name = '', count] = text.split(':');
  return [name, count === undefined ? undefined : /^\d+$/.test(count) ? Number(count) : Number.NaN];
}

/** A container name as Docker accepts it (a leading slash is dropped); a 400 otherwise. */
export function parseName(value: unknown): string {
  const name = typeof value === 'string' && value.startsWith('/') ? value.slice(1) : value;
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw invalid('`name`', 'at least two characters matching [a-zA-Z0-9][a-zA-Z0-9_.-]+', value);
  }
  return name;
}

function parseCommand(value: unknown): string[] | string {
  if (typeof value === 'string') {
    if (value.trim() === '') throw invalid('`cmd`', 'a non-empty command', value);
    return withoutNul('`cmd`', value);
  }
  if (Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === 'string') && value[0] !== '') {
    return value.map((part, index) => withoutNul(`\`cmd[${index}]\``, part));
  }
  throw invalid('`cmd`', 'a non-empty array of strings (exec form) or a non-empty string (shell form)', value);
}

// A process's arguments, environment and working directory are C strings: a NUL would end them
// early, so the start would fail. Refused here, where the caller can still fix it.
function withoutNul(what: string, value: string): string {
  if (value.includes('\0')) throw invalid(what, 'a string without NUL characters (\\0): the kernel takes C strings', value);
  return value;
}

function parseProcessEnv(value: unknown): Record<string, string> {
  const env = parseEnv(value);
  for (const [key, entry] of Object.entries(env)) {
    if (key === '' || key.includes('=')) throw invalid('an `env` name', 'a name without "=" (NAME=value)', key);
    withoutNul(`\`env.${key}\``, key);
    withoutNul(`\`env.${key}\``, entry);
  }
  return env;
}

function parseEnv(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (Array.isArray(value)) {
    const env: Record<string, string> = {};
    for (const entry of value) {
      if (typeof entry !== 'string' || entry === '' || entry.startsWith('=')) throw invalid('an `env` entry', '"NAME=value"', entry);
      const at = entry.indexOf('=');
      if (at === -1) continue; // Docker: "NAME" alone passes the daemon's value; berth has none to pass.
      env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return env;
  }
  return parseStringMap('env', value);
}

function parseStringMap(option: string, value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(`\`${option}\``, 'an object of strings', value);
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw invalid(`\`${option}.${key}\``, 'a string', entry);
  }
  return { ...(value as Record<string, string>) };
}

function nonEmptyString(option: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid(`\`${option}\``, 'a non-empty string', value);
  return value;
}

function optionalBoolean(option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(`\`${option}\``, 'true or false', value);
  return value;
}

function invalid(what: string, expected: string, got: unknown): InvalidArgumentError {
  // JSON would show NaN, Infinity and -Infinity as null.
  const shown = typeof got === 'number' ? String(got) : typeof got === 'string' ? JSON.stringify(got) : String(JSON.stringify(got) ?? got);
  return new InvalidArgumentError(`Expected ${what} to be ${expected}, got ${shown} (${Array.isArray(got) ? 'array' : typeof got})`);
}

const adjectives = ['brave', 'calm', 'eager', 'gentle', 'jolly', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'steady', 'swift'];
const sailors = ['bly', 'cook', 'drake', 'earhart', 'hopper', 'magellan', 'nansen', 'shackleton', 'slocum', 'tasman', 'vespucci', 'zheng'];

// Docker names unnamed containers adjective_surname; berth does the same, from the id, so it is stable.
function generateName(id: string): string {
  const a = parseInt(id.slice(0, 4), 16), b = parseInt(id.slice(4, 8), 16);
  return `${adjectives[a % adjectives.length]}_${sailors[b % sailors.length]}_${id.slice(8, 12)}`;
}
