// Each container's stdout and stderr, kept in a ring bounded by bytes (the whole lines of each
// chunk, split into lines when read), so a chatty container costs a fixed amount of memory and
// `engine.logs` answers from memory at once.
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
  /** Only lines at or before this epoch-millisecond time. */
  until?: number;
}

/** Lines longer than this are split, as Docker's log driver splits at 16 KiB. */
const maxLineBytes = 16 * 1024;

/**
 * Counted against the bound for each stored chunk, beside its text. Lines are not counted: that
 * is a scan of every chunk (0.7 ms for the 32,768 lines of a chunk of `yes`), which made a stop
 * of another container take 30-60 ms instead of 2-5 while `yes` ran. So a container of very
 * short lines keeps more of them (up to about half a million in 1 MiB).
 */
const segmentOverhead = 64;

/**
 * Dropped slots are compacted away once this many have piled up at the front (and at least half
 * the array), so dropping the oldest is O(1): `shift()` moves the whole array. A dropped slot is
 * emptied at once: until the compaction it would otherwise keep its chunk alive, up to this many
 * chunks (64 MiB of a flood's 64 KiB chunks) beyond the bound.
 */
const compactAfter = 1024;

// The complete lines one chunk brought (joined by newlines, without the last one), all stamped
// with the time the chunk came in, as each of its lines would be.
interface Segment {
  stream: 'stdout' | 'stderr';
  time: number;
  text: string;
}

// What a segment counts against the bound.
function costOf(segment: Segment): number {
  return segment.text.length + segmentOverhead;
}

/**
 * The bounded output of one container. A chunk is stored as one segment of whole lines and split
 * into lines only when read or followed: a container printing short lines (`yes`) sends 32,768
 * of them per 64 KiB chunk, and building an object per line as it came in made such a container
 * hold the engine's event loop for 300 ms at a time.
 */
export class OutputBuffer {
  private segments: (Segment | undefined)[] = [];
  /** Slots before this index were dropped, and are empty. */
  private head = 0;
  private bytes = 0;
  private readonly partial = { stdout: '', stderr: '' };
  // A chunk can end inside a multi-byte character; the decoder keeps its first bytes for the next.
  // Made at the first chunk: most containers write to one stream or none.
  private readonly decoders: Partial<Record<'stdout' | 'stderr', StringDecoder>> = {};
  private readonly listeners = new Set<(line: LogLine) => void>();

  /**
   * @param onListenerError told of a follower that threw; that follower is dropped, since it runs
   * inside the pipe's read and an exception there would end the engine's process.
   */
  constructor(private readonly maxBytes: number, private readonly now: () => number, private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /** Takes a chunk as it arrives from the process and stores the complete lines in it. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const text = this.partial[stream] + (typeof chunk === 'string' ? chunk : (this.decoders[stream] ??= new StringDecoder('utf8')).write(chunk));
    const end = text.lastIndexOf('\n');
    if (end >= 0) this.store(stream, text.slice(0, end));
    let rest = text.slice(end + 1);
    while (rest.length > maxLineBytes) {
      this.store(stream, rest.slice(0, maxLineBytes));
      rest = rest.slice(maxLineBytes);
    }
    this.partial[stream] = rest;
  }

  /** Stores what is left of unterminated lines (the process ended). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + (this.decoders[stream]?.end() ?? '');
      if (rest) this.store(stream, rest);
      this.partial[stream] = '';
    }
  }

  read(options: LogOptions = {}): LogLine[] {
    const since = options.since ?? 0, until = options.until ?? Infinity;
    const wanted = (segment: Segment) => segment.time >= since && segment.time <= until && (segment.stream === 'stdout' ? options.stdout !== false : options.stderr !== false);
    const tail = options.tail !== undefined && options.tail >= 0 ? options.tail : undefined;
    if (tail === undefined) {
      const lines: LogLine[] = [];
      for (let i = this.head; i < this.segments.length; i++) if (wanted(this.segments[i]!)) linesOf(this.segments[i]!, (line) => lines.push(line));
      return lines;
    }
    // The last N lines: from the newest segment back, so `--tail 10` of a container of short lines
    // builds tens of lines, not the half million the buffer may hold.
    const newestFirst: LogLine[][] = [];
    let count = 0;
    for (let i = this.segments.length - 1; i >= this.head && count < tail; i--) {
      if (!wanted(this.segments[i]!)) continue;
      const lines: LogLine[] = [];
      linesOf(this.segments[i]!, (line) => lines.push(line));
      newestFirst.push(lines);
      count += lines.length;
    }
    const lines = newestFirst.reverse().flat();
    return lines.slice(Math.max(0, lines.length - tail));
  }

  /** Calls `listener` for each new line until the returned function is called. */
  follow(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private store(stream: 'stdout' | 'stderr', text: string): void {
    const segment: Segment = { stream, time: this.now(), text };
    this.segments.push(segment);
    this.bytes += costOf(segment);
    while (this.bytes > this.maxBytes && this.segments.length - this.head > 1) {
      this.bytes -= costOf(this.segments[this.head]!);
      this.segments[this.head] = undefined;
      this.head += 1;
    }
    if (this.head >= compactAfter && this.head * 2 >= this.segments.length) {
      this.segments = this.segments.slice(this.head);
      this.head = 0;
    }
    if (this.listeners.size > 0) {
      linesOf(segment, (line) => {
        for (const listener of this.listeners) {
          try {
            listener(line);
          } catch (error) {
            this.listeners.delete(listener);
            this.onListenerError(error);
          }
        }
      });
    }
  }
}

// The lines of a segment, each at most maxLineBytes long.
function linesOf(segment: Segment, each: (line: LogLine) => void): void {
  for (const text of segment.text.split('\n')) {
    if (text.length <= maxLineBytes) {
      each({ stream: segment.stream, time: segment.time, text });
      continue;
    }
    for (let at = 0; at < text.length; at += maxLineBytes) each({ stream: segment.stream, time: segment.time, text: text.slice(at, at + maxLineBytes) });
  }
}
