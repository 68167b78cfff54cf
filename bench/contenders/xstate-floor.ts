// The least an XState actor per process costs: raw Node's kernel work (raw-node.ts), with each
// process owned by a minimal machine instead of a closure. An invoked callback actor spawns the
// child and reports its start and exit; a stop is one event whose entry action signals it, with
// the SIGKILL timer berth arms too; the exit is one event into a final state. No supervisor, no
// records, no events, no waiters. What berth costs above this is its design; what this costs
// above raw Node is the price of the architecture issue 8 asks for (an XState v5 machine per
// container), on this machine.
import { spawn } from 'node:child_process';
import { createActor, fromCallback, sendTo, setup, type Actor } from 'xstate';
import type { Contender, ContenderContext, Group, MemorySample } from './contender.js';
import { inProcessMemory } from './memory.js';
import { signal } from './raw-node.js';

interface ProcessInput {
  file: string;
  args: string[];
}

type FloorInput = ProcessInput & { stopTimeoutMs: number };
type ProcessCommand = { type: 'signal'; signal: NodeJS.Signals; group: boolean };
type FloorEvent = { type: 'stop' } | { type: 'started' } | { type: 'exited' };

const processLogic = fromCallback<ProcessCommand, ProcessInput>(({ input, sendBack, receive }) => {
  const child = spawn(input.file, input.args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.resume();
  child.stderr?.resume();
  child.once('spawn', () => sendBack({ type: 'started' }));
  child.once('error', () => sendBack({ type: 'exited' })); // never started (the bench's program is always there)
  let exited = false;
  child.once('exit', () => {
    exited = true;
    if (child.pid !== undefined) signal(-child.pid, 'SIGKILL'); // what the main process left in its group
  });
  // Reported once its output is read to the end too, as raw Node's and berth's stops are.
  child.once('close', () => sendBack({ type: 'exited' }));
  receive((command) => {
    if (child.pid !== undefined) signal(command.group ? -child.pid : child.pid, command.signal);
  });
  // The machine was stopped with the process still running (the bench closing after a failure).
  return () => {
    if (!exited && child.pid !== undefined) signal(-child.pid, 'SIGKILL');
  };
});

const floorMachine = setup({
  types: { input: {} as FloorInput, context: {} as FloorInput, events: {} as FloorEvent },
  actors: { process: processLogic },
  delays: { stopTimeout: ({ context }) => context.stopTimeoutMs },
}).createMachine({
  context: ({ input }) => input,
  initial: 'alive',
  states: {
    alive: {
      invoke: { id: 'process', src: 'process', input: ({ context }) => ({ file: context.file, args: context.args }) },
      on: { exited: 'exited' },
      initial: 'starting',
      states: {
        starting: { on: { started: 'running' } },
        running: { on: { stop: 'stopping' } },
        stopping: {
          entry: sendTo('process', { type: 'signal', signal: 'SIGTERM', group: false }),
          after: { stopTimeout: 'killing' },
        },
        killing: { entry: sendTo('process', { type: 'signal', signal: 'SIGKILL', group: true }) },
      },
    },
    exited: { type: 'final' },
  },
});

type FloorActor = Actor<typeof floorMachine>;

// Resolves once the actor's snapshot passes `done`.
function until(actor: FloorActor, done: (snapshot: ReturnType<FloorActor['getSnapshot']>) => boolean): Promise<void> {
  if (done(actor.getSnapshot())) return Promise.resolve();
  return new Promise((resolve) => {
    const subscription = actor.subscribe((snapshot) => {
      if (!done(snapshot)) return;
      subscription.unsubscribe();
      resolve();
    });
  });
}

export function createXstateFloor(context: ContenderContext): Contender {
  const groups = new Map<string, FloorActor[]>();

  return {
    name: 'xstate-floor',
    async open() {},
    async start(group: Group) {
      const { file, args } = context.program.command(group.mode);
      const actors = Array.from({ length: group.count }, () => createActor(floorMachine, { input: { file, args, stopTimeoutMs: group.stopTimeoutMs } }).start());
      groups.set(group.name, actors);
      await Promise.all(actors.map((actor) => until(actor, (snapshot) => snapshot.status === 'done' || snapshot.matches({ alive: 'running' }))));
    },
    async stop(group: Group) {
      await Promise.all((groups.get(group.name) ?? []).map((actor) => {
        actor.send({ type: 'stop' });
        return until(actor, (snapshot) => snapshot.status === 'done');
      }));
    },
    async reset(group: Group) {
      groups.delete(group.name);
    },
    memory: async (): Promise<MemorySample> => inProcessMemory(),
    async close() {
      const all = [...groups.values()].flat();
      groups.clear();
      for (const actor of all) actor.stop(); // stopping the machine stops its process actor; kill what is left
      await Promise.all(all.map((actor) => until(actor, (snapshot) => snapshot.status !== 'active')));
    },
  };
}
