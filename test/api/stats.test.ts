// GET /containers/{id}/stats (`docker stats`) with dockerode and the docker CLI: a busy container's
// CPU share, memory and process count from its process group, in the fields Docker's CLI reads.
import { describe, expect, it } from 'vitest';
import { startApi } from '../support/api.js';
import { dockerCli, hasDocker } from '../support/docker-cli.js';

interface Stats {
  id: string;
  name: string;
  pids_stats: { current: number };
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number; online_cpus: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage: number };
  memory_stats: { usage: number; limit: number };
}

// The CLI's CPU %: the container's share of the host's CPU time between the two samples, times the CPUs.
function cpuPercent(stats: Stats): number {
  const cpu = stats.cpu_stats.cpu_usage.total_usage - stats.precpu_stats.cpu_usage.total_usage;
  const system = stats.cpu_stats.system_cpu_usage - stats.precpu_stats.system_cpu_usage;
  return (cpu / system) * stats.cpu_stats.online_cpus * 100;
}

describe('container stats', () => {
  it('a busy loop shows about one CPU, a sleeper none; a stopped container counts nothing', async () => {
    const { docker, engine } = await startApi();
    const { id } = await engine.create({ name: 'spinner', cmd: ['sh', '-c', 'while :; do :; done'] });
    await engine.start('spinner');
    await engine.create({ name: 'sleeper', cmd: ['sleep', '1000'] });
    await engine.start('sleeper');
    const [busy, idle] = await Promise.all(['spinner', 'sleeper'].map((name) => docker.getContainer(name).stats({ stream: false }) as Promise<Stats>));
    expect(busy).toMatchObject({ id, name: '/spinner', pids_stats: { current: 1 } });
    expect(cpuPercent(busy!)).toBeGreaterThan(30); // one core of two, on a shared machine
    expect(cpuPercent(idle!)).toBeLessThan(10);
    expect(busy!.memory_stats.usage).toBeGreaterThan(0);
    expect(busy!.memory_stats.limit).toBeGreaterThan(busy!.memory_stats.usage);

    await engine.kill('spinner');
    const stopped = await docker.getContainer('spinner').stats({ stream: false, 'one-shot': true } as never) as unknown as Stats;
    expect(stopped).toMatchObject({ pids_stats: { current: 0 }, cpu_stats: { cpu_usage: { total_usage: 0 } }, memory_stats: { usage: 0 } });
  });

  it.skipIf(!hasDocker)('docker stats --no-stream prints the table', async () => {
    const { socketPath, engine } = await startApi();
    await engine.create({ name: 'quiet', cmd: ['sleep', '1000'] });
    await engine.start('quiet');
    const { exitCode, stdout } = await dockerCli(socketPath)('stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.PIDs}}', 'quiet');
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/^quiet \d+\.\d+% 1$/);
  });
});
