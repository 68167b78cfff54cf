// A runtime that does nothing by itself: it records what the machine asks of it and reports only
// what the test tells it to. Model-based tests use it so that every runtime report is a step of
// the model, exactly as the model orders them.
import { fromCallback } from 'xstate';
import type { RuntimeCommand, RuntimeInput, RuntimeReport } from '../machines/protocol.js';

/** The puppet runtime's actor logic and the strings to pull. */
export interface PuppetRuntime {
  logic: ReturnType<typeof fromCallback<RuntimeCommand, RuntimeInput>>;
  /** Commands received, in order. */
  commands: Array<{ containerId: string; generation: number; command: RuntimeCommand }>;
  /** Delivers a report to the container's current run; false if none is running. */
  report(containerId: string, report: RuntimeReport): boolean;
}

/**
 * Creates a puppet runtime.
 * @example
 * const puppet = createPuppetRuntime();
 * const engine = createEngine({ runtime: puppet.logic, clock });
 * puppet.report(id, { type: 'runtime.started', generation: 1, pid: 42 });
 */
export function createPuppetRuntime(): PuppetRuntime {
  const runs = new Map<string, (report: RuntimeReport) => void>();
  const commands: PuppetRuntime['commands'] = [];
  const logic = fromCallback<RuntimeCommand, RuntimeInput>(({ input, sendBack, receive }) => {
    const deliver = (report: RuntimeReport) => sendBack(report);
    runs.set(input.spec.id, deliver);
    receive((command) => commands.push({ containerId: input.spec.id, generation: input.generation, command }));
    return () => {
      if (runs.get(input.spec.id) === deliver) runs.delete(input.spec.id);
    };
  });
  return {
    logic,
    commands,
    report(containerId, report) {
      const deliver = runs.get(containerId);
      deliver?.(report);
      return deliver !== undefined;
    },
  };
}
