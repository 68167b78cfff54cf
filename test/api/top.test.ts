// GET /containers/{id}/top (`docker top`) with dockerode and the docker CLI: the rows of `ps` for
// the container's process group, grandchildren included; Docker's refusals.
import { describe, expect, it } from 'vitest';
import { startApi } from '../support/api.js';
import { dockerCli, hasDocker } from '../support/docker-cli.js';
import { until } from '../support/real-engine.js';

describe('container top', () => {
  it('lists the main process and its children with ps -ef titles; ps_args are passed on', async () => {
    const { docker, engine } = await startApi();
    await engine.create({ name: 'family', cmd: ['sh', '-c', 'sleep 101 & sleep 102'] });
    await engine.start('family');
    const top = async (args?: string) => docker.getContainer('family').top(args === undefined ? {} : { ps_args: args }) as Promise<{ Titles: string[]; Processes: string[][] }>;
    await until(async () => (await top()).Processes.length === 3, 5_000, 'both sleeps to run');
    const { Titles, Processes } = await top();
    expect(Titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    const main = engine.inspect('family').State.Pid;
    expect(Processes.map((row) => [Number(row[1]), Number(row[2]) === main || Number(row[1]) === main, row[7]])).toEqual([
      [main, true, 'sh -c sleep 101 & sleep 102'],
      [expect.any(Number), true, 'sleep 101'],
      [expect.any(Number), true, 'sleep 102'],
    ]);
    expect(await top('-o pid,comm')).toEqual({ Titles: ['PID', 'COMMAND'], Processes: [[String(main), 'sh'], [expect.any(String), 'sleep'], [expect.any(String), 'sleep']] });
    await expect(top('-o comm')).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/no PID column/) });
    await expect(top('--bogus')).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/ps --bogus failed: .*give ps_args that ps accepts/) });
    await engine.stop('family', { timeout: 0 });
    await expect(top()).rejects.toMatchObject({ statusCode: 409, message: expect.stringMatching(/Container family is not running/) });
  });

  it.skipIf(!hasDocker)('docker top prints the table', async () => {
    const { socketPath, engine } = await startApi();
    await engine.create({ name: 'shown', cmd: ['sleep', '103'] });
    await engine.start('shown');
    const { exitCode, stdout } = await dockerCli(socketPath)('top', 'shown', '-o', 'pid,args');
    expect(exitCode).toBe(0);
    expect(stdout.split('\n').map((line) => line.trim().split(/\s{2,}/))).toEqual([['PID', 'COMMAND'], [String(engine.inspect('shown').State.Pid), 'sleep 103']]);
  });
});
