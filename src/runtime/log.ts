// berth's own structured logs (pino): silent by default in the library, pretty in a terminal for
// the CLI. A no-op destination is used for silence because a child logger with its own level
// would otherwise still print (xstate-stack.md section 5).
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { messageOf } from '../machines/records.js';

export type { Logger };

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' }, { write() {} });
}

/** The CLI's logger: human-readable lines when `pretty` (default: stderr is a terminal), JSON lines otherwise. */
export function cliLogger(options: { level?: string; pretty?: boolean; destination?: 1 | 2 } = {}): Logger {
  const { level = 'info', destination = 2 } = options;
  const tty = destination === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  if (!(options.pretty ?? tty)) return pino({ level, base: { svc: 'berth' } }, pino.destination({ dest: destination, sync: true }));
  const stream = pretty({
    colorize: tty, translateTime: 'SYS:HH:MM:ss.l', destination, sync: true, singleLine: true,
    messageFormat: '{if container}{container}: {end}{msg}', ignore: 'pid,hostname,svc,container,cid,cmd,elapsedMs',
  });
  return pino({ level, base: { svc: 'berth' } }, stream);
}

/** What the engine logs through: pino's calls, minus the ability to throw. */
export interface EngineLog {
  info(fields: object | string, message?: string): void;
  warn(fields: object | string, message?: string): void;
  error(fields: object | string, message?: string): void;
  /** False when the level is off: the caller can skip building the line. */
  enabled(level: 'info' | 'warn' | 'error'): boolean;
}

/**
 * Wraps the embedder's logger so a failing destination (a full disk, a closed pipe) costs log
 * lines, never a container's state or the engine: a log call sits inside container event handling,
 * where a throw would stop the container's machine or, from a listener, end the process. The
 * first failure is said once on stderr.
 */
export function engineLog(logger: Logger): EngineLog {
  let failed = false;
  const at = (level: 'info' | 'warn' | 'error') => (fields: object | string, message?: string): void => {
    try {
      if (typeof fields === 'string') logger[level](fields);
      else logger[level](fields, message);
    } catch (error) {
      if (failed) return;
      failed = true;
      process.emitWarning(`berth: the logger failed (${messageOf(error)}); containers carry on, but log lines are lost`);
    }
  };
  return { info: at('info'), warn: at('warn'), error: at('error'), enabled: (level) => logger.isLevelEnabled(level) };
}
