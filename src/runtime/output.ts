// Each container's stdout and stderr, kept as lines in a ring bounded by bytes, so a chatty
// container costs a fixed amount of memory and `engine.logs` answers from memory at once.

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

/** The bounded output of one container. */
export class OutputBuffer {
  private readonly lines: LogLine[] = [];
  private bytes = 0;
  private readonly partial = { stdout: '', stderr: '' };
  private readonly listeners = new Set<(line: LogLine) => void>();

  constructor(private readonly maxBytes: number, private readonly now: () => number) {}

  /** Takes a chunk as it arrives from the process and stores the complete lines in it. */
  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const text = this.partial[stream] + chunk.toString();
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
      if (this.partial[stream]) this.push(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  read(options: LogOptions = {}): LogLine[] {
    const wanted = (line: LogLine) =>
      (line.stream === 'stdout' ? options.stdout !== false : options.stderr !== false) && line.time >= (options.since ?? 0);
    const lines = this.lines.filter(wanted);
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
    while (this.bytes > this.maxBytes && this.lines.length > 1) {
      const dropped = this.lines.shift()!;
      this.bytes -= dropped.text.length + 32;
    }
    for (const listener of this.listeners) listener(line);
  }
}
