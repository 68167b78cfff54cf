// Docker's multiplexed log stream (stdcopy), used when a container has no TTY (berth's never do):
// each frame is an 8-byte header [stream, 0, 0, 0, size as big-endian uint32] then the payload.
import { prefixLines, type LogChunk } from '../output.js';

const streamIds = { stdout: 1, stderr: 2 } as const;

/**
 * Chunks of output as consecutive frames, one per chunk: its lines, each ended by "\n" and
 * prefixed with Docker's timestamp when asked. Docker's daemon sends a frame per line; a client
 * reads the same bytes either way, since a frame only says which stream its payload belongs to.
 * A frame per line cost the engine a frame, a string and a write for each of the 32,768 lines of
 * a 64 KiB chunk of `yes`, and stalled every other container while one was followed. A line is a
 * chunk of one line: lines frame as Docker's do. All of it in one buffer.
 */
export function frameLogChunks(chunks: readonly LogChunk[], timestamps: boolean): Buffer {
  const payloads = chunks.map((chunk) => `${timestamps ? prefixLines(chunk.text, `${formatTimestamp(chunk.time)} `) : chunk.text}\n`);
  let size = 0;
  for (const payload of payloads) size += 8 + Buffer.byteLength(payload);
  const frames = Buffer.allocUnsafe(size);
  let at = 0;
  payloads.forEach((payload, i) => {
    const length = frames.write(payload, at + 8);
    frames.fill(0, at, at + 4);
    frames[at] = streamIds[chunks[i]!.stream];
    frames.writeUInt32BE(length, at + 4);
    at += 8 + length;
  });
  return frames;
}

// Docker's log timestamps are RFC 3339 with nine fraction digits (jsonmessage.RFC3339NanoFixed), in UTC;
// berth's lines are timed to the millisecond.
function formatTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}
