// Docker's inspect and list shapes, computed from a container machine's snapshot. Reading a
// snapshot never waits on the container, so a container stuck mid-stop still answers at once
// (Docker's inspect takes the container lock, docker-lifecycle.md (k).1).
import type { ContainerContext } from '../machines/container.js';
import { messageOf, type FlowStep } from '../machines/records.js';
import { signalName } from './signals.js';

/** What inspect and list need of a container machine's snapshot. */
export interface ContainerSnapshot {
  value: unknown;
  context: ContainerContext;
  /** XState's: 'error' once the machine threw and was stopped (the container is then dead). */
  status?: string;
  error?: unknown;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

const zeroTime = '0001-01-01T00:00:00Z';

/** The machine state as a dotted path, e.g. "alive.stopping.graceful". */
export function machineStatePath(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, child] = Object.entries(value as Record<string, unknown>)[0] ?? ['', ''];
  return `${key}.${machineStatePath(child)}`;
}

/** Docker's State.Status for a machine state (docker-lifecycle.md (a)). */
export function statusOf(snapshot: ContainerSnapshot): ContainerStatus {
  if (snapshot.status === 'error') return 'dead';
  const path = machineStatePath(snapshot.value);
  if (path === 'alive.paused') return 'paused';
  if (path === 'alive.starting') return snapshot.context.startedAt === null ? 'created' : 'restarting';
  if (path.startsWith('alive.')) return 'running';
  if (path === 'restarting') return 'restarting';
  if (path === 'removed') return 'removing';
  if (path === 'created' || (path === 'startFailed' && snapshot.context.startedAt === null)) return 'created';
  return 'exited';
}

export function stateOf(snapshot: ContainerSnapshot): ContainerState {
  const status = statusOf(snapshot);
  const { context } = snapshot;
  const running = status === 'running' || status === 'paused' || status === 'restarting';
  return {
    Status: status,
    Running: running,
    Paused: status === 'paused',
    Restarting: status === 'restarting',
    OOMKilled: false,
    Dead: status === 'dead',
    Pid: status === 'dead' ? 0 : context.pid,
    ExitCode: context.exitCode,
    Error: status === 'dead' ? `the container's state machine failed: ${messageOf(snapshot.error)}` : context.error,
    StartedAt: context.startedAt === null ? zeroTime : new Date(context.startedAt).toISOString(),
    FinishedAt: context.finishedAt === null ? zeroTime : new Date(context.finishedAt).toISOString(),
  };
}

/** A stop-flow step with the signal named, as inspect shows it. */
export interface InspectedStep extends FlowStep {
  signalName?: string;
}

/** Docker's InspectResponse core, plus `Berth` with the machine state and the last stop flow. */
export function toInspect(snapshot: ContainerSnapshot, extra: { driver?: string; warnings?: string[] } = {}) {
  const { spec, timings } = snapshot.context;
  const [path, ...args] = typeof spec.cmd === 'string' ? ['/bin/sh', '-c', spec.cmd] : spec.cmd;
  return {
    Id: spec.id,
    Created: new Date(spec.createdAt).toISOString(),
    Path: path,
    Args: args,
    State: stateOf(snapshot),
    Image: spec.image,
    Name: `/${spec.name}`,
    RestartCount: snapshot.context.restart.count,
    Driver: extra.driver ?? 'berth-process',
    Platform: 'linux',
    HostConfig: {
      RestartPolicy: { Name: spec.restart.name, MaximumRetryCount: spec.restart.maximumRetryCount },
      AutoRemove: spec.autoRemove,
      Init: spec.init,
    },
    Config: {
      Image: spec.image,
      Cmd: typeof spec.cmd === 'string' ? ['/bin/sh', '-c', spec.cmd] : spec.cmd,
      Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
      WorkingDir: spec.cwd ?? '',
      Labels: spec.labels,
      StopSignal: spec.stopSignal === undefined ? undefined : signalName(spec.stopSignal),
      StopTimeout: spec.stopTimeoutMs === undefined ? undefined : spec.stopTimeoutMs / 1000,
      Tty: false,
      OpenStdin: false,
    },
    Berth: {
      Warnings: extra.warnings ?? [],
      MachineState: machineStatePath(snapshot.value),
      Generation: snapshot.context.generation,
      ManuallyStopped: snapshot.context.restart.manuallyStopped,
      /** True once a stop ran out of rungs: SIGKILL and the direct kill did not end the process. */
      Stuck: snapshot.context.stuck,
      RestartDelayMs: snapshot.context.restart.delayMs,
      Timings: timings,
      StopFlow: snapshot.context.flow.steps.map((step): InspectedStep =>
        step.signal === undefined ? step : { ...step, signalName: signalName(step.signal) }),
    },
  };
}

export type InspectResponse = ReturnType<typeof toInspect>;

/** Docker's list item (`docker ps`). */
export function toSummary(snapshot: ContainerSnapshot, now: number) {
  const { spec } = snapshot.context;
  const inspect = toInspect(snapshot);
  return {
    Id: spec.id,
    Names: [`/${spec.name}`],
    Image: spec.image,
    ImageID: '',
    Command: [inspect.Path, ...inspect.Args].join(' '),
    Created: Math.floor(spec.createdAt / 1000),
    Ports: [] as unknown[],
    Labels: spec.labels,
    State: inspect.State.Status,
    Status: humanStatus(snapshot, now),
    HostConfig: { NetworkMode: 'host' },
    NetworkSettings: { Networks: {} },
    Mounts: [] as unknown[],
  };
}

export type ContainerSummary = ReturnType<typeof toSummary>;

/** The STATUS column of `docker ps`: "Up 5 seconds", "Exited (137) 2 minutes ago", ... */
export function humanStatus(snapshot: ContainerSnapshot, now: number): string {
  const status = statusOf(snapshot);
  const { startedAt, finishedAt, exitCode } = snapshot.context;
  if (status === 'restarting') return `Restarting (${exitCode}) ${humanDuration(now - (finishedAt ?? now))} ago`;
  if (status === 'running' || status === 'paused') {
    return `Up ${humanDuration(now - (startedAt ?? now))}${status === 'paused' ? ' (Paused)' : ''}`;
  }
  if (status === 'removing') return 'Removal In Progress';
  if (status === 'created') return 'Created';
  if (finishedAt === null) return '';
  return `Exited (${exitCode}) ${humanDuration(now - finishedAt)} ago`;
}

/** go-units HumanDuration, as Docker prints durations. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 14) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 60) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}
