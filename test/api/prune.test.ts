// POST /containers/prune (`docker container prune`) with dockerode and the docker CLI: what is not
// running goes, filtered by label, label! and until; what runs stays.
import { describe, expect, it } from 'vitest';
import { commands, startApi } from '../support/api.js';
import { dockerCli, hasDocker } from '../support/docker-cli.js';

describe('container prune', () => {
  it('removes created and exited containers, keeps running ones; label, label! and until narrow it', async () => {
    const { docker, engine } = await startApi();
    const { id: created } = await engine.create({ name: 'never-started', cmd: ['true'], labels: { keep: 'yes' } });
    const { id: exited } = await engine.create({ name: 'done', cmd: ['true'], labels: { tier: 'batch' } });
    await engine.start('done');
    await engine.wait('done');
    await engine.create({ name: 'busy', cmd: commands.sleeper });
    await engine.start('busy');

    expect(await docker.pruneContainers({ filters: { until: ['1h'] } })).toEqual({ ContainersDeleted: null, SpaceReclaimed: 0 });
    expect(await docker.pruneContainers({ filters: { label: ['tier=batch'] } })).toEqual({ ContainersDeleted: [exited], SpaceReclaimed: 0 });
    expect(await docker.pruneContainers({ filters: { 'label!': ['keep'] } })).toEqual({ ContainersDeleted: null, SpaceReclaimed: 0 });
    expect(await docker.pruneContainers()).toEqual({ ContainersDeleted: [created], SpaceReclaimed: 0 });
    expect(engine.list({ all: true }).map((c) => c.Names[0])).toEqual(['/busy']);
    await expect(docker.pruneContainers({ filters: { until: ['soon'] } })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/invalid until filter "soon"/) });
    await expect(docker.pruneContainers({ filters: { status: ['exited'] } })).rejects.toMatchObject({ statusCode: 400 });
  });

  it.skipIf(!hasDocker)('docker container prune -f prints what it deleted', async () => {
    const { socketPath, engine } = await startApi();
    const { id } = await engine.create({ name: 'leftover', cmd: ['true'] });
    const docker = dockerCli(socketPath);
    expect(await docker('container', 'prune', '-f')).toEqual({ exitCode: 0, stdout: `Deleted Containers:\n${id}\n\nTotal reclaimed space: 0B`, stderr: '' });
    expect(engine.list({ all: true })).toEqual([]);
  });
});
