// The event bus: Docker-shaped messages fanned out to subscribers. A slow consumer never blocks
// the engine (publishing never waits) and never silently loses events: each subscriber has a
// bounded queue, and when it overflows the stream ends with EventStreamOverflowError once the
// queued events are read, naming the time to resubscribe from. Docker instead drops events after
// a 100 ms timeout without telling anyone (docker-lifecycle.md (g), (k).10).
import type { Clock } from '../machines/clock.js';
import type { LifecycleAction } from '../machines/records.js';
import { BerthError } from './errors.js';

/** Docker's event message (docker-lifecycle.md (g)). */
export interface DockerEvent {
  Type: 'container';
  Action: LifecycleAction;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** Unix seconds. */
  time: number;
  /** Unix nanoseconds. */
  timeNano: number;
}

/** Which events a subscriber wants. Times are epoch milliseconds. */
export interface EventFilters {
  /** Container ids, id prefixes of 12 or more characters, or names. */
  container?: string[];
  /** Actions, e.g. ['die', 'stop']. */
  event?: string[];
  /** "key" or "key=value". */
  label?: string[];
  /** Replay events from the history since this time. */
  since?: number;
  /** End the stream at this time (replaying history first when it is in the past). */
  until?: number;
  /** Ends the stream when aborted. */
  signal?: AbortSignal;
}

/** The consumer fell further behind than its queue holds; it should resubscribe with `since`. */
export class EventStreamOverflowError extends BerthError {
  constructor(readonly dropped: number, readonly resumeSince: number, queueSize: number) {
    super(`the events consumer fell more than ${queueSize} events behind and ${dropped} were not queued; ` +
      `subscribe again with since=${resumeSince} (the time of the last event delivered) to replay them from the history`);
  }
}

export interface EventBusOptions {
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>;
  /** Events kept for `since` replays. */
  historySize?: number;
  /** Events queued per subscriber before it overflows. */
  queueSize?: number;
}

interface Subscriber {
  filters: EventFilters;
  queue: DockerEvent[];
  wake: (() => void) | null;
  dropped: number;
  lastDelivered: number;
  done: boolean;
}

/** Fan-out of lifecycle events with a replay history and bounded per-subscriber queues. */
export class EventBus {
  private readonly history: DockerEvent[] = [];
  private readonly subscribers = new Set<Subscriber>();
  private readonly historySize: number;
  readonly queueSize: number;

  constructor(private readonly options: EventBusOptions) {
    this.historySize = options.historySize ?? 1024;
    this.queueSize = options.queueSize ?? 1024;
  }

  publish(event: DockerEvent): void {
    this.history.push(event);
    if (this.history.length > this.historySize) this.history.shift();
    for (const subscriber of this.subscribers) this.offer(subscriber, event);
  }

  /** Ends every stream (engine shutdown), after what they have queued. */
  close(): void {
    for (const subscriber of this.subscribers) this.finish(subscriber);
  }

  subscribe(filters: EventFilters = {}): AsyncIterableIterator<DockerEvent> {
    const subscriber: Subscriber = { filters, queue: [], wake: null, dropped: 0, lastDelivered: filters.since ?? 0, done: false };
    // Docker replays the history when either bound is given: from `since` (else the start) up to `until`.
    if (filters.since !== undefined || filters.until !== undefined) {
      const from = filters.since ?? 0;
      const to = filters.until ?? Infinity;
      for (const event of this.history) {
        const at = event.timeNano / 1e6;
        if (at >= from && at <= to) this.offer(subscriber, event);
      }
    }
    const now = this.options.clock.now();
    let timer: unknown;
    if (filters.until !== undefined && filters.until <= now) subscriber.done = true;
    else {
      this.subscribers.add(subscriber);
      if (filters.until !== undefined) timer = this.options.clock.setTimeout(() => this.finish(subscriber), filters.until - now);
    }
    const onAbort = () => this.finish(subscriber);
    filters.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = () => {
      this.subscribers.delete(subscriber);
      if (timer !== undefined) this.options.clock.clearTimeout(timer);
      filters.signal?.removeEventListener('abort', onAbort);
    };

    const iterator: AsyncIterableIterator<DockerEvent> = {
      next: async () => {
        while (subscriber.queue.length === 0 && !subscriber.done) {
          await new Promise<void>((resolve) => { subscriber.wake = resolve; });
        }
        const event = subscriber.queue.shift();
        if (event) {
          subscriber.lastDelivered = event.timeNano / 1e6;
          return { value: event, done: false };
        }
        cleanup();
        if (subscriber.dropped > 0) throw new EventStreamOverflowError(subscriber.dropped, subscriber.lastDelivered, this.queueSize);
        return { value: undefined, done: true };
      },
      return: async () => {
        this.finish(subscriber);
        subscriber.queue.length = 0;
        cleanup();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() { return iterator; },
    };
    return iterator;
  }

  private offer(subscriber: Subscriber, event: DockerEvent): void {
    if (subscriber.done || !matches(subscriber.filters, event)) return;
    if (subscriber.queue.length >= this.queueSize) {
      subscriber.dropped++;
      this.finish(subscriber);
      return;
    }
    subscriber.queue.push(event);
    this.wakeUp(subscriber);
  }

  private finish(subscriber: Subscriber): void {
    subscriber.done = true;
    this.subscribers.delete(subscriber);
    this.wakeUp(subscriber);
  }

  private wakeUp(subscriber: Subscriber): void {
    const wake = subscriber.wake;
    subscriber.wake = null;
    wake?.();
  }
}

function matches(filters: EventFilters, event: DockerEvent): boolean {
  if (filters.event?.length && !filters.event.includes(event.Action)) return false;
  if (filters.container?.length) {
    const { ID, Attributes } = event.Actor;
    const hit = filters.container.some((ref) => ref === Attributes.name || (ref.length >= 12 && ID.startsWith(ref)));
    if (!hit) return false;
  }
  if (filters.label?.length) {
    const labels = event.Actor.Attributes;
    const hit = filters.label.every((label) => {
      const at = label.indexOf('=');
      return at === -1 ? label in labels : labels[label.slice(0, at)] === label.slice(at + 1);
    });
    if (!hit) return false;
  }
  return true;
}
