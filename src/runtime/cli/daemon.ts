// `berth daemon`: the Docker Engine API over a process-runtime engine until SIGTERM or SIGINT,
// which stop every container gracefully (Docker's daemon shutdown, docker-lifecycle.md (h))
// before the server closes and the socket file goes away.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { serveApi, type ApiServer } from '../api/server.js';
import { createEngine } from '../engine.js';
import { cliLogger, type Logger } from '../log.js';

/** What `berth daemon` runs with, after its arguments and environment are read. */
interface DaemonOptions {
  host: string;
  stateDir?: string;
  logLevel: string;
}

const usage = 'Usage: berth daemon [--host unix:///path/berth.sock | tcp://127.0.0.1:PORT] [--state-dir DIR] [--log-level LEVEL]';
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Runs the daemon until SIGTERM or SIGINT; resolves with the exit code. */
export async function runDaemon(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let options: DaemonOptions;
  try {
    options = parseDaemonArgs(args, env);
  } catch (error) {
    process.stderr.write(`berth daemon: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  const logger = cliLogger({ level: options.logLevel });
  const engine = createEngine({ logger });
  let api: ApiServer;
  let stateFile: string | undefined;
  try {
    api = await serveApi(engine, { host: options.host, logger });
    if (options.stateDir) stateFile = await writeStateFile(options.stateDir, api.url);
  } catch (error) {
    process.stderr.write(`berth daemon: ${(error as Error).message}\n`);
    logger.level = 'silent'; // the engine never ran a container: its shutdown lines would only bury the error
    await engine.shutdown({ timeout: 0 });
    return 1;
  }
  process.stdout.write(`berth daemon listening on ${api.url}\nexport DOCKER_HOST=${api.url}\n`);
  const stopSignal = listenForStopSignal(logger);
  const signal = await stopSignal.received;
  logger.info({ signal }, 'stopping every container, then the API');
  const result = await engine.shutdown();
  await api.close();
  if (stateFile) await rm(stateFile, { force: true });
  stopSignal.release();
  logger.info({ forced: result.forced, remaining: result.remaining }, 'daemon stopped');
  return 0;
}

/** The daemon's options from its arguments, then BERTH_HOST, then the default socket. */
function parseDaemonArgs(args: string[], env: NodeJS.ProcessEnv): DaemonOptions {
  const options: Partial<DaemonOptions> = {};
  const flags: Record<string, keyof DaemonOptions> = { '--host': 'host', '-H': 'host', '--state-dir': 'stateDir', '--log-level': 'logLevel' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const at = arg.indexOf('=');
    const flag = at === -1 ? arg : arg.slice(0, at);
    const key = flags[flag];
    if (!key) throw new Error(`unknown option ${JSON.stringify(arg)}`);
    const value = at === -1 ? args[++i] : arg.slice(at + 1);
    if (value === undefined || value === '') throw new Error(`${flag} needs a value`);
    options[key] = value;
  }
  const logLevel = options.logLevel ?? 'info';
  if (!logLevels.includes(logLevel)) throw new Error(`--log-level must be one of ${logLevels.join(', ')}, got ${JSON.stringify(logLevel)}`);
  return { host: options.host ?? (env.BERTH_HOST || defaultHost(env)), logLevel, ...(options.stateDir ? { stateDir: options.stateDir } : {}) };
}

// Where docker users look for a per-user daemon socket, else the working directory.
function defaultHost(env: NodeJS.ProcessEnv): string {
  return `unix://${resolve(env.XDG_RUNTIME_DIR || '.', 'berth.sock')}`;
}

// pid and address for scripts and supervisors; containers are not persisted yet.
async function writeStateFile(stateDir: string, url: string): Promise<string> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
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
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return {
    received,
    release: () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
