// Each container's spec and last known state on disk, so a restarted engine knows what it ran.
// Writes are atomic (write a temporary file, fsync, rename): a crash at any moment leaves either
// the old record or the new one. They run off the event loop, one at a time per container, the
// latest record winning: an fsync takes milliseconds on a busy disk, and 200 containers stopping
// at once made 400 of them, during which no other container, inspect or API call was served.
// A record that cannot be read is set aside and reported, never fatal.
import { readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectory } from '../actors/make-directory.js';
import type { ContainerSpec } from '../machines/spec.js';

/** What is kept of a container between engine runs. */
export interface ContainerRecord {
  version: 1;
  spec: ContainerSpec;
  state: {
    running: boolean;
    pid: number;
    /** The kernel start time of `pid`: with it a restarted engine tells the same process from a recycled pid. */
    startTime?: string;
    startedAt: number | null;
    finishedAt: number | null;
    exitCode: number;
    error: string;
    restartCount: number;
    manuallyStopped: boolean;
    generation: number;
  };
}

/** Told of a write or removal that failed (the disk is full, or gone read-only). */
export type StoreErrorListener = (error: unknown, id: string) => void;

// One container's file: what it should hold (null: no file), whether that is not written yet,
// and the writes in progress, which end once the file holds the latest wish.
interface Slot {
  wanted: ContainerRecord | null;
  dirty: boolean;
  done: Promise<void>;
}

/** The container records under one directory, one JSON file per container. */
export class ContainerStore {
  private readonly slots = new Map<string, Slot>();

  constructor(readonly dir: string, private readonly onError: StoreErrorListener = () => {}) {
    makeDirectory(dir, 0o700);
  }

  /** Queues the record; resolves once it (or a later one) is on disk, or its write failed. */
  save(record: ContainerRecord): Promise<void> {
    return this.want(record.spec.id, record);
  }

  /** Queues the removal of a container's record; resolves once it is gone. */
  remove(id: string): Promise<void> {
    return this.want(id, null);
  }

  /** What is still being written for this container, if anything. */
  pending(id: string): Promise<void> | undefined {
    return this.slots.get(id)?.done;
  }

  /** Resolves once everything queued is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => slot.done));
  }

  private want(id: string, wanted: ContainerRecord | null): Promise<void> {
    const current = this.slots.get(id);
    if (current) {
      current.wanted = wanted;
      current.dirty = true;
      return current.done;
    }
    const slot: Slot = { wanted, dirty: true, done: Promise.resolve() };
    this.slots.set(id, slot);
    slot.done = this.drain(id, slot);
    return slot.done;
  }

  // Writes until the file holds the latest wish; the slot goes in the same turn as the last check.
  private async drain(id: string, slot: Slot): Promise<void> {
    const file = join(this.dir, `${id}.json`);
    while (slot.dirty) {
      slot.dirty = false;
      const { wanted } = slot;
      try {
        if (wanted === null) await rm(file, { force: true });
        else await writeAtomically(file, JSON.stringify(wanted));
      } catch (error) {
        this.onError(error, id);
      }
    }
    this.slots.delete(id);
  }

  /** Every readable record; unreadable ones are moved to `corrupt/` and named in `setAside`. */
  loadAll(): { records: ContainerRecord[]; setAside: string[] } {
    const records: ContainerRecord[] = [];
    const setAside: string[] = [];
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      if (name.endsWith('.json.tmp')) {
        rmSync(file, { force: true }); // a write the crash interrupted; the record before it stands
        continue;
      }
      if (!name.endsWith('.json')) continue;
      try {
        const record = JSON.parse(readFileSync(file, 'utf8')) as ContainerRecord;
        if (record.version !== 1 || typeof record.spec?.id !== 'string' || typeof record.state !== 'object') throw new Error('not a berth container record');
        records.push(record);
      } catch (error) {
        makeDirectory(join(this.dir, 'corrupt'));
        renameSync(file, join(this.dir, 'corrupt', `${name}.${Date.now()}`));
        setAside.push(`${name}: ${(error as Error).message}`);
      }
    }
    return { records: records.sort((a, b) => a.spec.createdAt - b.spec.createdAt), setAside };
  }
}

// A temporary file, fsynced, renamed over the record: the record is the old one or the new one.
async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
