// makeDirectory is mkdir -p that cannot spin: Node's recursive mkdir loops forever at full CPU
// under a dangling symlink or in /proc (these cases hang without it, and the test times out).
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirectory } from '../../src/actors/make-directory.js';
import { createEngine } from '../../src/index.js';

const made: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-mkdir-'));
  made.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('makeDirectory', () => {
  it('creates missing parents with the mode, and is fine with what exists', () => {
    const base = scratch();
    const deep = join(base, 'a', 'b', 'c');
    makeDirectory(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(join(base, 'a')).mode & 0o777).toBe(0o700);
    makeDirectory(deep, 0o700); // again: nothing to do
    makeDirectory(base);
  });

  it('fails at once where Node spins: under a dangling symlink, in /proc, under or at a file', () => {
    const base = scratch();
    symlinkSync(join(base, 'unmounted'), join(base, 'link'));
    writeFileSync(join(base, 'file'), '');
    expect(() => makeDirectory(join(base, 'link', 'state'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => makeDirectory('/proc/berth-test/state')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => makeDirectory(join(base, 'file', 'state'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => makeDirectory(join(base, 'file'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('an engine given such a state dir says so with a typed error instead of freezing', () => {
    const base = scratch();
    symlinkSync(join(base, 'unmounted'), join(base, 'link'));
    expect(() => createEngine({ stateDir: join(base, 'link', 'berth') })).toThrow(expect.objectContaining({
      status: 400,
      message: expect.stringMatching(/cannot keep state in ".*link\/berth": ENOENT.*give a writable directory/),
    }));
  });
});
