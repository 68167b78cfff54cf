// Docker's multiplexed log stream (stdcopy), used when a container has no TTY (berth's never do):
// each frame is an 8-byte header [stream, 0, 0, 0, size as big-endian uint32] then the payload.
import type { LogLine } from '../output.js';

const streamIds = { stdout: 1, stderr: 2 } as const;

/** One log line as a frame: its text plus "\n", prefixed with Docker's timestamp when asked. */
export function frameLogLine(line: LogLine, timestamps: boolean): Buffer {
  const payload = Buffer.from(`${timestamps ? `${formatTimestamp(line.time)} ` : ''}${line.text}\n`);
  const header = Buffer.alloc(8);
  header[0] = streamIds[line.stream];
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

// Docker's log timestamps are RFC 3339 with nine fraction digits (jsonmessage.RFC3339NanoFixed), in UTC;
// berth's lines are timed to the millisecond.
function formatTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}
