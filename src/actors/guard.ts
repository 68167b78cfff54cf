// A runtime is code the container machine does not control: an embedder's own, or ours with a
// bug. XState turns an exception thrown in an actor into an error that stops the actor and then,
// unhandled, its parent: the container's machine, and after it the supervisor with every other
// container. The guard turns what a runtime throws into the report the machine already handles
// for that command, so the container answers (a failed start, a signal that did not land) and no
// one else notices.
import type { ActorLogic, AnyActorLogic, AnyActorRef, EventObject } from 'xstate';
import type { RuntimeCommand, RuntimeInput, RuntimeReport } from '../machines/protocol.js';
import { messageOf } from '../machines/records.js';

type Logic = ActorLogic<any, EventObject, RuntimeInput, any, any>;

// The report that stands for a command the runtime threw on; undefined for anything else it was sent.
function failureReport(event: EventObject, generation: number, name: string, error: unknown): RuntimeReport | undefined {
  const command = event as RuntimeCommand;
  const reason = `the runtime threw: ${messageOf(error)}`;
  if (command.type === 'signal') {
    return { type: 'runtime.signalFailed', generation, seq: command.seq, code: 'ERUNTIME', message: `could not send signal ${command.signal} to container ${name}: ${reason}` };
  }
  if (command.type === 'freeze' || command.type === 'thaw') {
    return { type: 'runtime.freezeFailed', generation, message: `could not ${command.type} container ${name}: ${reason}` };
  }
  return undefined;
}

/**
 * Wraps runtime logic so nothing it throws escapes: a throw while starting becomes
 * `runtime.startFailed` (exit code 128, as Docker's for a runtime error), a throw on a command
 * becomes its failure report, a throw in its cleanup is dropped (the run is over anyway).
 * @example containerMachine.provide({ actors: { runtime: guardRuntime(myRuntime) } })
 */
export function guardRuntime<TLogic extends AnyActorLogic>(logic: TLogic): TLogic {
  const inner = logic as unknown as Logic;
  const inputs = new WeakMap<AnyActorRef, RuntimeInput>();
  const report = (self: AnyActorRef, event: RuntimeReport): void => self._parent?.send(event);
  const guarded: Logic = {
    ...inner,
    getInitialSnapshot(scope, input) {
      inputs.set(scope.self, input);
      return inner.getInitialSnapshot(scope, input);
    },
    start(snapshot, scope) {
      try {
        inner.start?.(snapshot, scope);
      } catch (error) {
        const input = inputs.get(scope.self);
        if (!input) throw error;
        report(scope.self, { type: 'runtime.startFailed', generation: input.generation, exitCode: 128, message: `the runtime could not start container ${input.spec.name}: it threw: ${messageOf(error)}` });
      }
    },
    transition(snapshot, event, scope) {
      try {
        return inner.transition(snapshot, event, scope);
      } catch (error) {
        const input = inputs.get(scope.self);
        if (event.type === 'xstate.stop') return { ...snapshot, status: 'stopped' };
        const failure = input && failureReport(event, input.generation, input.spec.name, error);
        if (!failure) throw error;
        report(scope.self, failure);
        return snapshot;
      }
    },
  };
  return guarded as unknown as TLogic;
}
