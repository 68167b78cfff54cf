// Output through files: a real process writes to the run's files, the follower hands over what
// it wrote; a long run's file is emptied past its bound; an adopted run starts at a line boundary.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LogFiles, type LogFilesOptions } from '../../src/actors/log-files.js';
import { until } from '../support/real-engine.js';

const dirs: string[] = [];
const opened: LogFiles[] = [];
afterEach(() => {
  for (const files of opened.splice(0)) files.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logFiles(options: LogFilesOptions = {}): LogFiles {
  const dir = mkdtempSync(join(tmpdir(), 'berth-logs-'));
  dirs.push(dir);
  const files = new LogFiles(dir, options);
  opened.push(files);
  return files;
}

function collector() {
  const text = { stdout: '', stderr: '' };
  return { text, onOutput: (_id: string, stream: 'stdout' | 'stderr', chunk: Buffer) => { text[stream] += chunk.toString(); } };
}

describe('log files', () => {
  it('follows what a real process writes to its stdout and stderr files, as it writes it', async () => {
    const files = logFiles();
    const { stdout, stderr } = files.openForRun('c1');
    const child = spawn('sh', ['-c', 'echo one; echo oops >&2; read line; echo two; read line'], { stdio: ['pipe', stdout, stderr] });
    closeSync(stdout);
    closeSync(stderr);
    const { text, onOutput } = collector();
    const follower = files.follow('c1', onOutput, { start: true });
    await until(() => text.stdout === 'one\n' && text.stderr === 'oops\n', 5_000, 'the first lines');
    child.stdin!.write('go\n'); // written after following began: only the directory watch can bring it
    await until(() => text.stdout === 'one\ntwo\n', 2_000, 'the next line, through the directory watch');
    child.stdin!.end('done\n');
    await once(child, 'exit');
    follower.drain();
    expect(text).toEqual({ stdout: 'one\ntwo\n', stderr: 'oops\n' });
    follower.close();
    files.remove('c1');
    expect(existsSync(join(files.dir, 'c1-stdout.log'))).toBe(false);
  });

  it('empties a file once its bound has been read, and keeps following what comes after', () => {
    const files = logFiles({ maxFileBytes: 1000 });
    const { stdout, stderr } = files.openForRun('c2');
    const { text, onOutput } = collector();
    const follower = files.follow('c2', onOutput, { start: true });
    const line = (n: number) => `${String(n).padStart(9, '0')}\n`; // 10 bytes
    for (let n = 0; n < 60; n++) writeSync(stdout, line(n));
    follower.drain();
    for (let n = 60; n < 120; n++) writeSync(stdout, line(n));
    follower.drain(); // 1200 bytes read: past the bound, the file is emptied
    expect(statSync(join(files.dir, 'c2-stdout.log')).size).toBe(0);
    for (let n = 120; n < 125; n++) writeSync(stdout, line(n)); // O_APPEND: lands at the new end, 0
    follower.drain();
    expect(text.stdout).toBe(Array.from({ length: 125 }, (_, n) => line(n)).join(''));
    expect(statSync(join(files.dir, 'c2-stdout.log')).size).toBe(50);
    follower.close();
    closeSync(stdout);
    closeSync(stderr);
  });

  it('reads a budget at a time and the rest on the next turns of the event loop, in order', async () => {
    const files = logFiles({ readBudgetBytes: 100 });
    const { stdout, stderr } = files.openForRun('c5');
    const line = (n: number) => `${String(n).padStart(9, '0')}\n`; // 10 bytes
    const all = Array.from({ length: 100 }, (_, n) => line(n)).join('');
    writeSync(stdout, all); // 1000 bytes waiting, as from a writer faster than the engine
    const { text, onOutput } = collector();
    const follower = files.follow('c5', onOutput, { start: true });
    expect(text.stdout).toBe(all.slice(0, 100)); // the rest waits: the loop is free meanwhile
    await until(() => text.stdout.length === 1000, 2_000, 'the rest, a budget per turn');
    expect(text.stdout).toBe(all);
    writeSync(stdout, all);
    follower.drain(); // the run is over: to the end at once
    expect(text.stdout).toBe(all + all);
    follower.close();
    closeSync(stdout);
    closeSync(stderr);
  });

  it('drops a backlog larger than its bound, so the file stays bounded on disk; what follows still arrives', () => {
    const files = logFiles({ maxFileBytes: 500 });
    const { stdout, stderr } = files.openForRun('c6');
    const { text, onOutput } = collector();
    const follower = files.follow('c6', onOutput, { start: true });
    writeSync(stdout, 'kept\n');
    follower.drain();
    writeSync(stdout, 'x'.repeat(2_000)); // 2000 unread bytes: more than the engine keeps up with
    follower.drain();
    expect(statSync(join(files.dir, 'c6-stdout.log')).size).toBe(0);
    writeSync(stdout, 'after\n');
    follower.drain();
    expect(text.stdout).toBe('kept\nafter\n');
    follower.close();
    closeSync(stdout);
    closeSync(stderr);
  });

  it('polls when it cannot watch the directory', async () => {
    const files = logFiles({ watch: false });
    const { stdout, stderr } = files.openForRun('c4');
    const { text, onOutput } = collector();
    const follower = files.follow('c4', onOutput, { start: true });
    writeSync(stderr, 'polled\n');
    await until(() => text.stderr === 'polled\n', 2_000, 'the poll to read the line');
    follower.close();
    closeSync(stdout);
    closeSync(stderr);
  });

  it('an adopted run starts at the last bytes of its files, from the start of a line', () => {
    const files = logFiles();
    const { stdout, stderr } = files.openForRun('c3');
    for (let n = 0; n < 10; n++) writeSync(stdout, `line ${n}\n`); // 7 bytes each
    const { text, onOutput } = collector();
    const follower = files.follow('c3', onOutput, { tailBytes: 17 });
    expect(text.stdout).toBe('line 8\nline 9\n');
    writeSync(stdout, 'line 10\n');
    follower.drain();
    expect(text.stdout).toBe('line 8\nline 9\nline 10\n');
    follower.close();
    closeSync(stdout);
    closeSync(stderr);
  });
});
