// The berth client commands end to end against an in-process API server on a temporary socket:
// through main() in this process (its output captured, its exit code returned), found with --host or
// BERTH_HOST; and the real binary, `node bin/berth.js`, as a subprocess.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/runtime/cli/main.js';
import { commands, startApi } from '../support/api.js';
import { until } from '../support/real-engine.js';

const bin = fileURLToPath(new URL('../../bin/berth.js', import.meta.url));

interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `berth ...args` through main() with only the given BERTH_HOST / XDG_RUNTIME_DIR, capturing what it
 * writes to stdout and stderr (one call at a time: the capture is process-wide).
 */
async function berthWithEnv(env: Record<string, string | undefined>, ...args: string[]): Promise<CliResult> {
  const out: string[] = [], err: string[] = [];
  const capture = (sink: string[]) => ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture(out));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture(err));
  for (const [name, value] of Object.entries({ BERTH_HOST: undefined, XDG_RUNTIME_DIR: undefined, ...env })) vi.stubEnv(name, value);
  try {
    const exitCode = await main(args);
    return { exitCode, stdout: out.join('').replace(/\n$/, ''), stderr: err.join('').replace(/\n$/, '') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
    vi.unstubAllEnvs();
  }
}

/** `berth COMMAND --host unix://socket ...rest`. */
function berthAt(socketPath: string): (command: string, ...rest: string[]) => Promise<CliResult> {
  return (command, ...rest) => berthWithEnv({}, command, '--host', `unix://${socketPath}`, ...rest);
}

/** `berth ...args` with BERTH_HOST=unix://socket. */
function berthViaEnv(socketPath: string): (...args: string[]) => Promise<CliResult> {
  return (...args) => berthWithEnv({ BERTH_HOST: `unix://${socketPath}` }, ...args);
}

/** The real binary, `node bin/berth.js ...args`, with only the given BERTH_HOST / XDG_RUNTIME_DIR. */
async function berthBinary(env: Record<string, string | undefined>, ...args: string[]): Promise<CliResult> {
  const result = await execa(process.execPath, [bin, ...args], {
    env: { BERTH_HOST: undefined, XDG_RUNTIME_DIR: undefined, ...env }, reject: false, timeout: 15_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

const tempDirs: string[] = [];
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('berth client commands', () => {
  it('run -d, then ps shows it; ps -a --format json, ps -q, wait, logs split into stdout and stderr, inspect', async () => {
    const { socketPath, engine } = await startApi();
    const berth = berthAt(socketPath);
    const run = await berth('run', '-d', '--name', 'web', '-l', 'tier=front', '-e', 'GREETING=hello', 'alpine', 'sh', '-c', 'echo $GREETING; echo oops >&2; exec sleep 1000');
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(run.stdout).toMatch(/^[0-9a-f]{64}$/);
    const id = run.stdout;
    expect(await berth('run', '--name', 'done', 'alpine', 'sh', '-c', 'exit 3')).toMatchObject({ exitCode: 0 });
    expect(await berth('wait', 'done')).toMatchObject({ exitCode: 0, stdout: '3' });

    const ps = await berth('ps');
    expect(ps.exitCode).toBe(0);
    const [header, ...rows] = ps.stdout.split('\n');
    expect(header).toMatch(/^CONTAINER ID {3}IMAGE {5}COMMAND +CREATED +STATUS +NAMES$/);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(new RegExp(`^${id.slice(0, 12)} {3}alpine {4}"sh -c echo \\$GREETIN…" {3}.+ ago {3,}Up .+ {3,}web$`));
    // Columns line up: every row's STATUS starts where the header's does.
    expect(rows[0]!.indexOf('Up ')).toBe(header!.indexOf('STATUS'));

    const all = await berth('ps', '-a', '--format', 'json');
    expect(all.exitCode).toBe(0);
    const listed = all.stdout.split('\n').map((line) => JSON.parse(line) as Record<string, string>);
    expect(listed.map((c) => c.Names).sort()).toEqual(['done', 'web']);
    expect(listed.find((c) => c.Names === 'web')).toMatchObject({ ID: id.slice(0, 12), Image: 'alpine', Labels: 'tier=front', State: 'running' });
    expect(listed.find((c) => c.Names === 'done')).toMatchObject({ State: 'exited', Status: expect.stringMatching(/^Exited \(3\) /) });
    expect((await berth('ps', '-q')).stdout).toBe(id.slice(0, 12));
    expect((await berth('ps', '-a', '-q', '--no-trunc', '--filter', 'status=exited')).stdout).toBe(engine.inspect('done').Id);

    await until(() => engine.logs('web').length === 2, 5_000, 'the output of web');
    expect(await berth('logs', 'web')).toEqual({ exitCode: 0, stdout: 'hello', stderr: 'oops' });
    const stamped = await berth('logs', '-t', 'web');
    expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hello$/); // Docker's log times are UTC
    expect(stamped.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z oops$/);

    const inspect = await berth('inspect', 'web', 'done');
    expect(inspect.exitCode).toBe(0);
    const documents = JSON.parse(inspect.stdout) as { Id: string; Name: string; State: { Status: string; ExitCode: number }; Config: { Labels: Record<string, string> } }[];
    expect(documents.map((d) => [d.Name, d.State.Status, d.State.ExitCode])).toEqual([['/web', 'running', 0], ['/done', 'exited', 3]]);
    expect(documents[0]!.Config.Labels).toEqual({ tier: 'front' });
    expect(inspect.stdout).toMatch(/^\[\n {4}\{\n {8}"Id": /); // docker's four-space indent
  });

  it('stop -t 1 of a SIGTERM-ignoring container exits 137 after about a second (BERTH_HOST)', async () => {
    const { socketPath, engine } = await startApi();
    const berth = berthViaEnv(socketPath);
    expect(await berth('run', '-d', '--name', 'stubborn', 'alpine', ...commands.stubborn)).toMatchObject({ exitCode: 0 });
    await until(() => engine.logs('stubborn').some((l) => l.text === 'ready'), 5_000, 'ready');
    const began = Date.now();
    expect(await berth('stop', '-t', '1', 'stubborn')).toEqual({ exitCode: 0, stdout: 'stubborn', stderr: '' });
    const took = Date.now() - began;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(10_000);
    expect(engine.inspect('stubborn').State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    const kills = engine.inspect('stubborn').Berth.StopFlow.map((step) => step.signal).filter(Boolean);
    expect(kills).toEqual([15, 9]);
    // Stopping a stopped container is a 304, which counts as success (docker's behaviour).
    expect(await berth('stop', 'stubborn')).toMatchObject({ exitCode: 0, stdout: 'stubborn' });
  });

  it('kill -s HUP, pause, unpause, restart, rm -f', async () => {
    const { socketPath, engine } = await startApi();
    const berth = berthViaEnv(socketPath);
    expect(await berth('run', '--name', 'reloader', '--stop-timeout', '1', 'alpine', ...commands.reloader)).toMatchObject({ exitCode: 0 });
    await until(() => engine.logs('reloader').some((l) => l.text === 'ready'), 5_000, 'ready');
    expect(await berth('kill', '-s', 'HUP', 'reloader')).toEqual({ exitCode: 0, stdout: 'reloader', stderr: '' });
    await until(() => engine.logs('reloader').some((l) => l.text === 'reloaded'), 5_000, 'the HUP trap');
    expect(engine.inspect('reloader').State.Status).toBe('running');

    expect(await berth('pause', 'reloader')).toMatchObject({ exitCode: 0, stdout: 'reloader' });
    expect(engine.inspect('reloader').State.Paused).toBe(true);
    expect((await berth('ps')).stdout).toMatch(/Up .+ \(Paused\) +reloader$/m);
    expect(await berth('unpause', 'reloader')).toMatchObject({ exitCode: 0, stdout: 'reloader' });
    expect(engine.inspect('reloader').State.Status).toBe('running');

    const pid = engine.inspect('reloader').State.Pid;
    expect(await berth('restart', '-t', '1', 'reloader')).toMatchObject({ exitCode: 0, stdout: 'reloader' });
    expect(engine.inspect('reloader').State.Status).toBe('running');
    expect(engine.inspect('reloader').State.Pid).not.toBe(pid);

    expect(await berth('run', '--name', 'other', 'alpine', ...commands.sleeper)).toMatchObject({ exitCode: 0 });
    expect(await berth('rm', 'reloader')).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/^Error response from daemon: /) });
    expect(await berth('rm', '-f', 'reloader', 'other')).toEqual({ exitCode: 0, stdout: 'reloader\nother', stderr: '' });
    expect(engine.list({ all: true })).toEqual([]);
  });

  it('logs -f follows until the container exits', async () => {
    const { socketPath } = await startApi();
    const berth = berthAt(socketPath);
    expect((await berth('run', '--name', 'brief', 'alpine', 'sh', '-c', 'echo one; sleep 1; echo two >&2; echo three')).exitCode).toBe(0);
    expect(await berth('logs', '-f', 'brief')).toEqual({ exitCode: 0, stdout: 'one\nthree', stderr: 'two' });
  });

  it('events --since --until: the docker CLI\'s lines, or JSON', async () => {
    const { socketPath } = await startApi();
    const berth = berthAt(socketPath);
    const since = (Date.now() / 1000).toFixed(3);
    const { stdout: id } = await berth('run', '--name', 'evented', '-l', 'app=x', 'alpine', ...commands.sleeper);
    expect(await berth('stop', 'evented')).toMatchObject({ exitCode: 0 });
    const events = await berth('events', '--since', since, '--until', '0s', '--filter', 'container=evented');
    expect(events).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = events.stdout.split('\n');
    expect(lines.map((line) => line.split(' ')[2])).toEqual(['create', 'start', 'kill', 'die', 'stop']);
    const at = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(?:Z|[+-]\d\d:\d\d)`;
    expect(lines[0]).toMatch(new RegExp(`^${at} container create ${id} \\(app=x, image=alpine, name=evented\\)$`));
    expect(lines[3]).toMatch(new RegExp(`^${at} container die ${id} \\(app=x, execDuration=\\d+, exitCode=143, image=alpine, name=evented\\)$`));

    const json = await berth('events', '--since', '1m', '--until', '0s', '--filter', 'event=die', '--format', 'json');
    expect(json.exitCode).toBe(0);
    const messages = json.stdout.split('\n').map((line) => JSON.parse(line) as { Action: string; Actor: { ID: string; Attributes: Record<string, string> } });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ Action: 'die', Actor: { ID: id, Attributes: { exitCode: '143' } } });
  });

  it('an unknown name: exit 1 and "No such container"; the others still done and printed', async () => {
    const { socketPath } = await startApi();
    const berth = berthAt(socketPath);
    const names = ['stop', 'kill', 'pause', 'unpause', 'restart', 'wait', 'rm', 'logs', 'inspect'];
    for (const command of names) {
      const result = await berth(command, 'nosuch');
      expect(result.exitCode, command).toBe(1);
      expect(result.stderr, command).toMatch(/^Error response from daemon: (.*: )?No such container: nosuch$/);
    }
    expect(await berth('run', '--name', 'real', 'alpine', ...commands.sleeper)).toMatchObject({ exitCode: 0 });
    const mixed = await berth('kill', 'nosuch', 'real');
    expect(mixed).toMatchObject({ exitCode: 1, stdout: 'real' });
    expect(mixed.stderr).toContain('No such container: nosuch');
    const inspect = await berth('inspect', 'real', 'nosuch');
    expect(inspect.exitCode).toBe(1);
    expect(JSON.parse(inspect.stdout)).toHaveLength(1);
  });

  it('no daemon at the socket: exit 1, the socket tried and how to start one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-client-'));
    tempDirs.push(dir);
    const missing = join(dir, 'none.sock');
    const viaFlag = await berthWithEnv({}, 'ps', '--host', `unix://${missing}`);
    expect(viaFlag.exitCode).toBe(1);
    expect(viaFlag.stderr).toContain(`Cannot connect to the berth daemon at unix://${missing}`);
    expect(viaFlag.stderr).toContain('npx berth daemon &');
    expect(viaFlag.stderr).toMatch(/--host or BERTH_HOST/);
    // Without a flag or BERTH_HOST, the daemon's own default: $XDG_RUNTIME_DIR/berth.sock. Said once for many
    // names; and the real binary's exit status.
    const viaDefault = await berthBinary({ XDG_RUNTIME_DIR: dir }, 'stop', 'a', 'b');
    expect(viaDefault.exitCode).toBe(1);
    expect(viaDefault.stderr.split('\n')).toEqual([expect.stringContaining(`Cannot connect to the berth daemon at unix://${join(dir, 'berth.sock')}: no such socket`)]);
  });

  it('the real binary with BERTH_HOST: run -d, ps -q, stop, and its exit statuses', async () => {
    const { socketPath, engine } = await startApi();
    const env = { BERTH_HOST: `unix://${socketPath}` };
    const run = await berthBinary(env, 'run', '-d', '--name', 'binary', 'alpine', ...commands.sleeper);
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(await berthBinary(env, 'ps', '-q')).toEqual({ exitCode: 0, stdout: run.stdout.slice(0, 12), stderr: '' });
    expect(await berthBinary(env, 'stop', 'binary', 'nosuch')).toEqual({ exitCode: 1, stdout: 'binary', stderr: 'Error response from daemon: No such container: nosuch' });
    expect(engine.inspect('binary').State).toMatchObject({ Status: 'exited', ExitCode: 143 });
    expect(await berthBinary(env, 'ps', '--format', 'xml')).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/^berth: /) });
  });

  it('the real binary piped into a reader that stops early (berth logs -f web | head) ends quietly, exit 0', async () => {
    const { socketPath, engine } = await startApi();
    await engine.create({ name: 'chatty', cmd: ['yes'] });
    await engine.start('chatty');
    const child = execa(process.execPath, [bin, 'logs', '-f', 'chatty'], { env: { BERTH_HOST: `unix://${socketPath}` }, reject: false, timeout: 15_000, stdout: 'pipe' });
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stdout!.destroy(); // as head does once it has its lines
    const result = await child;
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
  });

  it('bad input is a usage error (exit 2); a command that cannot start is docker run\'s 127', async () => {
    const { socketPath } = await startApi();
    const berth = berthAt(socketPath);
    expect(await berth('stop')).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/^berth: "berth stop" needs a container name/) });
    expect(await berth('ps', '--format', 'yaml')).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/^berth: Expected --format to be table or json/) });
    expect(await berth('stop', '-t', 'soon', 'x')).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('--timeout') });
    expect(await berth('events', '--since', 'yesterday')).toMatchObject({ exitCode: 2, stderr: expect.stringContaining('--since') });
    expect(await berth('ps', '--bogus')).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/^berth: Unknown option '--bogus'/) });
    expect(await berth('run', '--name', 'missing', 'alpine', 'no-such-command-here')).toMatchObject({
      exitCode: 127, stderr: expect.stringMatching(/^Error response from daemon: .*executable file not found/),
    });
    expect(await berth('run', '--name', 'nocmd', 'alpine')).toMatchObject({ exitCode: 125, stderr: expect.stringContaining('no command specified') });
    const help = await berth('run', '--help');
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('not supported; follow the output with `berth logs -f NAME`');
  });
});
