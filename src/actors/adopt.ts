// Re-adoption after an engine restart: the container's main process still runs (same pid, same
// start time) but is no longer berth's child, so its exit is observed by polling /proc and its
// exit status cannot be read; the report says so instead of inventing one.
import type { RuntimeCommand, RuntimeInput, RuntimeReport } from '../machines/protocol.js';
import { runCommand } from './commands.js';
import { killRemainingProcesses, type ContainerProcess } from './kill.js';
import type { LogFollower } from './log-files.js';
import { isProcessAlive, isSameProcess } from './proc.js';

/** How often an adopted process is checked for its exit. */
export const adoptPollMs = 100;

/** The exit code reported for an adopted process whose status could not be read. */
export const unknownExitCode = -1;

/** Supervises an adopted process with the runtime protocol, following its output files if given; returns the cleanup. */
export function superviseAdopted(
  input: RuntimeInput & { adopt: { pid: number; startTime: string } },
  sendBack: (report: RuntimeReport) => void,
  receive: (listener: (command: RuntimeCommand) => void) => void,
  follower?: LogFollower,
): () => void {
  const { spec, generation } = input;
  const main: ContainerProcess = { pid: input.adopt.pid, startTime: input.adopt.startTime };
  let active = true;
  let exited = false;
  const report = (event: RuntimeReport) => {
    if (active) sendBack(event);
  };
  const check = () => {
    if (exited || (isSameProcess(main.pid, main.startTime) && isProcessAlive(main.pid))) return;
    exited = true;
    clearInterval(timer);
    killRemainingProcesses(main);
    follower?.drain();
    follower?.close();
    report({ type: 'runtime.exited', generation, exitCode: unknownExitCode, statusUnknown: true });
  };
  const timer = setInterval(check, adoptPollMs);
  report({ type: 'runtime.started', generation, pid: main.pid });
  receive((command) => {
    // Not our child: a recycled pid is possible, so every group signal checks the start time.
    const outcome = runCommand({ containerId: spec.id, generation, main, exited, unreaped: false }, command);
    if (outcome) report(outcome);
    check();
  });
  return () => {
    active = false;
    clearInterval(timer);
    if (!exited) killRemainingProcesses(main);
    follower?.close();
  };
}
