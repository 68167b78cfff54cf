// The memory of the bench's own process, for contenders that run inside it (raw Node, berth), and
// of a daemon's, from /proc.
import { setTimeout as sleep } from 'node:timers/promises';
import { readRssBytes } from '../processes.js';
import type { MemorySample } from './contender.js';

/** RSS and V8 heap after two full GCs (when node runs with --expose-gc), so garbage is not counted. */
export async function inProcessMemory(): Promise<MemorySample> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    await sleep(10);
    gc();
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rssBytes: rss, heapUsedBytes: heapUsed };
}

/** A daemon's RSS (PM2's, supervisord's, the C floor's); `name` says which in the error when it is gone. */
export function daemonMemory(pid: number | undefined, name: string): MemorySample {
  const rssBytes = pid === undefined ? undefined : readRssBytes(pid);
  if (rssBytes === undefined) throw new Error(`${name} is not running`);
  return { rssBytes };
}
