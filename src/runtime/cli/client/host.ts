// Where the daemon listens and where the client looks for it: one rule for both, so `berth ps`
// finds the `berth daemon` started in the same environment without any flag.
import { resolve } from 'node:path';

/**
 * The host from a `--host` flag, else BERTH_HOST, else the default socket.
 * @example
 * resolveHost(undefined, { XDG_RUNTIME_DIR: '/run/user/1000' }) // 'unix:///run/user/1000/berth.sock'
 */
export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.BERTH_HOST || defaultHost(env);
}

// Where docker users look for a per-user daemon socket, else the working directory.
function defaultHost(env: NodeJS.ProcessEnv): string {
  return `unix://${resolve(env.XDG_RUNTIME_DIR || '.', 'berth.sock')}`;
}
