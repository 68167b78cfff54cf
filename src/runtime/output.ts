// Each container's stdout and stderr, kept as lines in a ring bounded by bytes, so a chatty
// container costs a fixed amount of memory and `engine.logs` answers from memory at once.
import { StringDecoder } from 'node:string_decoder';

/** One line of a container's output. */
export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** Epoch milliseconds when the line was complete. */
  time: number;
  text: string;
}

export interface LogOptions {
  stdout?: boolean;
  stderr?: boolean;
  /** Only the last N lines. */
  tail?: number;
  /** Only lines at or after this epoch-millisecond time. */
  since?: number;
}

/** Lines longer than this are split, as Docker's log driver splits at 16 KiB. */
const maxLineBytes = 16 * 1024;

/**
 * Dropped lines are compacted away once this many have piled up at the front (and at least half
 * the array): dropping one at a time with `shift()` moved the whole array, 60 µs per line of a
 * container printing short lines, once the buffer was full.
 */
const compactAfter = 1024;

/** The bounded output of one container. */
export class OutputBuffer {
  private lines: LogLine[] = [];
  /** Lines before this index were dropped. */
  private head = 0;
  private bytes = 0;
  private readonly partial = { stdout: '', stderr: '' };
  // A chunk can end inside a multi-byte character; the decoder keeps its first bytes for the next.
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly listeners = new Set<(line: LogLine) => void>();

  constructor(private readonly maxBytes: number, private readonly now: () => number) {}

  /** Takes a chunk as it arrives from the process and stores the complete lines in it. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const text = this.partial[stream] + (typeof chunk === 'string' ? chunk : this.decoders[stream].write(chunk));
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const part of parts) this.push(stream, part);
    while (this.partial[stream].length > maxLineBytes) {
      this.push(stream, this.partial[stream].slice(0, maxLineBytes));
      this.partial[stream] = this.partial[stream].slice(maxLineBytes);
    }
  }

  /** Stores what is left of unterminated lines (the process ended). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      if (rest) this.push(stream, rest);
      this.partial[stream] = '';
    }
  }

  read(options: LogOptions = {}): LogLine[] {
    const wanted = (line: LogLine) =>
      (line.stream === 'stdout' ? options.stdout !== false : options.stderr !== false) && line.time >= (options.since ?? 0);
    const lines = this.lines.slice(this.head).filter(wanted);
    return options.tail !== undefined && options.tail >= 0 ? lines.slice(Math.max(0, lines.length - options.tail)) : lines;
  }

  /** Calls `listener` for each new line until the returned function is called. */
  follow(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private push(stream: 'stdout' | 'stderr', text: string): void {
    const line: LogLine = { stream, time: this.now(), text };
    this.lines.push(line);
    this.bytes += text.length + 32;
    while (this.bytes > this.maxBytes && this.lines.length - this.head > 1) {
      this.bytes -= this.lines[this.head]!.text.length + 32;
      this.head += 1;
    }
    if (this.head >= compactAfter && this.head * 2 >= this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
    for (const listener of this.listeners) listener(line);
  }
}
