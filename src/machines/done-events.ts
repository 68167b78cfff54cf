// XState memoizes, on each state node of a machine, the transitions it found for every event type
// the machine has received, and never forgets one. A parent receives `xstate.done.actor.<child
// id>` when a child reaches its final state, so the supervisor, whose container actors each have
// their own id, kept about 130 bytes for every container ever removed (a daemon that ran a
// million containers: about 130 MB). The supervisor has nothing to do on those events: they are
// still shown to the inspector, and no longer delivered.
import type { ActorSystem, AnyActorRef, AnyEventObject } from 'xstate';

// The system's internal relay, through which XState delivers every event between actors.
interface RelayingSystem {
  _relay(source: AnyActorRef | undefined, target: AnyActorRef, event: AnyEventObject): void;
  _sendInspectionEvent(event: { type: '@xstate.event'; sourceRef: AnyActorRef | undefined; actorRef: AnyActorRef; event: AnyEventObject }): void;
}

/**
 * Stops delivering to `parent` the done events of its children whose ids start with `childIdPrefix`.
 * Call it right after `createActor`, before `start`.
 * @example const actor = createActor(supervisor); dropChildDoneEvents(actor.system, actor, 'container:');
 */
export function dropChildDoneEvents(system: ActorSystem<any>, parent: AnyActorRef, childIdPrefix: string): void {
  const relaying = system as unknown as RelayingSystem;
  const relay = relaying._relay;
  const dropped = `xstate.done.actor.${childIdPrefix}`;
  relaying._relay = (source, target, event) => {
    if (target !== parent || !event.type.startsWith(dropped)) return relay(source, target, event);
    relaying._sendInspectionEvent({ type: '@xstate.event', sourceRef: source, actorRef: target, event });
  };
}
