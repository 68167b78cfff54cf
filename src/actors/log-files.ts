// Container output through files instead of pipes, for an engine whose containers outlive it
// (a state dir): a pipe's reading end dies with the engine, and the container's next write then
// kills it with SIGPIPE; a file has no reader to lose. The engine follows the files as they grow,
// with one inotify watch on their directory, and a restarted engine picks them up again.
import {
  closeSync, constants, ftruncateSync, fstatSync, openSync, readSync, rmSync, watch, type FSWatcher,
} from 'node:fs';
import { join } from 'node:path';
import { makeDirectory } from './make-directory.js';
import type { OutputListener } from './output.js';

type StreamName = 'stdout' | 'stderr';
const streamNames: StreamName[] = ['stdout', 'stderr'];

/** How often the files are read when the directory cannot be watched (inotify limits). */
const pollMs = 200;

export interface LogFilesOptions {
  /** A file is emptied once this much of it has been read, so a long chatty run stays bounded on disk. */
  maxFileBytes?: number;
  /** Watch the directory (inotify); false, or a watch that cannot be set up, polls instead. */
  watch?: boolean;
  /**
   * Read at most this much of a file before letting the event loop run again (the rest follows
   * at once, from setImmediate): a container writing faster than the engine reads (`yes` writes
   * about 700 MB/s to a file) would otherwise keep the read loop, and the engine, busy for good.
   */
  readBudgetBytes?: number;
}

/** How a follower starts: at the beginning of the run's files, or at their last `bytes` (an adopted run). */
export type FollowFrom = { start: true } | { tailBytes: number };

/** Reads one container's files as they grow. */
export interface LogFollower {
  /** Reads whatever has been written so far, at once. */
  drain(): void;
  /** Stops following (the files stay until `remove`). */
  close(): void;
}

// One file of one container: its read descriptor and how far it has been read.
interface Followed {
  name: StreamName;
  fd: number;
  offset: number;
}

/**
 * The output files of every container of one engine, in one directory: `<id>-stdout.log` and
 * `<id>-stderr.log`, truncated at the start of each run and removed with the container.
 * @example
 * const files = new LogFiles('/var/lib/berth/logs');
 * const { stdout, stderr } = files.openForRun(spec.id); // hand to spawn's stdio, then close
 * const follower = files.follow(spec.id, onOutput, { start: true });
 */
export class LogFiles {
  private readonly followers = new Map<string, () => void>();
  /** Containers whose files changed since the last read: a burst of writes is read once. */
  private readonly changed = new Set<string>();
  private readonly watcher: FSWatcher | undefined;
  private readonly poller: NodeJS.Timeout | undefined;
  private readonly maxFileBytes: number;
  private readonly readBudgetBytes: number;
  private readonly buffer = Buffer.allocUnsafe(64 * 1024);

  constructor(readonly dir: string, options: LogFilesOptions = {}) {
    this.maxFileBytes = options.maxFileBytes ?? 64 * 1024 * 1024;
    this.readBudgetBytes = options.readBudgetBytes ?? 1024 * 1024;
    makeDirectory(dir, 0o700);
    this.watcher = options.watch === false ? undefined : this.watchDirectory();
    if (!this.watcher) {
      this.poller = setInterval(() => { for (const pull of this.followers.values()) pull(); }, pollMs);
      this.poller.unref();
    }
  }

  /**
   * Creates (or empties) the run's two files and opens them for appending: the descriptors go to
   * the process as its stdout and stderr, and the caller closes its copies once it is spawned.
   */
  openForRun(containerId: string): { stdout: number; stderr: number } {
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;
    const stdout = openSync(this.path(containerId, 'stdout'), flags, 0o600);
    try {
      return { stdout, stderr: openSync(this.path(containerId, 'stderr'), flags, 0o600) };
    } catch (error) {
      closeSync(stdout);
      throw error;
    }
  }

  /**
   * Follows a container's files, passing what is written to `onOutput` as it arrives. A file that
   * does not exist (a run started by a berth that used pipes) is created empty.
   */
  follow(containerId: string, onOutput: OutputListener, from: FollowFrom): LogFollower {
    const files: Followed[] = [];
    for (const name of streamNames) {
      const fd = openSync(this.path(containerId, name), constants.O_RDWR | constants.O_CREAT, 0o600);
      files.push({ name, fd, offset: 'start' in from ? 0 : this.tailStart(fd, from.tailBytes) });
    }
    let closed = false;
    let again: NodeJS.Immediate | undefined;
    // Budgeted: what is left over is read on the next turn of the event loop. Drained (the run
    // has exited, so the files no longer grow): read to the end.
    const pull = (budget = this.readBudgetBytes): void => {
      if (closed) return;
      let more = false;
      for (const file of files) more = this.read(containerId, file, onOutput, budget) || more;
      if (more) again ??= setImmediate(() => { again = undefined; pull(); });
    };
    const registered = (): void => pull();
    this.followers.set(containerId, registered);
    pull();
    return {
      drain: () => pull(Infinity),
      close: () => {
        if (closed) return;
        closed = true;
        if (again) clearImmediate(again);
        if (this.followers.get(containerId) === registered) this.followers.delete(containerId);
        for (const file of files) closeSync(file.fd);
      },
    };
  }

  /** Deletes a removed container's files. */
  remove(containerId: string): void {
    for (const name of streamNames) rmSync(this.path(containerId, name), { force: true });
  }

  /** Stops watching the directory (the engine shuts down). */
  close(): void {
    this.watcher?.close();
    if (this.poller) clearInterval(this.poller);
    this.followers.clear();
  }

  // One inotify watch for all the files; undefined when the system refuses one (inotify limits).
  private watchDirectory(): FSWatcher | undefined {
    try {
      const watcher = watch(this.dir, (_event, file) => {
        const id = typeof file === 'string' ? file.replace(/-(stdout|stderr)\.log$/, '') : undefined;
        if (id === undefined || !this.followers.has(id)) return;
        if (this.changed.size === 0) setImmediate(() => this.readChanged());
        this.changed.add(id);
      });
      watcher.on('error', () => {}); // the directory went away with the engine's state: nothing left to follow
      watcher.unref();
      return watcher;
    } catch {
      return undefined;
    }
  }

  private readChanged(): void {
    const ids = [...this.changed];
    this.changed.clear();
    for (const id of ids) this.followers.get(id)?.();
  }

  private path(containerId: string, name: StreamName): string {
    return join(this.dir, `${containerId}-${name}.log`);
  }

  // Reads a file onwards from where it was left, at most `budget` bytes; true if it stopped short
  // of the end. Once `maxFileBytes` have been read the file is emptied: the writer appends
  // (O_APPEND), so its next write lands at the new end, 0; only what it wrote between the last
  // read and the truncation, microseconds, is lost. A backlog larger than `maxFileBytes` (a writer
  // far faster than the engine) is dropped the same way, so the file stays bounded on disk.
  private read(containerId: string, file: Followed, onOutput: OutputListener, budget: number): boolean {
    let left = budget;
    for (;;) {
      const size = fstatSync(file.fd).size;
      if (size < file.offset) file.offset = 0; // emptied by a new run of the container
      if (size - file.offset > this.maxFileBytes) {
        ftruncateSync(file.fd, 0);
        file.offset = 0;
        return false;
      }
      let read = 0;
      while (left > 0 && (read = readSync(file.fd, this.buffer, 0, Math.min(this.buffer.length, left), file.offset)) > 0) {
        file.offset += read;
        left -= read;
        onOutput(containerId, file.name, Buffer.from(this.buffer.subarray(0, read)));
      }
      if (file.offset >= this.maxFileBytes) {
        ftruncateSync(file.fd, 0);
        file.offset = 0;
      }
      if (left <= 0) return true;
      if (read === 0) return false;
    }
  }

  // Where to start reading an adopted run's file: its last `bytes`, from a line boundary.
  private tailStart(fd: number, bytes: number): number {
    const size = fstatSync(fd).size;
    if (size <= bytes) return 0;
    const offset = size - bytes;
    const read = readSync(fd, this.buffer, 0, Math.min(this.buffer.length, size - offset), offset);
    const newline = this.buffer.subarray(0, read).indexOf(10);
    return newline < 0 ? offset + read : offset + newline + 1;
  }
}
