import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OutputBuffer, splitLongLines, type LogChunk } from '../../src/runtime/output.js';

describe('OutputBuffer', () => {
  it('splits chunks into lines per stream, keeping partial lines until they end', () => {
    let now = 0;
    const buffer = new OutputBuffer(1024, () => now);
    buffer.write('stdout', 'one\ntw');
    buffer.write('stderr', 'err\n');
    now = 5;
    buffer.write('stdout', 'o\nthree');
    expect(buffer.read().map((l) => `${l.stream}:${l.text}@${l.time}`)).toEqual(['stdout:one@0', 'stderr:err@0', 'stdout:two@5']);
    buffer.flush();
    expect(buffer.read({ stderr: false, tail: 2 }).map((l) => l.text)).toEqual(['two', 'three']);
    expect(buffer.read({ since: 5 }).map((l) => l.text)).toEqual(['two', 'three']);
    expect(buffer.read({ until: 4 }).map((l) => l.text)).toEqual(['one', 'err']);
    expect(buffer.read({ since: 0, until: 5, stderr: false }).map((l) => l.text)).toEqual(['one', 'two', 'three']);
  });

  it('keeps memory bounded: the oldest lines go first', () => {
    const buffer = new OutputBuffer(10 * 40, () => 0);
    for (let i = 0; i < 1000; i++) buffer.write('stdout', `line ${i}\n`);
    const lines = buffer.read();
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.at(-1)?.text).toBe('line 999');
  });

  it('what it dropped is freed at once, not when its slots are compacted away: a flood holds about the bound', () => {
    // The collector, for this test only: what the buffer keeps alive is what a full GC cannot free.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const chunk = Buffer.from('y\n'.repeat(32_768)); // 64 KiB, as a pipe delivers `yes`
    const buffer = new OutputBuffer(1 << 20, () => 0);
    collect();
    const before = process.memoryUsage().heapUsed;
    // 1000 chunks: 15 fit the bound, 985 are dropped, fewer than the 1024 that trigger a compaction.
    for (let i = 0; i < 1000; i++) buffer.write('stdout', chunk);
    collect();
    const held = process.memoryUsage().heapUsed - before;
    expect(buffer.read({ tail: 1 })).toHaveLength(1);
    // The bound is 1 MiB; keeping the dropped chunks until the compaction held 63 MiB here.
    expect(held).toBeLessThan(8 << 20);
  });

  it('after many drops (compacted away in batches) it holds exactly the newest lines, in order', () => {
    const buffer = new OutputBuffer(4_000, () => 0); // a few dozen of these chunks fit
    for (let i = 0; i < 10_000; i++) buffer.write(i % 2 ? 'stderr' : 'stdout', `line ${String(i).padStart(4, '0')}\n`);
    const lines = buffer.read();
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.length).toBeLessThan(400);
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: lines.length }, (_, k) => `line ${String(10_000 - lines.length + k).padStart(4, '0')}`));
    expect(buffer.read({ stdout: false, tail: 2 }).map((l) => l.text)).toEqual(['line 9997', 'line 9999']);
  });

  it('a character split across chunks arrives whole, at any split point', () => {
    const text = 'héllo wörld ✓ 😀 日本\n';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const buffer = new OutputBuffer(1 << 20, () => 0);
      buffer.write('stdout', bytes.subarray(0, cut));
      buffer.write('stdout', bytes.subarray(cut));
      expect(buffer.read().map((l) => l.text), `cut at byte ${cut}`).toEqual([text.trimEnd()]);
    }
    const buffer = new OutputBuffer(1 << 20, () => 0);
    for (const byte of bytes) buffer.write('stderr', Buffer.from([byte]));
    expect(buffer.read()[0]?.text).toBe(text.trimEnd());
    buffer.write('stderr', Buffer.from('ends inside ✓').subarray(0, -1));
    buffer.flush(); // the process ended mid-character: what there is, with a replacement mark
    expect(buffer.read().at(-1)?.text).toBe('ends inside \ufffd');
  });

  it('a chunk of many lines is read, tailed and followed line by line, each stamped when its chunk came', () => {
    let now = 0;
    const buffer = new OutputBuffer(1 << 20, () => now);
    const followed: string[] = [];
    const unfollow = buffer.follow((line) => followed.push(`${line.text}@${line.time}`));
    buffer.write('stdout', 'a\nb\nc\npart');
    now = 7;
    buffer.write('stdout', 'ial\nd\n');
    unfollow();
    buffer.write('stdout', 'e\n');
    expect(followed).toEqual(['a@0', 'b@0', 'c@0', 'partial@7', 'd@7']);
    expect(buffer.read({ tail: 3 }).map((l) => l.text)).toEqual(['partial', 'd', 'e']);
    expect(buffer.read({ since: 7 }).map((l) => l.text)).toEqual(['partial', 'd', 'e']);
  });

  it('a chunk of 32,768 short lines (`yes`) is stored as one record: the clock is read once, not per line', () => {
    let reads = 0;
    const buffer = new OutputBuffer(1 << 20, () => { reads += 1; return 0; });
    buffer.write('stdout', Buffer.from('y\n'.repeat(32_768)));
    expect(reads).toBe(1);
    expect(buffer.read({ tail: 2 }).map((l) => l.text)).toEqual(['y', 'y']);
    expect(buffer.read()).toHaveLength(32_768);
  });

  it('splits a line longer than 16 KiB instead of holding it forever', () => {
    const buffer = new OutputBuffer(1 << 20, () => 0);
    buffer.write('stdout', 'x'.repeat(40 * 1024));
    expect(buffer.read().map((l) => l.text.length)).toEqual([16 * 1024, 16 * 1024]);
    // The 8 KiB left over, then 20 KiB more and the line's end: a 28 KiB line in one chunk.
    buffer.write('stdout', `${'y'.repeat(20 * 1024)}\nshort\n`);
    expect(buffer.read().map((l) => l.text.length)).toEqual([16 * 1024, 16 * 1024, 16 * 1024, 12 * 1024, 5]);
  });

  it('follows a chunk at a time: one call per chunk, whose lines are what line-by-line following gets', () => {
    let now = 0;
    const buffer = new OutputBuffer(1 << 20, () => now);
    const chunks: LogChunk[] = [];
    const lines: string[] = [];
    const unfollowChunks = buffer.followChunks((chunk) => chunks.push(chunk));
    const unfollowLines = buffer.follow((line) => lines.push(`${line.stream}:${line.text}@${line.time}`));
    buffer.write('stdout', Buffer.from('y\n'.repeat(32_768))); // 64 KiB of `yes`: one call, not 32,768
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.text).toBe('y\n'.repeat(32_767) + 'y');
    now = 3;
    buffer.write('stderr', `a\n${'x'.repeat(20_000)}\nb\npart`);
    expect(chunks).toHaveLength(2);
    expect(chunks[1]).toEqual({ stream: 'stderr', time: 3, text: `a\n${'x'.repeat(16_384)}\n${'x'.repeat(3_616)}\nb` });
    const fromChunks = chunks.flatMap((chunk) => chunk.text.split('\n').map((text) => `${chunk.stream}:${text}@${chunk.time}`));
    expect(fromChunks).toEqual(lines);
    expect(lines).toHaveLength(32_768 + 4);
    unfollowChunks();
    unfollowLines();
    buffer.write('stdout', 'more\n');
    expect(chunks).toHaveLength(2);
    expect(() => (chunks[0] as { text: string }).text = 'changed').toThrow(); // the stored chunk itself, frozen
  });

  it('splits long lines as reading line by line always did, for lines of any length around 16 KiB', () => {
    const naive = (text: string) => text.split('\n').flatMap((line) => {
      if (line.length <= 16_384) return [line];
      const pieces: string[] = [];
      for (let at = 0; at < line.length; at += 16_384) pieces.push(line.slice(at, at + 16_384));
      return pieces;
    }).join('\n');
    let seed = 42;
    const random = (n: number) => { seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; return seed % n; };
    const lengths = [0, 1, 16_383, 16_384, 16_385, 32_768, 32_769, 50_000];
    for (let round = 0; round < 300; round++) {
      const count = 1 + random(6);
      const text = Array.from({ length: count }, () => 'z'.repeat(random(3) === 0 ? lengths[random(lengths.length)]! : random(40_000))).join('\n');
      expect(splitLongLines(text) === naive(text), `round ${round}: lines of ${text.split('\n').map((l) => l.length).join(', ')}`).toBe(true);
    }
    const short = 'y\n'.repeat(10_000) + 'y';
    expect(splitLongLines(short)).toBe(short); // nothing to split: the same string back
  });

  it('reads chunks: all of them, or the last N lines with the oldest chunk cut', () => {
    let now = 0;
    const buffer = new OutputBuffer(1 << 20, () => now);
    buffer.write('stdout', 'a\nb\nc\n');
    now = 1;
    buffer.write('stderr', '\nd\n'); // an empty line, then d
    now = 2;
    buffer.write('stdout', 'e\nf\n');
    expect(buffer.readChunks().map((c) => c.text)).toEqual(['a\nb\nc', '\nd', 'e\nf']);
    // Against the last N of all the lines: read() without a tail takes none of the tail's path.
    const all = buffer.read().map((line) => `${line.stream}:${line.text}@${line.time}`);
    for (let tail = 0; tail <= 8; tail++) {
      const flat = buffer.readChunks({ tail }).flatMap((chunk) => chunk.text.split('\n').map((text) => `${chunk.stream}:${text}@${chunk.time}`));
      expect(flat, `tail ${tail}`).toEqual(all.slice(Math.max(0, all.length - tail)));
      expect(flat).toHaveLength(Math.min(tail, 7));
    }
    expect(buffer.readChunks({ tail: 4 }).map((c) => c.text)).toEqual(['\nd', 'e\nf']);
    expect(buffer.readChunks({ tail: 3 }).map((c) => c.text)).toEqual(['d', 'e\nf']);
    expect(buffer.readChunks({ tail: 2, stdout: false }).map((c) => c.text)).toEqual(['\nd']);
    expect(buffer.readChunks({ since: 1, until: 1 }).map((c) => c.text)).toEqual(['\nd']);
  });
});
