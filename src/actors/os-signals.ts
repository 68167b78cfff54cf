// The engine process's own SIGTERM and SIGINT, as events for the supervisor. Listening replaces
// Node's default "exit at once", so the supervisor can stop every container first; the listener
// is removed when the supervisor stops (the engine then re-raises the signal, see engine.ts).
import { fromCallback } from 'xstate';

const forwarded = ['SIGTERM', 'SIGINT'] as const;

/** Forwards SIGTERM and SIGINT to the supervisor as `os.signal` events. */
export const osSignals = fromCallback(({ sendBack }) => {
  const handlers = forwarded.map((signal) => {
    const handler = () => sendBack({ type: 'os.signal', signal });
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
});
