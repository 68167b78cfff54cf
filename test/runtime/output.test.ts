import { describe, expect, it } from 'vitest';
import { OutputBuffer } from '../../src/runtime/output.js';

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
  });

  it('keeps memory bounded: the oldest lines go first', () => {
    const buffer = new OutputBuffer(10 * 40, () => 0);
    for (let i = 0; i < 1000; i++) buffer.write('stdout', `line ${i}\n`);
    const lines = buffer.read();
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines.at(-1)?.text).toBe('line 999');
  });

  it('after many drops (compacted away in batches) it holds exactly the newest lines, in order', () => {
    const buffer = new OutputBuffer(100 * 40, () => 0); // 'line NNNN' costs 9 + 32 bytes: 97 fit
    for (let i = 0; i < 10_000; i++) buffer.write(i % 2 ? 'stderr' : 'stdout', `line ${String(i).padStart(4, '0')}\n`);
    const lines = buffer.read();
    expect(lines).toHaveLength(97);
    expect(lines.map((l) => l.text)).toEqual(Array.from({ length: 97 }, (_, k) => `line ${String(10_000 - 97 + k).padStart(4, '0')}`));
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

  it('splits a line longer than 16 KiB instead of holding it forever', () => {
    const buffer = new OutputBuffer(1 << 20, () => 0);
    buffer.write('stdout', 'x'.repeat(40 * 1024));
    expect(buffer.read().map((l) => l.text.length)).toEqual([16 * 1024, 16 * 1024]);
  });
});
