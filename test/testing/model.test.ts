// Model-based tests: paths generated from the container machine itself (@xstate/graph), run
// against the engine, checking inspect() and the events after every step.
import { describe, expect, it } from 'vitest';
import { createContainerTestModel, modelTimings, serializeDetailedModelState, simplePathEvents } from '../../src/testing/model.js';
import { machineStatePath } from '../../src/runtime/inspect.js';
import { runModelPathOnProcesses, runModelPathOnPuppet, unrealizableStates, type ModelStep } from '../support/model-runner.js';
import { realEngine } from '../support/real-engine.js';

const model = createContainerTestModel();

describe('model-based: every simple path, engine with the puppet runtime on a SimulatedClock', () => {
  const paths = model.getSimplePaths({ events: simplePathEvents as never });
  const states = new Set(paths.flatMap((p) => p.steps.map((s) => JSON.stringify(s.state.value))));
  it(`covers ${paths.length} simple paths through ${states.size} machine states`, async () => {
    console.log(`model-based: ${paths.length} simple paths (bound: no revisit of a machine state with the same pending freeze/thaw), ${states.size} distinct machine states, longest ${Math.max(...paths.map((p) => p.steps.length))} steps`);
    expect(states.size).toBe(13);
    for (const path of paths) await runModelPathOnPuppet(path.steps as unknown as ModelStep[]);
  }, 120_000);

  it('reaches every finer model state (flags and pending requests) by its shortest path', async () => {
    const shortest = model.getShortestPaths({ serializeState: serializeDetailedModelState as never });
    console.log(`model-based: ${shortest.length} shortest paths to the finer model states`);
    for (const path of shortest) await runModelPathOnPuppet(path.steps as unknown as ModelStep[]);
  }, 240_000);
});

describe('model-based: the shortest path to every machine state, engine with real processes', () => {
  // One path per machine state: the shortest one a real process can walk (no failed delivery, no SIGKILL that does not land).
  const byState = new Map<string, (typeof all)[number]>();
  const all = model.getShortestPaths({ allowDuplicatePaths: true });
  for (const path of all) {
    const events = path.steps.map((s) => s.event.type);
    const state = machineStatePath(path.state.value);
    const realizable = !events.includes('runtime.signalFailed') && !events.some((e) => e.includes('killWait') || e.includes('directKillWait'));
    if (realizable && !unrealizableStates.includes(state) && (byState.get(state)?.steps.length ?? Infinity) > path.steps.length) byState.set(state, path);
  }
  const paths = [...byState.values()];
  it(`reaches ${paths.length} machine states with real processes and short timings`, async () => {
    const engine = realEngine({ timings: modelTimings });
    const reached = new Set(paths.map((p) => machineStatePath(p.state.value)));
    console.log(`model-based (real processes): ${paths.length} shortest paths to ${reached.size} states: ${[...reached].sort().join(', ')}`);
    expect(reached).toEqual(new Set(['created', 'alive.starting', 'alive.running', 'alive.paused', 'alive.stopping.graceful', 'alive.stopping.untimed', 'alive.killing.awaitingExit', 'restarting', 'exited', 'removed']));
    let n = 0;
    for (const path of paths) await runModelPathOnProcesses(engine, `real${n++}`, path.steps as unknown as ModelStep[]);
  }, 120_000);
});
