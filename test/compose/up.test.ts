// `berth up` end to end: a real berth process, real services, Ctrl-C, ordered graceful stop.
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { processesMatching, until } from '../support/real-engine.js';

// `berth up` as a user runs it, with everything it prints collected.
function startUp(file: string, ...args: string[]) {
  const child = execa('node', ['bin/berth.js', 'up', '-f', `test/fixtures/compose/${file}`, '--no-color', ...args], { reject: false, all: true });
  let output = '';
  child.all!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  return { child, output: () => output };
}

it('berth up: starts in dependency order, prefixes output, stops dependents first on Ctrl-C, exits 0', async () => {
  const { child, output } = startUp('berth.yaml');
  try {
    await until(() => /e2e-worker-1 +\| working/.test(output()), 10_000, 'every service to run');
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
  const lines = output().split('\n').map((line) => line.replace(/ +\|/, ' |'));
  const at = (text: string) => lines.findIndex((line) => line.includes(text));
  expect(at('e2e-web-1 | serving hello')).toBeGreaterThan(at('e2e-db-1: healthy'));
  expect(at('e2e-worker-1 | waiting for jobs')).toBe(at('e2e-worker-1 | working') + 1); // one write of two lines, each prefixed
  expect(at('e2e-worker-1: started')).toBeGreaterThan(at('e2e-web-1: started'));
  // Dependents first: worker, then web (which drains), then db.
  expect(at('e2e-worker-1: exited (0)')).toBeLessThan(at('e2e-web-1: SIGTERM sent'));
  expect(at('e2e-web-1 | draining')).toBeGreaterThan(at('e2e-web-1: SIGTERM sent'));
  expect(at('e2e-web-1: exited (0)')).toBeLessThan(at('e2e-db-1: SIGTERM sent'));
  expect(at('e2e-db-1 | closing')).toBeGreaterThan(at('e2e-db-1: SIGTERM sent'));
  expect(output()).toContain('every service stopped cleanly');
  expect(output()).toContain('ignored (not about the lifecycle): services.worker.ports');
}, 30_000);

it('berth up: a second Ctrl-C kills what is left at once; the exit status says it was not clean', async () => {
  const { child, output } = startUp('stubborn.yaml');
  try {
    await until(() => /twice-stubborn-1 +\| ignoring/.test(output()), 10_000, 'the service to run');
    child.kill('SIGINT');
    await until(() => output().includes('up to 30 s to exit'), 5_000, 'the graceful stop to begin');
    const began = Date.now();
    child.kill('SIGINT');
    const result = await child;
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(result.exitCode).toBe(1);
    expect(output()).toContain('SIGINT again: killing what is left');
    expect(output()).toMatch(/twice-stubborn-1: killed with SIGKILL \(137\)/);
  } finally {
    child.kill('SIGKILL');
  }
}, 30_000);

it('berth up: x-berth.signals forwards SIGHUP to the named service only and ignores SIGUSR1', async () => {
  const { child, output } = startUp('reload.yaml');
  try {
    await until(() => (output().match(/\| ready/g) ?? []).length === 2, 10_000, 'both services to run');
    child.kill('SIGHUP');
    await until(() => /routes-reloader-1 +\| reloaded/.test(output()), 5_000, 'the reload');
    child.kill('SIGUSR1');
    await until(() => output().includes('SIGUSR1: ignored'), 5_000, 'the ignore line');
    expect(output()).not.toContain('bystander got HUP');
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
}, 30_000);

it('berth up --ui serves the viewer for the project\'s containers while it runs', async () => {
  const { child, output } = startUp('reload.yaml', '--ui', '0');
  try {
    await until(() => (output().match(/\| ready/g) ?? []).length === 2, 10_000, 'both services to run');
    const url = /berth viewer on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output())![1]!;
    const containers = await (await fetch(`${url}ui/api/containers`)).json() as unknown[];
    expect(JSON.stringify(containers)).toContain('routes-reloader-1');
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
}, 30_000);

it('berth up with a service that cannot start stops the others, even one still waiting for a health verdict, and exits 1', async () => {
  const services = () => processesMatching('echo db up; while');
  const { child, output } = startUp('failing.yaml');
  try {
    const result = await child; // was: hung for good (the dependent waited on a stopped healthcheck), then exit 13
    expect(result.exitCode, output()).toBe(1);
    expect(output()).toContain('error: cannot start container failing-missing-1');
    expect(output()).toMatch(/failing-db-1: exited \(0\)/);
    expect(output()).not.toContain('failing-web-1: started');
    expect(await services()).toEqual([]);
  } finally {
    child.kill('SIGKILL');
    for (const pid of await services()) process.kill(pid, 'SIGKILL');
  }
}, 30_000);

it('berth up stopped while a service waits for another to complete stops at once (was: waited for the completion)', async () => {
  const services = () => processesMatching('echo migrating; sleep 30');
  const { child, output } = startUp('migrate.yaml');
  try {
    await until(() => /migrating-migrate-1 +\| migrating/.test(output()), 10_000, 'the migration to run');
    const began = Date.now();
    child.kill('SIGINT');
    const result = await child;
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(result.exitCode, output()).toBe(0);
    expect(output()).toMatch(/migrating-migrate-1: exited \(0\)/);
    expect(output()).not.toContain('migrating-app-1: started');
    expect(await services()).toEqual([]);
  } finally {
    child.kill('SIGKILL');
    for (const pid of await services()) process.kill(-pid, 'SIGKILL'); // its group: the shell and its sleep
  }
}, 30_000);

it('berth up whose terminal closes (SIGHUP) or gets Ctrl-\\ (SIGQUIT) stops its services instead of orphaning them', async () => {
  const services = () => processesMatching("trap 'echo bye; exit 0' TERM");
  try {
    for (const signal of ['SIGHUP', 'SIGQUIT'] as const) {
      const { child, output } = startUp('hangup.yaml');
      await until(() => /hangup-sleeper-1 +\| ready/.test(output()), 10_000, 'the service to run');
      child.kill(signal);
      const result = await child;
      expect(result.exitCode, output()).toBe(0);
      expect(output()).toContain(`${signal}: stopping every service`);
      expect(output()).toMatch(/hangup-sleeper-1 +\| bye/);
      expect(await services()).toEqual([]);
    }
  } finally {
    for (const pid of await services()) process.kill(pid, 'SIGKILL'); // what a failed run orphaned
  }
}, 30_000);

it('berth up whose output goes away (berth up | head) keeps running, and Ctrl-C still stops every service', async () => {
  const child = execa('node', ['bin/berth.js', 'up', '-f', 'test/fixtures/compose/reload.yaml', '--no-color'], { reject: false, stdout: 'pipe', stderr: 'ignore' });
  const services = () => processesMatching('trap .echo (reloaded|bystander got HUP). HUP');
  try {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => { seen += chunk.toString(); });
    await until(() => seen.includes('| ready'), 10_000, 'a service to run');
    child.stdout!.destroy(); // as head does once it has its lines: the next writes fail with EPIPE
    child.kill('SIGHUP'); // forwarded to reloader, which prints "reloaded": a write into the closed pipe
    await until(async () => (await services()).length === 2, 5_000, 'both services to run');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(child.exitCode).toBeNull(); // still running, not dead of EPIPE
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(0);
    expect(await services()).toEqual([]);
  } finally {
    child.kill('SIGKILL');
    for (const pid of await services()) process.kill(pid, 'SIGKILL'); // what a failed run orphaned
  }
}, 30_000);
