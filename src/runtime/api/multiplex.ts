// Docker's multiplexed log stream (stdcopy), used when a container has no TTY (berth's never do):
// each frame is an 8-byte header [stream, 0, 0, 0, size as big-endian uint32] then the payload.
import type { LogLine } from '../output.js';

const streamIds = { stdout: 1, stderr: 2 } as const;

/**
 * Lines as consecutive frames, each its text plus "\n", prefixed with Docker's timestamp when
 * asked: one buffer however many lines (a chunk of `yes` is 32,768).
 */
export function frameLogLines(lines: readonly LogLine[], timestamps: boolean): Buffer {
  const payloads = lines.map((line) => `${timestamps ? `${formatTimestamp(line.time)} ` : ''}${line.text}\n`);
  let size = 0;
  for (const payload of payloads) size += 8 + Buffer.byteLength(payload);
  const frames = Buffer.allocUnsafe(size);
  let at = 0;
  payloads.forEach((payload, i) => {
    const length = frames.write(payload, at + 8);
    frames.fill(0, at, at + 4);
    frames[at] = streamIds[lines[i]!.stream];
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
