// Docker's multiplexed log stream back into stdout and stderr: frames of an 8-byte header
// [stream, 0, 0, 0, payload size as big-endian uint32] and the payload (stdcopy; api/multiplex.ts writes them).

/** One frame's payload and the stream it belongs to (Docker's stdin, 0, is written as stdout). */
export interface Frame {
  stream: 'stdout' | 'stderr';
  payload: Buffer;
}

const headerSize = 8;

/**
 * The frames in a stream of chunks, however the chunks cut them.
 * @example for await (const { stream, payload } of demultiplex(res)) process[stream].write(payload);
 */
export async function* demultiplex(chunks: AsyncIterable<Buffer>): AsyncGenerator<Frame> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= headerSize) {
      const size = pending.readUInt32BE(4);
      if (pending.length < headerSize + size) break;
      yield { stream: pending[0] === 2 ? 'stderr' : 'stdout', payload: pending.subarray(headerSize, headerSize + size) };
      pending = pending.subarray(headerSize + size);
    }
  }
  // A stream that ends inside a frame was cut; readChunks reports a broken connection, a clean end has no remainder.
}
