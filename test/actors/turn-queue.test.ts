// The turn queue batches the process runtime's kills and reports: what is queued in one turn of
// the event loop runs together, in order, after the turn's synchronous code and I/O callbacks.
import { afterEach, describe, expect, it } from 'vitest';
import { createTurnQueue } from '../../src/actors/turn-queue.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('createTurnQueue', () => {
  it('runs what one turn queued after that turn, together and in order', async () => {
    const defer = createTurnQueue();
    const ran: string[] = [];
    defer(() => ran.push('a'));
    defer(() => ran.push('b'));
    queueMicrotask(() => defer(() => ran.push('c')));
    ran.push('sync');
    await Promise.resolve();
    expect(ran).toEqual(['sync']);
    await nextTurn();
    expect(ran).toEqual(['sync', 'a', 'b', 'c']);
  });

  it('runs work queued during a flush in the next turn, not in the same pass', async () => {
    const defer = createTurnQueue();
    const ran: string[] = [];
    defer(() => {
      ran.push('first');
      defer(() => ran.push('queued by first'));
    });
    defer(() => ran.push('second'));
    await nextTurn();
    expect(ran).toEqual(['first', 'second']);
    await nextTurn();
    expect(ran).toEqual(['first', 'second', 'queued by first']);
  });

  describe('when queued work throws', () => {
    const saved = process.listeners('uncaughtException');
    afterEach(() => {
      process.removeAllListeners('uncaughtException');
      for (const listener of saved) process.on('uncaughtException', listener);
    });

    it('still runs the rest of the batch, and the error surfaces as an uncaught exception', async () => {
      const caught: unknown[] = [];
      process.removeAllListeners('uncaughtException');
      process.on('uncaughtException', (error) => caught.push(error));
      const defer = createTurnQueue();
      const ran: string[] = [];
      defer(() => ran.push('before'));
      defer(() => {
        throw new Error('a bug');
      });
      defer(() => ran.push('after'));
      await nextTurn();
      await nextTurn();
      expect(ran).toEqual(['before', 'after']);
      expect(caught.map((error) => (error as Error).message)).toEqual(['a bug']);
    });
  });
});
