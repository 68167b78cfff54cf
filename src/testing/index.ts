// berth/testing: what test authors need to drive berth's machines deterministically.
export { createFakeRuntime } from '../actors/fake.js';
export type { FakeBehaviour, FakeRuntime, FakeRuntimeOptions, FakeSignalRecord, SignalReaction } from '../actors/fake.js';
export { createPuppetRuntime } from '../actors/puppet.js';
export type { PuppetRuntime } from '../actors/puppet.js';
export {
  createContainerTestModel, modelEvents, modelSpec, modelTimings, modelPid, serializeModelState, serializeDetailedModelState, simplePathEvents, timerEvents,
} from './model.js';
export { simulate, formatTimeline } from '../runtime/simulate.js';
export type { SimulateOptions, SimulationResult, ScriptStep, TimelineEntry } from '../runtime/simulate.js';
export { SimulatedClock } from 'xstate';
