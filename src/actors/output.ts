// Container output goes straight from the pipes to whoever logs it: the runtime keeps none of it,
// so a chatty container costs no engine memory.
import type { Readable } from 'node:stream';

/** Receives container output as it arrives, one chunk at a time. */
export type OutputListener = (containerId: string, stream: 'stdout' | 'stderr', chunk: Buffer) => void;

/**
 * Streams one pipe of a container to the listener. A stream error (EPIPE, a destroyed pipe) is
 * swallowed: it must not become an uncaught exception that takes the engine down.
 * @example forwardOutput(child.stdout, 'stdout', spec.id, writeLog)
 */
export function forwardOutput(
  stream: NodeJS.ReadableStream | null,
  name: 'stdout' | 'stderr',
  containerId: string,
  onOutput: OutputListener | undefined,
): void {
  if (stream === null || onOutput === undefined) return;
  stream.on('error', () => {});
  stream.on('data', (chunk: Buffer | string) => {
    onOutput(containerId, name, typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  });
}

/**
 * Resolves once every pipe has ended (or errored, or closed early), or after `boundMs`, whichever
 * comes first: the exit report waits for the last output, but never forever, since a process that
 * escaped the container's group (setsid) can hold a pipe open after the container is gone. At the
 * bound the pipes still open are closed on berth's side: what writes to them is not the
 * container any more, and an open pipe would keep the engine's process alive after shutdown.
 * @example await waitForOutputEnd([child.stdout, child.stderr], 2_000)
 */
export function waitForOutputEnd(streams: (Readable | null)[], boundMs: number): Promise<void> {
  const open = streams.filter((stream): stream is Readable => stream !== null && !stream.closed);
  if (open.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let left = open.length;
    const timer = setTimeout(() => {
      for (const stream of open) stream.destroy();
      resolve();
    }, boundMs);
    // 'close' comes after 'end', and after an error too (the pipes auto-destroy).
    const closed = (): void => {
      if (--left > 0) return;
      clearTimeout(timer);
      resolve();
    };
    for (const stream of open) stream.once('close', closed);
  });
}
