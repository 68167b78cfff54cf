// Reads a Compose file (berth.yaml, compose.yaml, docker-compose.yaml) into a Project: the
// lifecycle subset of the format, validated, every error naming the file, line and key.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { InvalidArgumentError } from '../errors.js';
import { parseSignal } from '../signals.js';
import { parseDuration } from './duration.js';
import { orderServices } from './order.js';
import type { DependencyCondition, Healthcheck, Project, Service, SignalRoute } from './project.js';

/** The files `berth up` looks for, in order, when no -f is given. */
export const defaultComposeFiles = ['berth.yaml', 'compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** A Compose file berth cannot run; the message names the file, line and key. */
export class ComposeError extends InvalidArgumentError {}
Object.defineProperty(ComposeError.prototype, 'name', { value: 'ComposeError' });

// Keys that change how a service runs which berth does not do: reported, not silently dropped.
const unsupportedLifecycleKeys = ['deploy', 'scale', 'user', 'privileged', 'pid', 'tty', 'stdin_open', 'cap_add', 'ulimits', 'oom_kill_disable', 'stop_timeout'];
const knownKeys = new Set(['image', 'command', 'entrypoint', 'environment', 'env_file', 'working_dir', 'stop_signal', 'stop_grace_period',
  'restart', 'init', 'labels', 'depends_on', 'healthcheck', 'container_name']);
const conditions: DependencyCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

/** Finds the Compose file: the one given, else the first of defaultComposeFiles in `dir`. */
export function findComposeFile(file: string | undefined, dir = process.cwd()): string {
  if (file) {
    const path = resolve(dir, file);
    if (!existsSync(path)) throw new ComposeError(`${file}: no such file`);
    return path;
  }
  const found = defaultComposeFiles.map((name) => resolve(dir, name)).find((path) => existsSync(path));
  if (!found) throw new ComposeError(`no ${defaultComposeFiles.join(', ')} in ${dir}: write one, or give its path with -f FILE`);
  return found;
}

/** Reads and validates a Compose file. */
export function loadProject(path: string): Project {
  const text = readFileSync(path, 'utf8');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const file = basename(path);
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw new ComposeError(`${file}:${lines.linePos(error.pos[0]).line}: not valid YAML: ${error.message.split('\n')[0]}`);
  }
  const at = (keys: Array<string | number>, message: string): never => {
    throw new ComposeError(`${file}:${lineOf(doc, lines, keys)}: ${keys.join('.')}: ${message}`);
  };
  const root = doc.toJS() as unknown;
  if (!isMap(root) || !isMap(root.services)) at(['services'], 'expected a map of services');
  const top = root as { services: Record<string, unknown>; name?: unknown; 'x-berth'?: unknown };
  const warnings: string[] = [];
  const ignored = new Set<string>();
  const services: Service[] = [];
  for (const [name, raw] of Object.entries(top.services)) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name)) at(['services', name], 'a service name uses letters, digits, _, . and - only');
    if (!isMap(raw)) at(['services', name], 'expected a map');
    services.push(readService(name, raw as Record<string, unknown>, dirname(path), at, warnings, ignored));
  }
  for (const service of services) {
    for (const dependency of service.dependsOn) {
      if (!top.services[dependency.service]) at(['services', service.name, 'depends_on'], `depends on "${dependency.service}", which is not a service of this file`);
    }
  }
  if (ignored.size > 0) warnings.push(`ignored (not about the lifecycle): ${[...ignored].sort().join(', ')}`);
  const projectName = typeof top.name === 'string' ? top.name : basename(dirname(path)).toLowerCase().replace(/[^a-z0-9_-]/g, '') || 'berth';
  return {
    name: projectName,
    file: path,
    services: orderServices(services, (cycle) => at(['services', cycle[0]!, 'depends_on'], `dependency cycle: ${cycle.join(' -> ')}`)),
    signals: readSignals(top['x-berth'], at, Object.keys(top.services)),
    warnings,
  };
}

type At = (keys: Array<string | number>, message: string) => never;

function readService(name: string, raw: Record<string, unknown>, dir: string, at: At, warnings: string[], ignored: Set<string>): Service {
  const key = (k: string) => ['services', name, k];
  for (const k of Object.keys(raw)) {
    if (unsupportedLifecycleKeys.includes(k)) warnings.push(`services.${name}.${k} is not supported by berth: the service runs without it`);
    else if (!knownKeys.has(k)) ignored.add(`services.${name}.${k}`);
  }
  const command = readCommand(raw.command, key('command'), at);
  const entrypoint = readCommand(raw.entrypoint, key('entrypoint'), at);
  const cmd = combine(entrypoint, command) ?? at(key('command'), 'give a command (a string for shell form, a list for exec form)');
  const env = { ...readEnvFiles(raw.env_file, dir, key('env_file'), at), ...readPairs(raw.environment, key('environment'), at) };
  const stopTimeout = raw.stop_grace_period === undefined ? undefined : seconds(raw.stop_grace_period, key('stop_grace_period'), at);
  if (raw.stop_signal !== undefined) guard(() => parseSignal(String(raw.stop_signal)), key('stop_signal'), at);
  if (raw.restart !== undefined && (typeof raw.restart !== 'string' || !/^(no|always|unless-stopped|on-failure(:\d+)?)$/.test(raw.restart))) {
    at(key('restart'), `expected no, always, unless-stopped or on-failure[:N], got ${JSON.stringify(raw.restart)}`);
  }
  if (raw.init !== undefined && typeof raw.init !== 'boolean') at(key('init'), 'expected true or false');
  if (raw.working_dir !== undefined && typeof raw.working_dir !== 'string') at(key('working_dir'), 'expected a path');
  return {
    name,
    container: {
      cmd,
      env,
      image: typeof raw.image === 'string' ? raw.image : '',
      labels: readPairs(raw.labels, key('labels'), at),
      ...(raw.working_dir ? { cwd: resolve(dir, raw.working_dir as string) } : {}),
      ...(raw.stop_signal !== undefined ? { stopSignal: String(raw.stop_signal) } : {}),
      ...(stopTimeout !== undefined ? { stopTimeout } : {}),
      ...(raw.restart !== undefined ? { restart: raw.restart as string } : {}),
      ...(raw.init !== undefined ? { init: raw.init as boolean } : {}),
    },
    dependsOn: readDependsOn(raw.depends_on, key('depends_on'), at),
    ...(readHealthcheck(raw.healthcheck, key('healthcheck'), at) ?? {}),
  };
}

function readCommand(value: unknown, keys: Array<string | number>, at: At): string[] | string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && value.trim()) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((part) => typeof part === 'string' || typeof part === 'number')) return value.map(String);
  return at(keys, 'expected a string (shell form) or a non-empty list (exec form)');
}

// Compose: the command is appended to the entrypoint; a shell-form entrypoint takes no arguments.
function combine(entrypoint: string[] | string | undefined, command: string[] | string | undefined): string[] | string | undefined {
  if (entrypoint === undefined) return command;
  if (typeof entrypoint === 'string') return entrypoint;
  if (command === undefined) return entrypoint;
  return [...entrypoint, ...(typeof command === 'string' ? ['/bin/sh', '-c', command] : command)];
}

function readPairs(value: unknown, keys: Array<string | number>, at: At): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    const pairs: Record<string, string> = {};
    for (const [i, entry] of value.entries()) {
      if (typeof entry !== 'string' || !/^[^=]+(=|$)/.test(entry)) at([...keys, i], 'expected "KEY=value"');
      const split = (entry as string).indexOf('=');
      if (split !== -1) pairs[(entry as string).slice(0, split)] = (entry as string).slice(split + 1);
    }
    return pairs;
  }
  if (!isMap(value)) return at(keys, 'expected a map or a list of "KEY=value"');
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function readEnvFiles(value: unknown, dir: string, keys: Array<string | number>, at: At): Record<string, string> {
  if (value === undefined) return {};
  const files = typeof value === 'string' ? [value] : Array.isArray(value) ? value : at(keys, 'expected a path or a list of paths');
  const env: Record<string, string> = {};
  for (const [i, file] of (files as unknown[]).entries()) {
    const path = resolve(dir, typeof file === 'string' ? file : isMap(file) && typeof file.path === 'string' ? file.path : at([...keys, i], 'expected a path'));
    if (!existsSync(path)) at([...keys, i], `${path}: no such file`);
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const text = line.trim();
      if (!text || text.startsWith('#')) continue;
      const split = text.indexOf('=');
      if (split > 0) env[text.slice(0, split).trim()] = text.slice(split + 1).trim().replace(/^(["'])(.*)\1$/, '$2');
    }
  }
  return env;
}

function readDependsOn(value: unknown, keys: Array<string | number>, at: At): Service['dependsOn'] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map((service, i) => typeof service === 'string' ? { service, condition: 'service_started' as const } : at([...keys, i], 'expected a service name'));
  if (!isMap(value)) return at(keys, 'expected a list of services or a map of service: { condition }');
  return Object.entries(value).map(([service, spec]) => {
    const condition = isMap(spec) && spec.condition !== undefined ? spec.condition : 'service_started';
    if (!conditions.includes(condition as DependencyCondition)) at([...keys, service, 'condition'], `expected one of ${conditions.join(', ')}`);
    return { service, condition: condition as DependencyCondition };
  });
}

function readHealthcheck(value: unknown, keys: Array<string | number>, at: At): { healthcheck: Healthcheck } | undefined {
  if (value === undefined) return undefined;
  if (!isMap(value)) return at(keys, 'expected a map');
  if (value.disable === true) return undefined;
  const test = value.test;
  let command: string[] | string;
  if (typeof test === 'string') command = test;
  else if (Array.isArray(test) && test[0] === 'CMD' && test.length > 1) command = test.slice(1).map(String);
  else if (Array.isArray(test) && test[0] === 'CMD-SHELL' && typeof test[1] === 'string') command = test[1];
  else if (Array.isArray(test) && test[0] === 'NONE') return undefined;
  else return at([...keys, 'test'], 'expected a string, ["CMD", ...], ["CMD-SHELL", "command"] or ["NONE"]');
  const duration = (k: string, fallbackMs: number) => value[k] === undefined ? fallbackMs : Math.round(seconds(value[k], [...keys, k], at) * 1000);
  const retries = value.retries === undefined ? 3 : value.retries;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 1) at([...keys, 'retries'], 'expected a whole number of 1 or more');
  // Compose's defaults: every 30 s, 30 s timeout, 3 retries, no start period.
  return { healthcheck: { test: command, intervalMs: duration('interval', 30_000), timeoutMs: duration('timeout', 30_000), retries: retries as number, startPeriodMs: duration('start_period', 0) } };
}

// berth up owns its services: no daemon keeps them once it is gone. So the signals that would end
// it by default stop them first: SIGTERM, Ctrl-C, the terminal closing (SIGHUP) and Ctrl-\ (SIGQUIT).
const defaultSignalRoutes: [string, SignalRoute][] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'].map((signal) => [signal, { action: 'stop' }]);

function readSignals(value: unknown, at: At, serviceNames: string[]): Map<string, SignalRoute> {
  const routes = new Map<string, SignalRoute>(defaultSignalRoutes);
  if (value === undefined) return routes;
  if (!isMap(value)) return at(['x-berth'], 'expected a map');
  const signals = value.signals;
  if (signals === undefined) return routes;
  if (!isMap(signals)) return at(['x-berth', 'signals'], 'expected a map of SIGNAL: stop | ignore | forward | { forward: [services] }');
  for (const [name, route] of Object.entries(signals)) {
    const keys = ['x-berth', 'signals', name];
    const signal = guard(() => parseSignal(name), keys, at);
    const signalKey = `SIG${name.toUpperCase().replace(/^SIG/, '')}`;
    if (signal === 9 || signal === 19) at(keys, 'SIGKILL and SIGSTOP cannot be caught');
    if (route === 'stop' || route === 'ignore') routes.set(signalKey, { action: route });
    else if (route === 'forward') routes.set(signalKey, { action: 'forward', services: 'all' });
    else if (isMap(route) && Array.isArray(route.forward) && route.forward.every((s) => typeof s === 'string' && serviceNames.includes(s))) {
      routes.set(signalKey, { action: 'forward', services: route.forward as string[] });
    } else at(keys, `expected stop, ignore, forward or { forward: [services of this file] }, got ${JSON.stringify(route)}`);
  }
  return routes;
}

function seconds(value: unknown, keys: Array<string | number>, at: At): number {
  const ms = parseDuration(value);
  return ms === undefined ? at(keys, `expected a duration like 10s, 1m30s or 500ms, got ${JSON.stringify(value)}`) : ms / 1000;
}

function guard<T>(fn: () => T, keys: Array<string | number>, at: At): T {
  try {
    return fn();
  } catch (error) {
    return at(keys, (error as Error).message);
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// The line of the deepest node of `keys` that exists in the document.
function lineOf(doc: Document, lines: LineCounter, keys: Array<string | number>): number {
  for (let depth = keys.length; depth > 0; depth--) {
    const node = doc.getIn(keys.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return 1;
}
