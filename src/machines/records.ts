// The records a container machine keeps and emits: command replies, Docker-shaped lifecycle
// events and the steps of its stop flow. Plain data, so the inspector can show them.

/** Error classes with Docker's status codes; runtime/errors.ts turns them into typed errors. */
export type ErrorKind = 'NotFound' | 'NotModified' | 'Conflict' | 'InvalidArgument' | 'System';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** The body of Docker's wait response. */
export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string };
}

export type LifecycleAction =
  | 'create' | 'start' | 'kill' | 'die' | 'stop' | 'pause' | 'unpause' | 'restart' | 'rename' | 'destroy';

/** One step of a stop flow (or of the run it ends). */
export interface FlowStep {
  /** Epoch milliseconds on the engine's clock. */
  at: number;
  /** Milliseconds since the flow began. */
  elapsedMs: number;
  /** The machine state the step happened in or led to. */
  state: string;
  /** Why it happened, in a few words (a command, a timer, a report). */
  cause: string;
  signal?: number;
  exitCode?: number;
  /** The timer armed by this step, if any. */
  timerMs?: number;
}

export type ContainerEmitted =
  | { type: 'reply'; requestId: string; ok: true; value?: WaitResult }
  | { type: 'reply'; requestId: string; ok: false; error: { kind: ErrorKind; message: string } }
  | { type: 'lifecycle'; action: LifecycleAction; at: number; attributes: Record<string, string> }
  | { type: 'step'; containerId: string; name: string; step: FlowStep };

/** A Docker event's attributes for a container: its labels, then image and name, then the event's own. */
export function eventAttributes(spec: { labels: Record<string, string>; image: string; name: string }, extra?: Record<string, string>): Record<string, string> {
  return { ...spec.labels, image: spec.image, name: spec.name, ...extra };
}

/** The message of whatever was thrown: an Error's, else the value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
