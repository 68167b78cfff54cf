// XState keeps every delayed event of an actor system (each `after` timer of each container) in
// one map, and whenever any actor stops it cancels that actor's timers by walking the whole map:
// a stopping container's runtime actor walked the stop timers of all the other containers. With
// n containers stopping at once that is O(n²) (bench/README.md: a quarter of the exit path of 200
// stopping processes). This index makes it O(the actor's own timers).
import type { ActorSystem, AnyActorRef } from 'xstate';

type AnyActorSystem = ActorSystem<any>;

/**
 * Gives `system.scheduler.cancelAll` an index of each actor's scheduled event ids. Call it right
 * after `createActor`, before `start`, so no timer is scheduled unseen.
 * @example const actor = createActor(machine); indexScheduledEvents(actor.system); actor.start();
 */
export function indexScheduledEvents(system: AnyActorSystem): void {
  const { scheduler } = system;
  const { schedule, cancel } = scheduler;
  const ids = new WeakMap<AnyActorRef, Set<string>>();
  // XState calls these through `system.scheduler`, so replacing the members is enough. An id is
  // dropped when it is canceled; XState cancels an `after` timer whenever its state is left, fired
  // or not, so a long-lived container's set holds the timers of its current states only.
  Object.assign(scheduler, {
    schedule(source: AnyActorRef, target: AnyActorRef, event: Parameters<typeof schedule>[2], delay: number, id?: string) {
      const resolved = id ?? Math.random().toString(36).slice(2); // XState's own default id
      let own = ids.get(source);
      if (!own) ids.set(source, (own = new Set()));
      own.add(resolved);
      schedule(source, target, event, delay, resolved);
    },
    cancel(source: AnyActorRef, id: string) {
      ids.get(source)?.delete(id);
      cancel(source, id);
    },
    cancelAll(source: AnyActorRef) {
      const own = ids.get(source);
      if (!own) return;
      ids.delete(source);
      for (const id of own) cancel(source, id);
    },
  } satisfies typeof scheduler);
}
