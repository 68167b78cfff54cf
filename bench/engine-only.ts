// W5: berth's own cost, without processes: the fake runtime (berth/testing) on a simulated clock,
// so a stop is only messages between the engine, the supervisor and a container machine.
import { createEngine, type Engine } from '../src/index.js';
import { createFakeRuntime, SimulatedClock } from '../src/testing/index.js';

export interface EngineOnlyOptions {
  /** Full lifecycles run one after another for the throughput figure. */
  lifecycles: number;
  /** Containers held by one supervisor at once. */
  supervisorSize: number;
}

function fakeEngine(): Engine {
  const clock = new SimulatedClock();
  // The fake process dies of SIGTERM at once (its default reaction), so a stop needs no clock advance.
  return createEngine({ runtime: createFakeRuntime({ clock }).logic, clock });
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Runs W5 once and returns its figures: lifecycles per second, and for the large supervisor the
 * create-and-start time, the heap per container, and the stop and remove times of all at once.
 * @example await runEngineOnly({ lifecycles: 2000, supervisorSize: 10_000 })
 */
export async function runEngineOnly(options: EngineOnlyOptions): Promise<Record<string, number>> {
  const throughput = fakeEngine();
  const startedAt = performance.now();
  for (let i = 0; i < options.lifecycles; i++) {
    const name = `life-${i}`;
    await throughput.create({ name, cmd: ['fake'] });
    await throughput.start(name);
    await throughput.stop(name);
    await throughput.remove(name);
  }
  const lifecyclesPerSecond = options.lifecycles / ((performance.now() - startedAt) / 1000);
  await throughput.shutdown();

  const heapBefore = heapAfterGc();
  const engine = fakeEngine();
  const names = Array.from({ length: options.supervisorSize }, (_, i) => `big-${i}`);
  let mark = performance.now();
  await Promise.all(names.map(async (name) => {
    await engine.create({ name, cmd: ['fake'] });
    await engine.start(name);
  }));
  const createStart = performance.now() - mark;
  const heapPerContainer = (heapAfterGc() - heapBefore) / options.supervisorSize;
  mark = performance.now();
  await Promise.all(names.map((name) => engine.stop(name)));
  const stopAll = performance.now() - mark;
  mark = performance.now();
  await Promise.all(names.map((name) => engine.remove(name)));
  const removeAll = performance.now() - mark;
  await engine.shutdown();
  return { lifecyclesPerSecond, createStart, heapPerContainer, stopAll, removeAll };
}
