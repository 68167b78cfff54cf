// berth's own structured logs (pino): silent by default in the library, pretty in a terminal for
// the CLI. A no-op destination is used for silence because a child logger with its own level
// would otherwise still print (xstate-stack.md section 5).
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

/** A logger that writes nothing. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' }, { write() {} });
}

/** The CLI's logger: human-readable lines on stderr when it is a terminal, JSON lines otherwise. */
export function cliLogger(level = 'info'): Logger {
  if (!process.stderr.isTTY) return pino({ level, base: { svc: 'berth' } }, pino.destination({ dest: 2, sync: true }));
  const stream = pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,svc', destination: 2, sync: true });
  return pino({ level, base: { svc: 'berth' } }, stream);
}
