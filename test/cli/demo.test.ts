// `berth demo` as a user runs it: three real containers stopped at once, and a Ctrl-C in the
// middle that must not leave them running with no owner.
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { processesMatching, until } from '../support/real-engine.js';

// The demo's three commands, as pgrep sees them (the shell form's sleep included).
const demoProcesses = () => processesMatching('echo (ignoring SIGTERM|ready); while|sleep 1000; echo done');

// Each one leads its own process group (the shell form's sleep is in the shell's): kill the groups.
function killLeftovers(pids: number[]): void {
  for (const pid of pids) try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
}

it('berth demo: each container stopped by its own ladder, nothing left in any group, exit 0', async () => {
  const result = await execa('node', ['bin/berth.js', 'demo'], { reject: false, all: true, timeout: 20_000 });
  try {
    expect(result.exitCode, result.all).toBe(0);
    const rows = Object.fromEntries(result.all!.split('\n').filter((line) => /^(graceful|stubborn|shellform) +\d/.test(line)).map((line) => {
      const [name, exit, took, , left] = line.split(/ +/);
      return [name!, { exit: Number(exit), took: Number(took), left: Number(left) }];
    }));
    expect(rows.graceful).toMatchObject({ exit: 0, left: 0 });
    expect(rows.stubborn).toMatchObject({ exit: 137, left: 0 });
    expect(rows.stubborn!.took).toBeGreaterThanOrEqual(2); // its 2 s stop timeout, then SIGKILL
    expect(rows.shellform).toMatchObject({ exit: 143, left: 0 });
    expect(await demoProcesses()).toEqual([]);
  } finally {
    killLeftovers(await demoProcesses());
  }
}, 30_000);

it('berth demo interrupted with Ctrl-C stops its containers before it ends (was: all three left running)', async () => {
  const child = execa('node', ['bin/berth.js', 'demo'], { reject: false, all: true, timeout: 20_000 });
  let output = '';
  child.all!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  try {
    await until(() => output.includes('shellform: started'), 10_000, 'the three containers to run');
    expect((await demoProcesses()).length).toBeGreaterThanOrEqual(3);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode === 130 || result.signal === 'SIGINT', output).toBe(true);
    expect(output).toContain('interrupted (SIGINT): every container was stopped first');
    expect(await demoProcesses()).toEqual([]);
  } finally {
    child.kill('SIGKILL');
    killLeftovers(await demoProcesses());
  }
}, 30_000);
