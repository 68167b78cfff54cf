// The docker CLI itself (28.x) against berth: every lifecycle command it has, its output and exit codes.
import { describe, expect, it } from 'vitest';
import { commands, startApi } from '../support/api.js';
import { dockerCli, hasDocker } from '../support/docker-cli.js';
import { until } from '../support/real-engine.js';

if (!hasDocker) console.log('docker CLI not found on PATH: skipping the docker CLI tests (install docker-ce-cli to run them)');

describe.skipIf(!hasDocker)('the docker CLI', () => {
  it('run -d, ps, ps -a, wait, inspect -f, logs, rm -f, run --rm', async () => {
    const { socketPath, engine } = await startApi();
    const docker = dockerCli(socketPath);
    const run = await docker('run', '-d', '--name', 'web', 'alpine', 'sh', '-c', 'echo hello; echo oops >&2; exec sleep 1000');
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(run.stdout).toMatch(/^[0-9a-f]{64}$/);
    expect((await docker('run', '-d', '--name', 'done', 'alpine', 'sh', '-c', 'exit 3')).exitCode).toBe(0);
    expect(await docker('wait', 'done')).toMatchObject({ exitCode: 0, stdout: '3' });

    const ps = await docker('ps');
    expect(ps.stdout).toMatch(new RegExp(`^${run.stdout.slice(0, 12)} +alpine +"sh -c echo hello; e…" .* Up .* web$`, 'm'));
    expect(ps.stdout).not.toMatch(/done/);
    expect((await docker('ps', '-a')).stdout).toMatch(/Exited \(3\) .* done$/m);
    expect((await docker('inspect', '-f', '{{.State.Status}} {{.Name}}', 'web')).stdout).toBe('running /web');

    await until(() => engine.logs('web').length === 2, 5_000, 'the output of web');
    expect(await docker('logs', 'web')).toMatchObject({ exitCode: 0, stdout: 'hello', stderr: 'oops' });
    expect(await docker('logs', '--until', '2000-01-01T00:00:00Z', 'web')).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    // The CLI sends a duration as whole seconds, as Docker's does: a line of this second is not before "0s".
    const soon = new Date(Date.now() + 1_500).toISOString();
    const following = Date.now();
    expect(await docker('logs', '-f', '--until', soon, 'web')).toMatchObject({ exitCode: 0, stdout: 'hello', stderr: 'oops' });
    expect(Date.now() - following).toBeGreaterThan(400); // it followed until then (the CLI sends whole seconds), then ended

    expect(await docker('rm', '-f', 'web', 'done')).toMatchObject({ exitCode: 0, stdout: 'web\ndone' });
    // --rm: the CLI waits with condition=removed; the container goes once it exits.
    expect((await docker('run', '--rm', '-d', '--name', 'brief', 'alpine', 'true')).exitCode).toBe(0);
    await until(() => engine.list({ all: true }).length === 0, 5_000, 'the --rm container to go');
    expect((await docker('ps', '-a', '-q')).stdout).toBe('');
  });

  it('logs of output written many lines at a time: each line whole and stamped (-t), tailed, followed (-f), long lines split at 16 KiB', async () => {
    const { socketPath, engine } = await startApi();
    const docker = dockerCli(socketPath);
    // Each printf is one write: the engine reads several lines, or a 40,000-character line, at once.
    const script = "printf 'one\\ntwo\\nthree\\n'; printf '%40000s\\n' '' | tr ' ' x; sleep 1.2; printf 'four\\nfive\\n'; exec sleep 1000";
    await docker('run', '-d', '--name', 'burst', 'alpine', 'sh', '-c', script);
    await until(() => engine.logs('burst').length === 6, 5_000, 'the first lines');
    const long = ['x'.repeat(16_384), 'x'.repeat(16_384), 'x'.repeat(7_232)];
    expect(await docker('logs', 'burst')).toMatchObject({ exitCode: 0, stdout: ['one', 'two', 'three', ...long].join('\n') });
    expect((await docker('logs', '--tail', '2', 'burst')).stdout).toBe(long.slice(1).join('\n'));
    // Following from now on, stamped: the backlog, then the two lines written later.
    const until3s = new Date(Date.now() + 3_000).toISOString();
    const followed = await docker('logs', '-f', '-t', '--until', until3s, 'burst');
    const lines = followed.stdout.split('\n');
    expect(lines.map((line) => line.replace(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /, ''))).toEqual(['one', 'two', 'three', ...long, 'four', 'five']);
    expect(lines.every((line) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /.test(line))).toBe(true);
    await docker('rm', '-f', 'burst');
  });

  it('foreground run and attach: the output as it comes, the exit status, --rm; -t refused with what to do', async () => {
    const { socketPath, engine } = await startApi();
    const docker = dockerCli(socketPath);
    const run = await docker('run', '--rm', '--name', 'fore', 'alpine', 'sh', '-c', 'echo hello; echo oops >&2; sleep 0.2; echo bye; exit 4');
    expect(run).toEqual({ exitCode: 4, stdout: 'hello\nbye', stderr: 'oops' });
    await until(() => engine.list({ all: true }).length === 0, 5_000, 'the --rm container to go');
    expect(await docker('run', '-i', '--name', 'piped', 'alpine', 'sh', '-c', 'sleep 0.2; echo after stdin closed')).toMatchObject({ exitCode: 0, stdout: 'after stdin closed' });

    await docker('run', '-d', '--name', 'talker', 'alpine', 'sh', '-c', 'echo before; sleep 1.5; echo during; sleep 0.3; exit 7');
    await until(() => engine.logs('talker').length === 1, 5_000, 'the first line');
    // attach shows what comes from now on (not the backlog) and exits with the container's status
    expect(await docker('attach', 'talker')).toEqual({ exitCode: 7, stdout: 'during', stderr: '' });

    const tty = await docker('run', '-t', '--name', 'tty', 'alpine', 'true');
    expect(tty.exitCode).toBe(125);
    expect(tty.stderr).toMatch(/berth gives containers no TTY: run without -t/);
    expect(() => engine.inspect('tty')).toThrow(/No such container/);
  });

  it('rename: the new name works everywhere, the old one is gone', async () => {
    const { socketPath, engine } = await startApi();
    const docker = dockerCli(socketPath);
    await docker('run', '-d', '--name', 'first', 'alpine', ...commands.sleeper);
    expect(await docker('rename', 'first', 'second')).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect((await docker('ps', '--format', '{{.Names}}')).stdout).toBe('second');
    expect((await docker('inspect', '-f', '{{.Name}}', 'second')).stdout).toBe('/second');
    expect(await docker('rename', 'first', 'third')).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/No such container: first/) });
    expect(engine.inspect('second').State.Status).toBe('running');
  });

  it('stop -t 1 of a SIGTERM-ignoring container: 137 after about a second; kill -s HUP, pause, unpause, restart', async () => {
    const { socketPath, engine } = await startApi();
    const docker = dockerCli(socketPath);
    await docker('run', '-d', '--name', 'stubborn', 'alpine', ...commands.stubborn);
    const began = Date.now();
    expect(await docker('stop', '-t', '1', 'stubborn')).toMatchObject({ exitCode: 0, stdout: 'stubborn' });
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(5_000);
    expect((await docker('inspect', '-f', '{{.State.ExitCode}}', 'stubborn')).stdout).toBe('137');

    await docker('run', '-d', '--name', 'reloader', '--stop-timeout', '1', 'alpine', ...commands.reloader);
    await until(() => engine.logs('reloader').some((l) => l.text === 'ready'), 5_000, 'ready');
    expect(await docker('kill', '-s', 'HUP', 'reloader')).toMatchObject({ exitCode: 0, stdout: 'reloader' });
    await until(() => engine.logs('reloader').some((l) => l.text === 'reloaded'), 5_000, 'the HUP trap');
    expect((await docker('inspect', '-f', '{{.State.Status}}', 'reloader')).stdout).toBe('running');

    expect(await docker('pause', 'reloader')).toMatchObject({ exitCode: 0, stdout: 'reloader' });
    expect((await docker('ps')).stdout).toMatch(/\(Paused\) .* reloader$/m);
    expect(await docker('unpause', 'reloader')).toMatchObject({ exitCode: 0, stdout: 'reloader' });
    const pid = engine.inspect('reloader').State.Pid;
    expect(await docker('restart', '-t', '1', 'reloader')).toMatchObject({ exitCode: 0, stdout: 'reloader' });
    expect(engine.inspect('reloader').State.Status).toBe('running');
    expect(engine.inspect('reloader').State.Pid).not.toBe(pid);
    expect((await docker('kill', 'reloader')).exitCode).toBe(0);
  });

  it('events --since --until prints one line per event in the CLI\'s format', async () => {
    const { socketPath } = await startApi();
    const docker = dockerCli(socketPath);
    const since = (Date.now() / 1000).toFixed(3);
    const { stdout: id } = await docker('run', '-d', '--name', 'evented', '--label', 'app=x', 'alpine', ...commands.sleeper);
    await docker('stop', 'evented');
    const until = (Date.now() / 1000 + 0.05).toFixed(3);
    const events = await docker('events', '--since', since, '--until', until, '--filter', 'container=evented');
    expect(events.exitCode).toBe(0);
    const lines = events.stdout.split('\n');
    expect(lines.map((line) => line.split(' ')[2])).toEqual(['create', 'start', 'kill', 'die', 'stop']);
    const at = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z`;
    expect(lines[0]).toMatch(new RegExp(`^${at} container create ${id} \\(app=x, image=alpine, name=evented\\)$`));
    expect(lines[3]).toMatch(new RegExp(`^${at} container die ${id} \\(app=x, execDuration=\\d+, exitCode=143, image=alpine, name=evented\\)$`));
  });

  it('an unknown name: "No such container" and a non-zero exit', async () => {
    const { socketPath } = await startApi();
    const docker = dockerCli(socketPath);
    for (const command of ['stop', 'kill', 'wait', 'logs', 'pause']) {
      const result = await docker(command, 'nosuch');
      expect(result.exitCode, command).not.toBe(0);
      expect(result.stderr, command).toContain('No such container: nosuch');
    }
    const inspect = await docker('inspect', 'nosuch');
    expect(inspect.exitCode).not.toBe(0);
    expect(inspect.stderr).toContain('No such object: nosuch');
  });
});
