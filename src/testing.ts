// berth/testing: what test authors need to drive berth's machines deterministically.
export { createFakeRuntime } from './actors/fake.js';
export type { FakeBehaviour, FakeRuntime, FakeRuntimeOptions, FakeSignalRecord, SignalReaction } from './actors/fake.js';
export { SimulatedClock } from 'xstate';
