// `berth daemon`: the Docker Engine API over a process-runtime engine until SIGTERM or SIGINT,
// which stop every container gracefully (Docker's daemon shutdown, docker-lifecycle.md (h))
// before the server closes and the socket file goes away.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectory } from '../../actors/make-directory.js';
import { serveApi, type ApiServer } from '../api/server.js';
import { createEngine, type Engine } from '../engine.js';
import { cliLogger, type Logger } from '../log.js';
import { resolveHost } from './client/host.js';
import { createWatchers, splitWatchOptions, type Watchers } from '../viewer/watch.js';

/** What `berth daemon` runs with, after its arguments and environment are read. */
interface DaemonOptions {
  host: string;
  stateDir?: string;
  logLevel: string;
  runtime: 'process' | 'runc';
}

const usage = 'Usage: berth daemon [--host unix:///path/berth.sock | tcp://127.0.0.1:PORT] [--runtime process|runc] [--state-dir DIR] [--log-level LEVEL] [--ui [PORT]] [--inspect [PORT]]';
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Runs the daemon until SIGTERM or SIGINT; resolves with the exit code. */
export async function runDaemon(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let options: DaemonOptions;
  let watchers: Watchers; // --ui: the berth viewer; --inspect: the Stately inspector relay
  try {
    const [watch, rest] = splitWatchOptions(args);
    options = parseDaemonArgs(rest, env);
    watchers = createWatchers(watch);
  } catch (error) {
    process.stderr.write(`berth daemon: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const logger = cliLogger({ level: options.logLevel });
  let engine: Engine;
  try {
    // The process runtime keeps its containers in the state dir (default: next to the socket), so
    // a restarted daemon on the same address adopts what still runs.
    const stateDir = options.stateDir ?? (options.runtime === 'process' ? defaultStateDir(options.host) : undefined);
    engine = createEngine({ logger, runtime: options.runtime, ...(stateDir ? { stateDir } : {}), ...watchers.engineOptions });
    if (stateDir) options.stateDir = stateDir;
  } catch (error) {
    // runc missing, or not root: say so at once, before anything listens.
    process.stderr.write(`berth daemon: ${(error as Error).message}\n`);
    return 1;
  }
  let api: ApiServer;
  let stateFile: string | undefined;
  let watching = '';
  try {
    api = await serveApi(engine, { host: options.host, logger });
    watching = await watchers.listen(engine, logger).catch(async (error: unknown) => { await api.close(); throw error; });
    if (options.stateDir) stateFile = await writeStateFile(options.stateDir, api.url);
  } catch (error) {
    process.stderr.write(`berth daemon: ${(error as Error).message}\n`);
    logger.level = 'silent'; // the engine never ran a container: its shutdown lines would only bury the error
    await engine.shutdown({ timeout: 0 });
    return 1;
  }
  process.stdout.write(`berth daemon listening on ${api.url}\nexport DOCKER_HOST=${api.url}\n${watching}`);
  const stopSignal = listenForStopSignal(logger);
  const signal = await stopSignal.received;
  logger.info({ signal }, 'stopping every container, then the API');
  const result = await engine.shutdown();
  await api.close();
  await watchers.close();
  if (stateFile) await rm(stateFile, { force: true });
  stopSignal.release();
  logger.info({ forced: result.forced, remaining: result.remaining }, 'daemon stopped');
  return 0;
}

/** The daemon's options from its arguments, then BERTH_HOST, then the default socket. */
function parseDaemonArgs(args: string[], env: NodeJS.ProcessEnv): DaemonOptions {
  const options: Partial<DaemonOptions> = {};
  const flags: Record<string, keyof DaemonOptions> = { '--host': 'host', '-H': 'host', '--state-dir': 'stateDir', '--log-level': 'logLevel', '--runtime': 'runtime' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const at = arg.indexOf('=');
    const flag = at === -1 ? arg : arg.slice(0, at);
    const key = flags[flag];
    if (!key) throw new Error(`unknown option ${JSON.stringify(arg)}`);
    const value = at === -1 ? args[++i] : arg.slice(at + 1);
    if (value === undefined || value === '') throw new Error(`${flag} needs a value`);
    (options as Record<string, string>)[key] = value;
  }
  const runtime = options.runtime ?? 'process';
  if (runtime !== 'process' && runtime !== 'runc') throw new Error(`--runtime must be process or runc, got ${JSON.stringify(runtime)}`);
  const logLevel = options.logLevel ?? 'info';
  if (!logLevels.includes(logLevel)) throw new Error(`--log-level must be one of ${logLevels.join(', ')}, got ${JSON.stringify(logLevel)}`);
  return { host: resolveHost(options.host, env), logLevel, runtime, ...(options.stateDir ? { stateDir: options.stateDir } : {}) };
}

// The state dir of a daemon started without --state-dir: `<socket>.state`, else XDG's state home.
function defaultStateDir(host: string): string {
  if (host.startsWith('unix://')) return `${host.slice('unix://'.length)}.state`;
  const base = process.env.XDG_STATE_HOME || join(process.env.HOME || '.', '.local', 'state');
  return join(base, 'berth', host.replace(/[^a-zA-Z0-9.-]+/g, '_'));
}

// pid and address for scripts and supervisors.
async function writeStateFile(stateDir: string, url: string): Promise<string> {
  makeDirectory(stateDir, 0o700);
  const file = join(stateDir, 'daemon.json');
  await writeFile(file, `${JSON.stringify({ pid: process.pid, host: url, startedAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
  return file;
}

// Own handlers, not the engine's handleSignals (which re-raises the signal): the daemon exits 0.
// They stay installed while shutting down so a second signal cannot kill the daemon half-way.
function listenForStopSignal(logger: Logger): { received: Promise<NodeJS.Signals>; release(): void } {
  let first: NodeJS.Signals | undefined;
  let resolve!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((settle) => { resolve = settle; });
  const onSignal = (signal: NodeJS.Signals) => {
    if (first) {
      logger.warn({ signal }, 'already stopping: each container gets its stop timeout, within the shutdown budget');
      return;
    }
    first = signal;
    resolve(signal);
  };
  // SIGHUP would end the daemon at once, leaving its containers unmanaged until the next one
  // adopts them: closing the terminal it runs in must not do that. dockerd reloads its
  // configuration on SIGHUP; berth has none to reload, so it says so and carries on.
  const onHangup = () => logger.warn('SIGHUP: berth has no configuration to reload, so it carries on (the terminal may have closed); stop the daemon with SIGTERM or Ctrl-C');
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onHangup);
  return {
    received,
    release: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('SIGHUP', onHangup);
    },
  };
}
