// The real docker CLI pointed at a berth API socket, isolated from the user's own docker setup:
// its own config directory, no DOCKER_HOST/DOCKER_CONTEXT/DOCKER_API_VERSION from the environment.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach } from 'vitest';

/** Whether a docker CLI is on PATH; the tests that need it skip (with one line saying so) when not. */
export const hasDocker = spawnSync('docker', ['--version'], { stdio: 'ignore' }).status === 0;

const configDirs: string[] = [];
afterEach(() => {
  for (const dir of configDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface DockerResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A `docker -H unix://socket ...` runner; times in its output are UTC. */
export function dockerCli(socketPath: string): (...args: string[]) => Promise<DockerResult> {
  const config = mkdtempSync(join(tmpdir(), 'berth-docker-config-'));
  configDirs.push(config);
  const env = { ...process.env, DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, DOCKER_API_VERSION: undefined, DOCKER_CONFIG: config, TZ: 'UTC' };
  return async (...args) => {
    const result = await execa('docker', ['-H', `unix://${socketPath}`, ...args], { env, reject: false, timeout: 20_000 });
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
}
