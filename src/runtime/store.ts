// Each container's spec and last known state on disk, so a restarted engine knows what it ran.
// Writes are atomic (write a temporary file, fsync, rename): a crash at any moment leaves either
// the old record or the new one. A record that cannot be read is set aside and reported, never
// fatal.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
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

/** The container records under one directory, one JSON file per container. */
export class ContainerStore {
  constructor(readonly dir: string) {
    makeDirectory(dir, 0o700);
  }

  save(record: ContainerRecord): void {
    const file = join(this.dir, `${record.spec.id}.json`);
    const temporary = `${file}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(record));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  }

  remove(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
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
