// createEngine(): the promise API embedders use, over the supervisor actor. Every command is a
// message to a container's machine and resolves when that machine replies; reads (inspect, list,
// logs) come from the machine's last snapshot and never wait on it.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createActor, type Actor, type AnyActorLogic, type InspectionEvent, type Observer } from 'xstate';
import { unknownExitCode } from '../actors/adopt.js';
import { guardRuntime } from '../actors/guard.js';
import { LogFiles } from '../actors/log-files.js';
import { osSignals } from '../actors/os-signals.js';
import { isProcessAlive, isSameProcess, readProcessStartTime } from '../actors/proc.js';
import { createProcessRuntime } from '../actors/process.js';
import type { Clock } from '../machines/clock.js';
import { containerMachine, type ContainerCommand, type ContainerRecovery } from '../machines/container.js';
import { eventAttributes, messageOf, type ContainerEmitted, type WaitCondition, type WaitResult } from '../machines/records.js';
import { restartsOnEngineStart } from '../machines/restart.js';
import { indexScheduledEvents } from '../machines/scheduler.js';
import { dropChildDoneEvents } from '../machines/done-events.js';
import { SIGKILL, type ContainerSpec, type Timings } from '../machines/spec.js';
import { containerActorId, containerActorIdPrefix, supervisorMachine, type ChildFailed } from '../machines/supervisor.js';
import { ConflictError, InvalidArgumentError, NotFoundError, SystemError, errorOfKind } from './errors.js';
import { EventBus, type DockerEvent, type EventFilters } from './events.js';
import type { ImageStore } from './images.js';
import { toInspect, toSummary, statusOf, type ContainerSnapshot, type ContainerSummary, type InspectResponse } from './inspect.js';
import { engineLog, silentLogger, type EngineLog, type Logger } from './log.js';
import { OutputBuffer, type LogChunk, type LogLine, type LogOptions } from './output.js';
import { defaultRuncStateDir, setUpRunc } from './runc-setup.js';
import { PreciseClock } from './precise-clock.js';
import { parseSignal, signalName } from './signals.js';
import { parseEngineNumbers, parseLogOptions, parseName, parseTimeoutSeconds, toContainerSpec, type CreateOptions } from './spec.js';
import { ContainerStore } from './store.js';

export interface EngineOptions {
  /**
   * 'process' (default): host processes in their own process group. 'runc': real OCI containers
   * (Linux, root, runc installed). Or any actor logic speaking the runtime protocol.
   */
  runtime?: 'process' | 'runc' | AnyActorLogic;
  /**
   * Where the engine keeps its state. Process runtime: each container's spec and last state, so a
   * restarted engine adopts what still runs and restores the rest. runc runtime: images, bundles
   * and its runc root (default /var/lib/berth).
   */
  stateDir?: string;
  /** A pino logger for one line per lifecycle step; silent when absent. */
  logger?: Logger;
  /** An XState inspection observer for the whole actor system (supervisor and every container). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** The clock timers run on; a SimulatedClock makes every stop flow instant and exact. */
  clock?: Clock;
  /** Stop-ladder durations in milliseconds; Docker's by default (machines/spec.ts). */
  timings?: Partial<Timings>;
  /** Turn the engine process's SIGTERM/SIGINT into a graceful shutdown, then re-raise the signal. */
  handleSignals?: boolean;
  /** Events queued per `events()` consumer before its stream ends with EventStreamOverflowError. */
  eventQueueSize?: number;
  /** Events kept for `events({ since })` replays. */
  eventHistorySize?: number;
  /** Output kept per container, in bytes (default 1 MiB). */
  logBufferBytes?: number;
}

export interface StopOptions {
  /** Seconds before SIGKILL; negative waits forever. Default: the container's, else 10. */
  timeout?: number;
  /** Default: the container's stop signal, else SIGTERM. */
  signal?: string | number;
}

export interface WaitOptions {
  condition?: WaitCondition;
  /** Gives up waiting (the container is not affected). */
  signal?: AbortSignal;
}

export interface ShutdownResult {
  /** The budget ran out and the containers still running were killed. */
  forced: boolean;
  /** Names of containers still not exited when the engine gave up on them. */
  remaining: string[];
  /** The OS signal that began the shutdown, if one did. */
  signal: string | null;
}

interface Entry {
  spec: ContainerSpec;
  warnings: string[];
  actorId: string;
  /** The container's actor: the engine sends it its commands (see `send`). */
  ref: { getSnapshot(): ContainerSnapshot; send(event: ContainerCommand | ContainerRecovery): void };
  output: OutputBuffer;
  /** The main process's kernel start time, read once per pid for the state dir's records. */
  process?: { pid: number; startTime: string | undefined };
}

interface Pending {
  actorId: string;
  resolve(value: WaitResult | undefined): void;
  reject(error: Error): void;
}

const waitConditions: WaitCondition[] = ['not-running', 'next-exit', 'removed'];
/** How long an answer waits for its container's record to reach the state dir. */
const storeWaitMs = 5_000;

/** Real time, with timers that fire at their due time rather than up to 0.1 % of the delay late. */
const realClock: Clock = new PreciseClock();

/**
 * Creates an engine: containers as XState machines under one supervisor actor.
 * @example
 * const engine = createEngine();
 * const { id } = await engine.create({ name: 'web', cmd: ['node', 'server.js'], stopTimeout: 5 });
 * await engine.start(id);
 * await engine.stop('web'); // SIGTERM, 5 s, SIGKILL
 * await engine.shutdown();
 */
export function createEngine(options: EngineOptions = {}): Engine {
  return new Engine(options);
}

/** The embedding API. Refs are a name, a full id or a unique id prefix; timeouts are seconds. */
export class Engine {
  /** The supervisor actor: subscribe to it, or look containers up with `actor.system.get(...)`. */
  readonly actor: Actor<typeof supervisorMachine>;
  private readonly clock: Clock;
  private readonly logger: EngineLog;
  private readonly bus: EventBus;
  private readonly entries = new Map<string, Entry>();
  private readonly names = new Map<string, string>();
  private readonly pending = new Map<string, Pending>();
  private readonly logBufferBytes: number;
  private readonly images: ImageStore | undefined;
  private readonly store: ContainerStore | undefined;
  private readonly logFiles: LogFiles | undefined;
  /** The runtime's name, as Docker's Driver: berth-process, runc or custom. */
  readonly driver: string;
  private requestSeq = 0;
  private closing = false;
  private shutdownResult: Promise<ShutdownResult>;
  private settleShutdown!: (result: ShutdownResult) => void;

  constructor(options: EngineOptions) {
    parseEngineNumbers(options);
    this.clock = options.clock ?? realClock;
    this.logger = engineLog(options.logger ?? silentLogger());
    this.logBufferBytes = options.logBufferBytes ?? 1024 * 1024;
    this.bus = new EventBus({ clock: this.clock, queueSize: options.eventQueueSize, historySize: options.eventHistorySize });
    this.shutdownResult = new Promise((resolve) => { this.settleShutdown = resolve; });
    const onOutput = (id: string, stream: 'stdout' | 'stderr', chunk: Buffer) => this.entries.get(id)?.output.write(stream, chunk);
    let runtime: AnyActorLogic;
    if (options.runtime === 'runc') {
      const runc = setUpRunc(options.stateDir ?? defaultRuncStateDir, onOutput);
      if (runc.orphans.length) this.logger.warn({ orphans: runc.orphans }, 'killed and deleted containers a previous engine left running');
      runtime = runc.logic;
      this.images = runc.images;
      this.driver = 'runc';
    } else if (options.runtime === undefined || options.runtime === 'process') {
      this.driver = 'berth-process';
      // Containers are persisted with the process runtime only: runc's are found and cleaned at
      // start-up. Persisted ones may outlive this engine, so their output goes through files.
      if (options.stateDir) {
        const { stateDir } = options;
        try {
          this.store = new ContainerStore(join(stateDir, 'containers'), (error, id) => {
            this.logger.error({ err: error, container: this.entries.get(id)?.spec.name ?? id }, 'could not write the container record to the state dir');
          });
          this.logFiles = new LogFiles(join(stateDir, 'logs'));
        } catch (error) {
          throw new InvalidArgumentError(`cannot keep state in ${JSON.stringify(stateDir)}: ${(error as Error).message}: give a writable directory on a real filesystem`);
        }
      }
      runtime = createProcessRuntime({ onOutput, logFiles: this.logFiles });
    } else {
      runtime = options.runtime;
      this.driver = 'custom';
    }
    const machine = supervisorMachine.provide({
      actors: { container: containerMachine.provide({ actors: { runtime: guardRuntime(runtime) } }), osSignals },
    });
    this.actor = createActor(machine, {
      input: { timings: options.timings, handleSignals: options.handleSignals },
      clock: this.clock,
      ...(options.inspect ? { inspect: guardInspector(options.inspect, this.logger) } : {}),
    });
    indexScheduledEvents(this.actor.system);
    dropChildDoneEvents(this.actor.system, this.actor, containerActorIdPrefix);
    this.actor.on('reply', (reply) => this.guard(() => this.settle(reply)));
    this.actor.on('child.failed', (failure) => this.guard(() => this.onChildFailed(failure)));
    this.actor.subscribe({
      next: (snapshot) => { if (snapshot.status === 'done') this.finishShutdown(); },
      error: (error) => this.logger.error({ err: error }, 'the supervisor failed'),
    });
    this.actor.start();
    if (this.store) this.recover(this.store);
  }

  /** Creates a container (Docker's `create`); it does not start it. */
  async create(options: CreateOptions): Promise<{ id: string; name: string; warnings: string[] }> {
    this.assertOpen();
    const id = randomBytes(32).toString('hex');
    const spec = toContainerSpec(options, id, this.clock.now());
    this.images?.resolve(spec.image);
    const warnings = warningsFor(spec);
    if (this.names.has(spec.name)) {
      throw nameInUse(spec.name, this.names.get(spec.name)!);
    }
    const entry = this.register(spec, warnings);
    this.publish(entry, 'create', this.clock.now());
    this.persist(entry);
    await this.written(id);
    this.logger.info({ container: spec.name, cid: id.slice(0, 12), cmd: spec.cmd }, 'created');
    for (const warning of warnings) this.logger.warn({ container: spec.name, cid: id.slice(0, 12) }, warning);
    return { id, name: spec.name, warnings };
  }

  // Spawns the container's machine under the supervisor and starts listening to it.
  private register(spec: ContainerSpec, warnings: string[]): Entry {
    const actorId = containerActorId(spec);
    this.actor.send({ type: 'container.create', spec });
    const ref = this.actor.system.get(actorId);
    if (!ref) throw new ConflictError(`container ${spec.name} could not be created: the engine is shutting down`);
    const output = new OutputBuffer(this.logBufferBytes, () => this.clock.now(), (error) => {
      this.logger.error({ err: error, container: spec.name }, 'a followLogs listener threw: it was unsubscribed; the container and the engine carry on');
    });
    const entry: Entry = { spec, warnings, actorId, ref, output };
    this.entries.set(spec.id, entry);
    this.names.set(spec.name, spec.id);
    ref.on('*', (event: ContainerEmitted) => this.guard(() => this.onContainerEmitted(entry, event)));
    return entry;
  }

  // Writes the container's record to the state dir (when there is one).
  private persist(entry: Entry): void {
    if (!this.store) return;
    const snapshot = entry.ref.getSnapshot();
    const { context } = snapshot;
    const status = statusOf(snapshot);
    const running = status !== 'created' && status !== 'exited';
    if (context.pid > 0 && entry.process?.pid !== context.pid) entry.process = { pid: context.pid, startTime: readProcessStartTime(context.pid) };
    const startTime = context.pid > 0 ? entry.process?.startTime : undefined;
    // Written off the event loop; the replies to this container wait for it (settle).
    void this.store.save({
      version: 1,
      spec: entry.spec,
      state: {
        running, pid: context.pid, ...(startTime ? { startTime } : {}), startedAt: context.startedAt, finishedAt: context.finishedAt,
        exitCode: context.exitCode, error: context.error, restartCount: context.restart.count, manuallyStopped: context.restart.manuallyStopped,
        generation: context.generation,
      },
    });
  }

  // Resolves once the state dir holds what is queued for this container (or everything), or after
  // `storeWaitMs`: a disk that hangs delays answers, it does not stop them.
  private written(id?: string): Promise<void> | undefined {
    const writing = id === undefined ? this.store?.flush() : this.store?.pending(id);
    if (!writing) return undefined;
    return new Promise((resolve) => {
      const late = setTimeout(() => {
        this.logger.warn({ container: id === undefined ? undefined : this.entries.get(id)?.spec.name ?? id, waitedMs: storeWaitMs }, 'the state dir is slow to write: answering before the record is on disk');
        resolve();
      }, storeWaitMs);
      void writing.then(() => {
        clearTimeout(late);
        resolve();
      });
    });
  }

  // A restarted engine: every recorded container comes back; a still running process (same pid
  // and start time) is adopted, the others are exited; restart policies apply as at Docker's
  // daemon start.
  private recover(store: ContainerStore): void {
    const { records, setAside } = store.loadAll();
    for (const reason of setAside) this.logger.error({ reason }, 'set aside an unreadable container record (moved to corrupt/)');
    for (const { spec, state } of records) {
      if (this.names.has(spec.name)) continue;
      const entry = this.register(spec, warningsFor(spec));
      const alive = state.running && state.pid > 0 && state.startTime !== undefined && isSameProcess(state.pid, state.startTime) && isProcessAlive(state.pid);
      const common = { restartCount: state.restartCount, manuallyStopped: state.manuallyStopped, generation: state.generation };
      if (alive) {
        this.send(entry, { type: 'adopt', pid: state.pid, startTime: state.startTime!, startedAt: state.startedAt ?? this.clock.now(), ...common });
        this.logger.info({ container: spec.name, cid: spec.id.slice(0, 12), pid: state.pid }, 'adopted a container that kept running while the engine was down');
        continue;
      }
      const exitCode = state.running ? unknownExitCode : state.exitCode;
      const error = state.running ? 'exit status unknown: the container exited while the engine was down' : state.error;
      this.send(entry, {
        type: 'restore', state: { status: state.startedAt === null ? 'created' : 'exited', exitCode, error, startedAt: state.startedAt, finishedAt: state.finishedAt ?? (state.running ? this.clock.now() : null), ...common },
      });
      this.persist(entry);
      if (state.startedAt !== null && restartsOnEngineStart(spec.restart, exitCode, state.manuallyStopped)) {
        this.logger.info({ container: spec.name, policy: spec.restart.name }, 'restarting after the engine restart (restart policy)');
        void this.command(spec.id, { type: 'start' }).catch((reason: Error) => this.logger.error({ container: spec.name, reason: reason.message }, 'could not restart'));
      }
    }
  }

  /** Starts a created or exited container; resolves once its process runs. */
  async start(ref: string): Promise<void> {
    this.assertOpen();
    await this.command(ref, { type: 'start' });
  }

  /**
   * Docker's stop: the stop signal, then SIGKILL after the timeout, then the direct kill.
   * Resolves after the exit; rejects with SystemError if even the direct kill did not end it,
   * NotModifiedError if it was not running.
   */
  async stop(ref: string, options: StopOptions = {}): Promise<void> {
    await this.command(ref, { type: 'stop', ...parseStopOptions(options) });
  }

  /** Sends a signal (default SIGKILL). SIGKILL resolves after the exit, others on delivery. */
  async kill(ref: string, options: { signal?: string | number } = {}): Promise<void> {
    const signal = options.signal === undefined ? SIGKILL : parseSignal(options.signal);
    await this.command(ref, { type: 'kill', signal });
  }

  async pause(ref: string): Promise<void> {
    await this.command(ref, { type: 'pause' });
  }

  async unpause(ref: string): Promise<void> {
    await this.command(ref, { type: 'unpause' });
  }

  /** Stop (as `stop`) then start; a stopped container is just started. */
  async restart(ref: string, options: StopOptions = {}): Promise<void> {
    this.assertOpen();
    await this.command(ref, { type: 'restart', ...parseStopOptions(options) });
  }

  /**
   * Docker's rename, in any state: the name changes, the id and the rest stay, and a `rename` event
   * names the old one. (The container's actor keeps the id it was given, with the old name.)
   */
  async rename(ref: string, name: string): Promise<void> {
    const entry = this.lookup(ref);
    const newName = parseName(name);
    const oldName = entry.spec.name;
    if (newName === oldName) throw new InvalidArgumentError('Renaming a container with the same name as its current name');
    const holder = this.names.get(newName);
    if (holder !== undefined) throw nameInUse(newName, holder);
    this.assertSupervised(entry);
    entry.spec = { ...entry.spec, name: newName };
    this.names.delete(oldName);
    this.names.set(newName, entry.spec.id);
    this.send(entry, { type: 'rename', name: newName });
    this.publish(entry, 'rename', this.clock.now(), eventAttributes(entry.spec, { oldName: `/${oldName}` }));
    this.persist(entry);
    await this.written(entry.spec.id);
  }

  /** Removes a container; `force` kills a running one first (SIGKILL, as `docker rm -f`). */
  async remove(ref: string, options: { force?: boolean } = {}): Promise<void> {
    await this.command(ref, { type: 'remove', force: options.force === true });
  }

  /** Docker's wait: resolves with the exit status when the condition is met. */
  async wait(ref: string, options: WaitOptions = {}): Promise<WaitResult> {
    const condition = options.condition ?? 'not-running';
    if (!waitConditions.includes(condition)) {
      throw new InvalidArgumentError(`invalid condition: ${JSON.stringify(condition)}: use one of ${waitConditions.join(', ')}`);
    }
    options.signal?.throwIfAborted();
    const result = this.command(ref, { type: 'wait', condition }, (requestId, entry) => {
      options.signal?.addEventListener('abort', () => {
        const pending = this.pending.get(requestId);
        if (!pending) return;
        this.pending.delete(requestId);
        this.send(entry, { type: 'wait.cancel', requestId });
        pending.reject(options.signal!.reason instanceof Error ? options.signal!.reason : new Error('the wait was aborted'));
      }, { once: true });
    });
    return (await result)!;
  }

  /** Docker's inspect shape, from the container's last snapshot: answers at once, whatever the container is doing. */
  inspect(ref: string): InspectResponse {
    const entry = this.lookup(ref);
    return toInspect(entry.ref.getSnapshot(), { driver: this.driver, warnings: entry.warnings });
  }

  /** Docker's list shape; running (incl. paused and restarting) containers unless `all`. */
  list(options: { all?: boolean } = {}): ContainerSummary[] {
    const now = this.clock.now();
    const listed: { createdAt: number; summary: ContainerSummary }[] = [];
    for (const entry of [...this.entries.values()].reverse()) {
      const snapshot = entry.ref.getSnapshot();
      const status = statusOf(snapshot);
      if (options.all || status === 'running' || status === 'paused' || status === 'restarting') listed.push({ createdAt: entry.spec.createdAt, summary: toSummary(snapshot, now) });
    }
    // Newest first to the millisecond (Created is whole seconds), as Docker sorts: `docker ps -l` wants the latest.
    return listed.sort((a, b) => b.createdAt - a.createdAt).map((item) => item.summary);
  }

  /** The container's captured output (bounded per container, see `logBufferBytes`). */
  logs(ref: string, options: LogOptions = {}): LogLine[] {
    return this.lookup(ref).output.read(parseLogOptions(options));
  }

  /** The lines `logs` gives, as the chunks they came in (complete lines joined by "\n"): for forwarding them. */
  logChunks(ref: string, options: LogOptions = {}): LogChunk[] {
    return this.lookup(ref).output.readChunks(parseLogOptions(options));
  }

  /** Calls `listener` for each new output line of a container until the returned function is called. */
  followLogs(ref: string, listener: (line: LogLine) => void): () => void {
    if (typeof listener !== 'function') throw new InvalidArgumentError(`followLogs needs a function to call with each new line, got ${typeof listener}`);
    return this.lookup(ref).output.follow(listener);
  }

  /**
   * Calls `listener` with each new chunk of a container's output (its complete lines, joined by
   * "\n") until the returned function is called: one call per read of the output, where
   * `followLogs` makes one per line (32,768 for a 64 KiB chunk of `yes`). For forwarding output.
   */
  followLogChunks(ref: string, listener: (chunk: LogChunk) => void): () => void {
    if (typeof listener !== 'function') throw new InvalidArgumentError(`followLogChunks needs a function to call with each new chunk, got ${typeof listener}`);
    return this.lookup(ref).output.followChunks(listener);
  }

  /** Lifecycle events in Docker's message shape, as an async iterable (see EventBus for overflow). */
  events(filters: EventFilters = {}): AsyncIterableIterator<DockerEvent> {
    return this.bus.subscribe(filters);
  }

  /**
   * Stops every running container in parallel with its own signal and timeout, then stops the
   * engine. The budget is max(15 s, largest stop timeout + 5 s) unless `timeout` (seconds) is
   * given; what still runs then is killed.
   */
  async shutdown(options: { timeout?: number } = {}): Promise<ShutdownResult> {
    const timeoutMs = options.timeout === undefined ? undefined : parseTimeoutSeconds('timeout', options.timeout);
    if (!this.closing) {
      this.closing = true;
      this.logger.info('shutting down');
      this.actor.send({ type: 'shutdown', timeoutMs });
    }
    return this.shutdownResult;
  }

  private async command(
    ref: string,
    command: DistributiveOmit<ContainerCommand, 'requestId'>,
    onSent?: (requestId: string, entry: Entry) => void,
  ): Promise<WaitResult | undefined> {
    const entry = this.lookup(ref);
    // A machine that threw answers nothing any more (onChildFailed): the engine answers for it.
    const machine = entry.ref.getSnapshot();
    if (machine.status === 'error') {
      if (command.type === 'remove') {
        this.publish(entry, 'destroy', this.clock.now());
        return this.forget(entry);
      }
      throw new SystemError(`the state machine of container ${entry.spec.name} failed (${messageOf(machine.error)}), so it can no longer be managed; its process was killed. Remove it (docker rm) and create it again`);
    }
    this.assertSupervised(entry);
    const requestId = `req-${++this.requestSeq}`;
    const reply = new Promise<WaitResult | undefined>((resolve, reject) => this.pending.set(requestId, { actorId: entry.actorId, resolve, reject }));
    this.send(entry, { ...command, requestId } as ContainerCommand);
    onSent?.(requestId, entry);
    return reply;
  }

  // Straight to the container's actor, not through the supervisor's `container.command`: that
  // route costs the supervisor a macrostep per command, with nothing for it to decide (the entry
  // is the live actor: a removed container's entry is gone). Measured in bench/README.md.
  private send(entry: Entry, command: ContainerCommand | ContainerRecovery): void {
    entry.ref.send(command);
  }

  // The supervisor has stopped (and its container actors with it): XState drops what is sent to
  // them, so nothing would answer.
  private assertSupervised(entry: Entry): void {
    if (this.actor.getSnapshot().status === 'active') return;
    throw new ConflictError(`the engine has shut down and no longer manages container ${entry.spec.name}: create a new engine (with the same state dir, it adopts what still runs)`);
  }

  // Docker's lookup order: full id, exact name, unique id prefix.
  private lookup(ref: string): Entry {
    if (typeof ref !== 'string' || ref === '') throw new InvalidArgumentError(`Expected a container name or id, got ${JSON.stringify(ref)}`);
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    const exact = this.entries.get(ref) ?? this.entries.get(this.names.get(name) ?? '');
    if (exact) return exact;
    const matches = [...this.entries.values()].filter((entry) => entry.spec.id.startsWith(ref));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw new InvalidArgumentError(`multiple IDs found with provided prefix: ${ref}: give more of the id, or the name`);
    throw new NotFoundError(`No such container: ${ref}`);
  }

  private onContainerEmitted(entry: Entry, event: ContainerEmitted): void {
    if (event.type === 'reply') return this.settle(event, entry);
    if (event.type === 'lifecycle') {
      if (event.action === 'die') entry.output.flush();
      this.publish(entry, event.action, event.at, event.attributes);
      if (event.action === 'destroy') this.forget(entry);
      else this.persist(entry);
      return;
    }
    if (!this.logger.enabled('info')) return;
    const { step } = event;
    this.logger.info({
      container: event.name, cid: event.containerId.slice(0, 12), state: step.state, elapsedMs: step.elapsedMs,
      ...(step.signal === undefined ? {} : { signal: signalName(step.signal) }),
      ...(step.timerMs === undefined ? {} : { timerMs: step.timerMs }),
      ...(step.exitCode === undefined ? {} : { exitCode: step.exitCode }),
    }, step.cause);
  }

  // XState rethrows what an event listener throws on a timer, where it ends the process.
  private guard(listener: () => void): void {
    try {
      listener();
    } catch (error) {
      this.logger.error({ err: error }, 'handling a container event failed');
    }
  }

  // The container is gone for good: its name is free, its record and log files deleted.
  private forget(entry: Entry): undefined {
    this.entries.delete(entry.spec.id);
    this.names.delete(entry.spec.name);
    this.store?.remove(entry.spec.id);
    this.logFiles?.remove(entry.spec.id);
    return undefined;
  }

  // XState stopped the failed machine. Whoever waited for it is told; later commands are answered
  // here (see `command`).
  private onChildFailed({ actorId, message }: ChildFailed): void {
    const entry = [...this.entries.values()].find((candidate) => candidate.actorId === actorId);
    this.logger.error({ actor: actorId, container: entry?.spec.name, reason: message }, 'a state machine failed; the engine carries on without it');
    if (!entry) return;
    // XState stops the actor that threw but leaves its children running (a TODO of its own, in
    // Actor._stopProcedure): stop the runtime as leaving `alive` would, which kills the process.
    const { children = {} } = entry.ref.getSnapshot() as { children?: Record<string, { _stop?: () => void }> };
    for (const child of Object.values(children)) child._stop?.();
    for (const [requestId, waiter] of this.pending) {
      if (waiter.actorId !== actorId) continue;
      this.pending.delete(requestId);
      waiter.reject(new SystemError(`the state machine of container ${entry.spec.name} failed before answering: ${message}`));
    }
  }

  // Answers a request. As Docker does, only once the state it reports is on disk: a daemon that
  // dies right after answering still knows, when it comes back, what it said.
  private settle(reply: Extract<ContainerEmitted, { type: 'reply' }>, entry?: Entry): void {
    const pending = this.pending.get(reply.requestId);
    if (!pending) return;
    this.pending.delete(reply.requestId);
    const answer = (): void => {
      if (reply.ok) pending.resolve(reply.value);
      else pending.reject(errorOfKind(reply.error.kind, reply.error.message));
    };
    const written = entry && this.written(entry.spec.id);
    if (written) void written.then(answer);
    else answer();
  }

  // `attributes` are the event's whole set (eventAttributes): a machine's lifecycle event carries
  // them built, and they are not copied again.
  private publish(entry: Entry, action: DockerEvent['Action'], at: number, attributes = eventAttributes(entry.spec)): void {
    this.bus.publish({
      Type: 'container',
      Action: action,
      Actor: { ID: entry.spec.id, Attributes: attributes },
      scope: 'local',
      time: Math.floor(at / 1000),
      timeNano: at * 1e6,
    });
  }

  private finishShutdown(): void {
    this.closing = true;
    const { forced, pending, shutdownSignal } = this.actor.getSnapshot().context;
    const remaining = pending.map((id) => this.entries.get(id)?.spec.name ?? id);
    for (const [requestId, waiter] of this.pending) {
      this.pending.delete(requestId);
      waiter.reject(new ConflictError('the engine shut down before this request was answered'));
    }
    this.bus.close();
    this.logFiles?.close();
    const finish = (): void => {
      this.logger.info({ forced, remaining, signal: shutdownSignal }, 'shut down');
      this.settleShutdown({ forced, remaining, signal: shutdownSignal });
      // The listener is gone with the supervisor: re-raising gives the process the default end
      // (or the embedder's own handler) now that the containers are down.
      if (shutdownSignal) setImmediate(() => process.kill(process.pid, shutdownSignal));
    };
    // The last exits' records first: the next engine must not find them running.
    const written = this.written();
    if (written) void written.then(finish);
    else finish();
  }

  private assertOpen(): void {
    if (this.closing) throw new ConflictError('the engine is shutting down: it takes no new containers or starts');
  }
}

// An inspector runs inside the actors' transitions: one that throws would stop the actor it was
// watching (the supervisor, and every container with it). Its first failure is logged instead.
function guardInspector(inspect: NonNullable<EngineOptions['inspect']>, logger: EngineLog): (event: InspectionEvent) => void {
  const next = typeof inspect === 'function' ? inspect : (event: InspectionEvent) => inspect.next?.(event);
  let failed = false;
  return (event) => {
    try {
      next(event);
    } catch (error) {
      if (failed) return;
      failed = true;
      logger.error({ err: error }, 'the inspector threw: the engine carries on, and its further failures are not logged');
    }
  };
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;

// Docker's 409 for a name another container has.
function nameInUse(name: string, holderId: string): ConflictError {
  return new ConflictError(`Conflict. The container name "/${name}" is already in use by container "${holderId}". You have to remove (or rename) that container to be able to reuse that name.`);
}

// A shell-form command runs under /bin/sh -c, which does not pass signals on to its child (the
// seed's shell-form problem): say so where the user will look.
function warningsFor(spec: ContainerSpec): string[] {
  if (typeof spec.cmd !== 'string') return [];
  return [`shell-form command: the stop signal goes to /bin/sh, which does not forward it to the command it runs; use the exec form (an argv array), \`exec\` in the command, or init: true`];
}

function parseStopOptions(options: StopOptions): { timeoutMs?: number; signal?: number } {
  return {
    ...(options.timeout === undefined ? {} : { timeoutMs: parseTimeoutSeconds('timeout', options.timeout) }),
    ...(options.signal === undefined ? {} : { signal: parseSignal(options.signal) }),
  };
}
