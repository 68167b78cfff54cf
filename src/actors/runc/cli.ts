// The runc command line, as the runc runtime uses it: one function per runc verb, each with the
// engine's own --root so berth never sees (or touches) containers of another runc user.
import { execa, execaSync } from 'execa';

/** The result of one runc call; never throws. */
export interface RuncResult {
  ok: boolean;
  stderr: string;
  stdout: string;
}

/** Runs `runc --root ROOT ...args` and reports how it went. */
export async function runc(root: string, args: string[]): Promise<RuncResult> {
  const result = await execa('runc', ['--root', root, ...args], { reject: false, stdin: 'ignore', timeout: 30_000 });
  return { ok: result.exitCode === 0, stdout: String(result.stdout), stderr: runcMessage(String(result.stderr)) };
}

/** The synchronous form, for start-up checks and cleanup when the engine stops. */
export function runcSync(root: string, args: string[]): RuncResult {
  const result = execaSync('runc', ['--root', root, ...args], { reject: false, stdin: 'ignore', timeout: 30_000 });
  return { ok: result.exitCode === 0, stdout: String(result.stdout), stderr: runcMessage(String(result.stderr)) };
}

/** The ids of the containers runc knows under this root. */
export function listRuncContainers(root: string): string[] {
  const result = runcSync(root, ['list', '-q']);
  return result.ok ? result.stdout.split('\n').map((line) => line.trim()).filter(Boolean) : [];
}

// runc logs as logrus lines: time="..." level=error msg="..."; keep the messages.
export function runcMessage(stderr: string): string {
  const messages = [...stderr.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\"/g, '"'));
  return messages.length > 0 ? messages.join('; ') : stderr.trim();
}
