// Carries out one runtime command (signal, freeze, thaw) against a container's process group and
// says how it went, as the report the container machine waits for.
import type { RuntimeCommand, RuntimeReport } from '../machines/protocol.js';
import { killProcessDirectly, signalProcessGroup, type ContainerProcess } from './kill.js';

/** The run a command is aimed at: `main` is undefined when the process never started. */
export interface CommandTarget {
  containerId: string;
  generation: number;
  main: ContainerProcess | undefined;
  /** The main process has exited: from then on every signal goes to what is left of the group. */
  exited: boolean;
  /**
   * The main process is this engine's own child and not reaped yet, so its pid, and the group id
   * that is the same number, cannot have been given to anyone else: no /proc check is needed.
   */
  unreaped: boolean;
}

/**
 * Applies a command and returns its report, if one is due (a delivered signal only with `ack`).
 * Never throws: a refused kill(2) becomes signalFailed (with its errno code) or freezeFailed.
 * @example runCommand(target, { type: 'signal', seq: 1, signal: 15, scope: 'main', ack: true })
 */
export function runCommand(target: CommandTarget, command: RuntimeCommand): RuntimeReport | undefined {
  const { containerId, generation, main } = target;
  if (command.type === 'signal') {
    const seq = command.seq;
    if (main === undefined) {
      return { type: 'runtime.signalFailed', generation, seq, code: 'ESRCH', message: `container ${containerId} has no process to signal: it never started` };
    }
    try {
      if (command.direct === true) killProcessDirectly(main, target.unreaped);
      else if (command.scope === 'main' && !target.exited) process.kill(main.pid, command.signal);
      else if (target.unreaped) process.kill(-main.pid, command.signal);
      else signalProcessGroup(main, command.signal);
      return command.ack ? { type: 'runtime.signalDelivered', generation, seq } : undefined;
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      return { type: 'runtime.signalFailed', generation, seq, code: code ?? 'EUNKNOWN', message: `could not send signal ${command.signal} to container ${containerId} (pid ${main.pid}): ${message}` };
    }
  }
  if (main === undefined) {
    return { type: 'runtime.freezeFailed', generation, message: `container ${containerId} has no process to ${command.type}: it never started` };
  }
  // SIGSTOP cannot be caught or ignored, so it stops every process of the group; SIGCONT resumes them.
  try {
    const signal = command.type === 'freeze' ? 'SIGSTOP' : 'SIGCONT';
    if (target.unreaped) process.kill(-main.pid, signal);
    else signalProcessGroup(main, signal);
    return command.type === 'freeze' ? { type: 'runtime.frozen', generation } : { type: 'runtime.thawed', generation };
  } catch (error) {
    return { type: 'runtime.freezeFailed', generation, message: `could not ${command.type} container ${containerId} (pid ${main.pid}): ${(error as Error).message}` };
  }
}
