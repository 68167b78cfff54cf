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

  it('splits a line longer than 16 KiB instead of holding it forever', () => {
    const buffer = new OutputBuffer(1 << 20, () => 0);
    buffer.write('stdout', 'x'.repeat(40 * 1024));
    expect(buffer.read().map((l) => l.text.length)).toEqual([16 * 1024, 16 * 1024]);
  });
});
