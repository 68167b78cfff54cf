// The memory of the bench's own process, for contenders that run inside it (raw Node, berth).
import { setTimeout as sleep } from 'node:timers/promises';
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
