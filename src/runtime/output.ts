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

/**
 * The complete lines one read of a container's output brought, as one string: the lines joined by
 * "\n", without the last one. None is longer than 16 KiB (a longer line is split, as when read line
 * by line). A line is a chunk of one line.
 */
export interface LogChunk {
  readonly stream: 'stdout' | 'stderr';
  /** Epoch milliseconds when the chunk came in (every line in it is stamped with this time). */
  readonly time: number;
  readonly text: string;
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

// The complete lines one chunk brought (joined by newlines, without the last one, long lines
// already split), all stamped with the time the chunk came in, as each of its lines would be.
type Segment = LogChunk;

// What a segment counts against the bound.
function costOf(segment: Segment): number {
  return segment.text.length + segmentOverhead;
}

/**
 * The bounded output of one container. A chunk is stored as one segment of whole lines and split
 * into lines only when read or followed line by line: a container printing short lines (`yes`)
 * sends 32,768 of them per 64 KiB chunk, and building an object per line as it came in made such a
 * container hold the engine's event loop for 300 ms at a time. Followers that take whole chunks
 * (`followChunks`: `docker logs -f`, `docker attach`, `berth up`) cost one call per chunk.
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
  private readonly listeners = new Set<(chunk: LogChunk) => void>();

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
    const lines: LogLine[] = [];
    for (const chunk of this.readChunks(options)) linesOf(chunk, (line) => lines.push(line));
    return lines;
  }

  /** What `read` gives, as the chunks the lines came in (the oldest one cut to fit a `tail`). */
  readChunks(options: LogOptions = {}): LogChunk[] {
    const since = options.since ?? 0, until = options.until ?? Infinity;
    const wanted = (segment: Segment) => segment.time >= since && segment.time <= until && (segment.stream === 'stdout' ? options.stdout !== false : options.stderr !== false);
    const tail = options.tail !== undefined && options.tail >= 0 ? options.tail : undefined;
    if (tail === undefined) {
      const chunks: LogChunk[] = [];
      for (let i = this.head; i < this.segments.length; i++) if (wanted(this.segments[i]!)) chunks.push(this.segments[i]!);
      return chunks;
    }
    // The last N lines: from the newest segment back, counting lines from each one's end, so
    // `--tail 10` of a container of short lines looks at tens of lines, not the half million the
    // buffer may hold.
    const newestFirst: LogChunk[] = [];
    let count = 0;
    for (let i = this.segments.length - 1; i >= this.head && count < tail; i--) {
      const segment = this.segments[i]!;
      if (!wanted(segment)) continue;
      const { text } = segment;
      let start = 0; // where the lines taken from this segment begin
      let cut = text.length;
      let taken = 0;
      while (count + taken < tail) {
        taken += 1;
        const newline = cut > 0 ? text.lastIndexOf('\n', cut - 1) : -1;
        if (newline < 0) {
          start = 0;
          break;
        }
        start = newline + 1;
        cut = newline;
      }
      newestFirst.push(start === 0 ? segment : { stream: segment.stream, time: segment.time, text: text.slice(start) });
      count += taken;
    }
    return newestFirst.reverse();
  }

  /** Calls `listener` for each new line until the returned function is called. */
  follow(listener: (line: LogLine) => void): () => void {
    return this.subscribe((chunk) => linesOf(chunk, listener));
  }

  /** Calls `listener` with each new chunk of complete lines until the returned function is called. */
  followChunks(listener: (chunk: LogChunk) => void): () => void {
    return this.subscribe((chunk) => listener(chunk));
  }

  // Each call an entry of its own: following twice with one function is two subscriptions.
  private subscribe(entry: (chunk: LogChunk) => void): () => void {
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  private store(stream: 'stdout' | 'stderr', text: string): void {
    // Frozen: followers and readers are handed the stored segment itself.
    const segment: Segment = Object.freeze({ stream, time: this.now(), text: splitLongLines(text) });
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
    for (const listener of this.listeners) {
      try {
        listener(segment);
      } catch (error) {
        this.listeners.delete(listener);
        this.onListenerError(error);
      }
    }
  }
}

/**
 * A chunk's text with `prefix` at the start of each of its lines: for stamping or labelling
 * forwarded output a chunk at a time.
 * @example prefixLines('a\nb', 'web | ') // 'web | a\nweb | b'
 */
export function prefixLines(text: string, prefix: string): string {
  return prefix + text.replaceAll('\n', `\n${prefix}`);
}

// The lines of a chunk (its long lines are split already).
function linesOf(chunk: LogChunk, each: (line: LogLine) => void): void {
  const { stream, time } = chunk;
  for (const text of chunk.text.split('\n')) each({ stream, time, text });
}

/**
 * The text with every line longer than maxLineBytes split into lines of that length (the last
 * piece the rest). It looks for newlines a window of maxLineBytes at a time, so a chunk of short
 * lines costs a few searches, not one per line.
 */
export function splitLongLines(text: string): string {
  if (text.length <= maxLineBytes) return text; // most chunks: nothing to look for
  const pieces: string[] = [];
  let copied = 0; // text before this is in pieces
  let at = 0; // where the line being checked starts
  while (text.length - at > maxLineBytes) {
    const newline = text.lastIndexOf('\n', at + maxLineBytes);
    if (newline >= at) {
      // Every line from `at` to this newline fits in the window.
      at = newline + 1;
      continue;
    }
    // No newline in the window: the line at `at` is longer; split it after maxLineBytes.
    pieces.push(text.slice(copied, at + maxLineBytes), '\n');
    at += maxLineBytes;
    copied = at;
  }
  if (pieces.length === 0) return text;
  pieces.push(text.slice(copied));
  return pieces.join('');
}
