// berth's public API: the engine, its errors and the shapes it returns.
export { createEngine, Engine } from './runtime/engine.js';
export type { EngineOptions, StopOptions, WaitOptions, ShutdownResult } from './runtime/engine.js';
export type { CreateOptions } from './runtime/spec.js';
export {
  BerthError, NotFoundError, NotModifiedError, ConflictError, InvalidArgumentError, SystemError,
} from './runtime/errors.js';
export { EventStreamOverflowError } from './runtime/events.js';
export type { DockerEvent, EventFilters } from './runtime/events.js';
export type { ContainerState, ContainerStatus, ContainerSummary, InspectResponse } from './runtime/inspect.js';
export type { LogChunk, LogLine, LogOptions } from './runtime/output.js';
export { parseSignal, signalName } from './runtime/signals.js';
export { simulate, formatTimeline, parseScriptCommand } from './runtime/simulate.js';
export type { SimulateOptions, SimulationResult, ScriptStep, TimelineEntry } from './runtime/simulate.js';
export { cliLogger, silentLogger } from './runtime/log.js';
export { containerMachine } from './machines/container.js';
export { supervisorMachine } from './machines/supervisor.js';
export { defaultTimings } from './machines/spec.js';
export type { ContainerSpec, Timings, RestartPolicy } from './machines/spec.js';
export type { FlowStep, WaitCondition, WaitResult } from './machines/records.js';
export type { RuntimeCommand, RuntimeInput, RuntimeReport } from './machines/protocol.js';
