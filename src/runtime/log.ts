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
