// `berth up`: runs a Compose project's services on an engine, in dependency order, prints their
// output prefixed with their names, and on Ctrl-C stops them in reverse dependency order, each
// with its own signal and grace period, showing every stop flow as it goes. A second Ctrl-C kills
// what is left at once.
import { createEngine, type Engine } from '../engine.js';
import type { DockerEvent } from '../events.js';
import { silentLogger } from '../log.js';
import { prefixLines } from '../output.js';
import { signalName } from '../signals.js';
import { monitorHealth, type Health } from './health.js';
import { stopWaves } from './order.js';
import type { Project, Service } from './project.js';

export interface UpOptions {
  out?: NodeJS.WritableStream;
  color?: boolean;
  /** The process whose signals are routed (tests pass their own emitter). */
  signals?: NodeJS.EventEmitter;
  engine?: Engine;
}

const colors = [36, 33, 32, 35, 34, 31];
const routedSignals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT'] as const;

interface Running {
  service: Service;
  container: string;
  started: Promise<void>;
  health?: Promise<void>;
  stopHealth?: () => void;
  prefix: string;
}

/** How far the output may fall behind before lines are skipped (a flooding service, a slow terminal). */
const outputBehindBytes = 8 * 1024 * 1024;

/**
 * Writes what `berth up` prints. berth up owns its services' processes, so losing its output must
 * not end it: with its stdout closed (`berth up | head`) a write fails with EPIPE, which unhandled
 * would kill berth up and orphan every service; then it prints nothing more and runs on until
 * Ctrl-C stops the services. Past `outputBehindBytes` not yet taken, lines are counted, not kept.
 */
function printer(out: NodeJS.WritableStream): (text: string) => void {
  let gone = false;
  let skipped = 0;
  out.on('error', () => { gone = true; });
  return (text) => {
    if (gone) return;
    if (((out as { writableLength?: number }).writableLength ?? 0) > outputBehindBytes) {
      skipped += 1;
      return;
    }
    if (skipped > 0) out.write(`berth: ${skipped} lines skipped: the output was read too slowly\n`);
    skipped = 0;
    out.write(text);
  };
}

/** Runs the project until it is stopped by a signal or every service has ended; resolves with the exit status. */
export async function up(project: Project, options: UpOptions = {}): Promise<number> {
  const print = printer(options.out ?? process.stdout);
  const color = options.color ?? (process.stdout.isTTY === true && !process.env.NO_COLOR);
  const signals = options.signals ?? process;
  const engine = options.engine ?? createEngine({ logger: silentLogger() });
  const width = Math.max(...project.services.map((s) => containerName(project, s).length));
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const say = (text: string) => print(`${paint(1, 'berth')} ${' '.repeat(Math.max(0, width - 5))}| ${text}\n`);
  for (const warning of project.warnings) say(`warning: ${warning}`);

  const running = new Map<string, Running>();
  let stopping: Promise<number> | undefined;
  // Ends the waits of starts that have not happened yet (a dependency to complete).
  const stopRequested = new AbortController();
  let finish!: (status: number) => void;
  const finished = new Promise<number>((resolve) => { finish = resolve; });

  const events = engine.events();
  void watchEvents(events, (event) => {
    const name = event.Actor.Attributes.name!;
    if (event.Action === 'start') say(`${name}: started`);
    if (event.Action === 'die' && !stopping) say(`${name}: exited (${event.Actor.Attributes.exitCode})`);
    if (event.Action === 'die' && !stopping) checkAllEnded();
  });

  // Events arrive through an async iterator, so the container's state is settled by then.
  const checkAllEnded = () => {
    const all = engine.list({ all: true });
    if (!stopping && running.size === project.services.length && all.every((c) => c.State === 'exited' || c.State === 'created')) {
      say('every service has ended');
      finish(0);
    }
  };

  const startService = (service: Service, index: number): Running => {
    const name = containerName(project, service);
    const prefix = paint(colors[index % colors.length]!, name.padEnd(width));
    const entry: Running = { service, container: name, prefix, started: Promise.resolve() };
    entry.started = (async () => {
      for (const dependency of service.dependsOn) {
        const other = running.get(dependency.service)!;
        await other.started;
        if (stopping) return;
        if (dependency.condition === 'service_healthy') {
          if (!other.health) throw new Error(`${service.name} waits for ${dependency.service} to be healthy, but ${dependency.service} has no healthcheck`);
          await other.health;
        }
        if (dependency.condition === 'service_completed_successfully') {
          // Until the stop: the stop takes dependents first, so it would wait for this wait.
          const { StatusCode } = await engine.wait(other.container, { condition: 'not-running', signal: stopRequested.signal });
          if (StatusCode !== 0) throw new Error(`${service.name} needs ${dependency.service} to complete successfully; it exited with ${StatusCode}`);
        }
      }
      if (stopping) return;
      await engine.create({ ...service.container, name });
      // A chunk at a time, one print each: a chatty service costs a call per read, not per line.
      engine.followLogChunks(name, (chunk) => print(`${prefixLines(chunk.text, `${prefix} | `)}\n`));
      await engine.start(name);
      if (service.healthcheck) {
        entry.health = new Promise<void>((resolve, reject) => {
          const stopMonitor = monitorHealth(service.healthcheck!, { PATH: process.env.PATH ?? '', ...service.container.env as Record<string, string> }, (health: Health, detail) => {
            say(`${name}: ${health} (${detail})`);
            if (health === 'healthy') resolve();
            if (health === 'unhealthy') reject(new Error(`${name} is unhealthy: ${detail}`));
          });
          // Stopped before a verdict: whoever waits for it must not wait for ever (the stop
          // itself waits for every dependent's start to settle).
          entry.stopHealth = () => {
            stopMonitor();
            reject(new Error(`${name} was stopped before it was healthy`));
          };
        });
        entry.health.catch(() => {});
      }
    })();
    return entry;
  };

  project.services.forEach((service, index) => {
    const entry = startService(service, index);
    running.set(service.name, entry);
    entry.started.catch((error: Error) => {
      if (stopping) return; // a start cut short by the stop: not a new error
      say(`error: ${error.message}`);
      // A service that could not start fails the run, however cleanly the others stop.
      void stop('an error').then(() => finish(1));
    });
  });

  const stop = (why: string): Promise<number> => {
    stopRequested.abort(new Error('berth up is stopping'));
    stopping ??= stopAll(project, engine, running, say, why);
    return stopping;
  };
  let kills = 0;
  const onSignal = (signal: (typeof routedSignals)[number]) => {
    const route = project.signals.get(signal);
    if (!route) return;
    if (route.action === 'ignore') return say(`${signal}: ignored (x-berth.signals)`);
    if (route.action === 'forward') {
      const targets = route.services === 'all' ? [...running.values()] : route.services.map((name) => running.get(name)!).filter(Boolean);
      for (const target of targets) void engine.kill(target.container, { signal }).catch(() => {});
      return say(`${signal}: forwarded to ${targets.map((t) => t.container).join(', ')}`);
    }
    if (!stopping) {
      say(`${signal}: stopping every service, dependents first (${signal} again to kill at once)`);
      void stop(signal).then(finish);
    } else if (kills++ === 0) {
      say(`${signal} again: killing what is left`);
      for (const entry of running.values()) void engine.kill(entry.container).catch(() => {});
    }
  };
  const handlers = routedSignals.filter((signal) => project.signals.has(signal)).map((signal) => {
    const handler = () => onSignal(signal);
    signals.on(signal, handler);
    return [signal, handler] as const;
  });

  try {
    return await finished;
  } finally {
    for (const [signal, handler] of handlers) signals.off(signal, handler);
    for (const entry of running.values()) entry.stopHealth?.();
    await events.return?.();
    if (!options.engine) await engine.shutdown({ timeout: 1 });
  }
}

// Stops every running service, wave by wave (dependents first), each with its own signal and
// grace period, printing a line as each stop flow moves; 0 if every service stopped cleanly.
async function stopAll(project: Project, engine: Engine, running: Map<string, Running>, say: (text: string) => void, why: string): Promise<number> {
  let clean = true;
  for (const entry of running.values()) entry.stopHealth?.();
  for (const wave of stopWaves(project.services)) {
    await Promise.all(wave.map(async (service) => {
      const entry = running.get(service.name);
      if (!entry) return;
      await entry.started.catch(() => {});
      let inspected;
      try { inspected = engine.inspect(entry.container); } catch { return; }
      if (!inspected.State.Running) return;
      const graceMs = (inspected.Config.StopTimeout ?? 10) * 1000;
      const signal = inspected.Config.StopSignal ?? 'SIGTERM';
      const began = Date.now();
      say(`${entry.container}: ${signal} sent (${why}), up to ${graceMs / 1000} s to exit`);
      const ticker = setInterval(() => {
        const left = Math.max(0, Math.ceil((graceMs - (Date.now() - began)) / 1000));
        say(`${entry.container}: still running, ${left} s before SIGKILL`);
      }, 1_000);
      try {
        await engine.stop(entry.container);
      } catch (error) {
        // 304: it exited on its own in the meantime, which is what a stop wants.
        if ((error as { status?: number }).status !== 304) {
          clean = false;
          say(`${entry.container}: ${(error as Error).message}`);
        }
      } finally {
        clearInterval(ticker);
      }
      const after = engine.inspect(entry.container);
      const took = ((Date.now() - began) / 1000).toFixed(1);
      const killed = after.Berth.StopFlow.some((step) => step.signalName === 'SIGKILL');
      if (killed) clean = false;
      say(`${entry.container}: ${killed ? `killed with ${signalName(9)}` : 'exited'} (${after.State.ExitCode}) after ${took} s`);
    }));
  }
  say(clean ? 'every service stopped cleanly' : 'stopped, but not every service cleanly');
  return clean ? 0 : 1;
}

async function watchEvents(events: AsyncIterableIterator<DockerEvent>, onEvent: (event: DockerEvent) => void): Promise<void> {
  try {
    for await (const event of events) onEvent(event);
  } catch { /* the engine shut down */ }
}

function containerName(project: Project, service: Service): string {
  return `${project.name}-${service.name}-1`;
}
