// Signal delivery for the process runtime. A container is one process group (the main process
// runs detached, so its pid is also the group id); these helpers signal it without ever reaching
// an unrelated process that was later given the same pid.
import { isSameProcess, listProcessGroup, pidExists, readProcessStartTime } from './proc.js';

/**
 * The main process of one container run: its pid (= its process group id) and kernel start time.
 * The start time is undefined for a process that is known to be gone once its pid is free (our
 * own child after its reap): then any process holding the pid is someone else.
 */
export interface ContainerProcess {
  pid: number;
  startTime: string | undefined;
}

// An errno-style error, so callers report `code` the same way whether the kernel or we refused.
function createErrnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/**
 * Whether group `pid` is still this container's. A group id is its leader's pid, and Linux never
 * reuses a pid while a group of that id has members; so if the pid is free, or still names our
 * process, the group is ours, and if another process holds the pid now, the group is that one's.
 */
export function ownsProcessGroup(main: ContainerProcess): boolean {
  if (!pidExists(main.pid)) return true;
  const current = readProcessStartTime(main.pid);
  return current === undefined || current === main.startTime;
}

/**
 * Sends `signal` to every process of the container. Throws the kill(2) error (ESRCH once the group
 * is empty), or ESRCH when the pid now belongs to an unrelated process.
 * @example signalProcessGroup({ pid, startTime }, 'SIGSTOP')
 */
export function signalProcessGroup(main: ContainerProcess, signal: number | NodeJS.Signals): void {
  if (!ownsProcessGroup(main)) {
    throw createErrnoError('ESRCH', `process ${main.pid} has exited and its pid now belongs to another process: nothing of the container is left to signal`);
  }
  process.kill(-main.pid, signal);
}

// kill(2) that treats "no such process" as "nothing to do": true if the signal was delivered.
function killIfPresent(target: number): boolean {
  try {
    process.kill(target, 'SIGKILL');
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * The last resort after a SIGKILL that did not land: SIGKILL the main pid (only if it is still the
 * same process, or is our own child not reaped yet), then each member of its group one by one,
 * then the group. A process already gone counts as success, like Docker's killProcessDirectly
 * (docker-lifecycle.md (c) step 4); any other error is thrown after every target has been tried.
 */
export function killProcessDirectly(main: ContainerProcess, ownUnreapedChild = false): void {
  let failure: unknown;
  const attempt = (target: number): void => {
    try {
      killIfPresent(target);
    } catch (error) {
      failure ??= error;
    }
  };
  if (ownUnreapedChild || isSameProcess(main.pid, main.startTime)) attempt(main.pid);
  if (ownUnreapedChild || ownsProcessGroup(main)) {
    for (const member of listProcessGroup(main.pid)) attempt(member);
    attempt(-main.pid);
  }
  if (failure !== undefined) throw failure;
}

/**
 * The end-of-container kill: SIGKILL whatever is left in the group. An empty group (ESRCH) or a
 * pid that now belongs to someone else means there is nothing of ours left, which is the goal.
 * For our own child not reaped yet (or reaped in the very callback that calls this) the group is
 * ours without a look at /proc.
 */
export function killRemainingProcesses(main: ContainerProcess, ownChild = false): void {
  try {
    if (ownChild) process.kill(-main.pid, 'SIGKILL');
    else signalProcessGroup(main, 'SIGKILL');
  } catch {
    // nothing left to kill
  }
}
