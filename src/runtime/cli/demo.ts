// `berth demo`: three real containers started and stopped with Docker's stop semantics, each stop
// flow logged as it happens, then a summary of how each one ended.
import { isProcessAlive, listProcessGroup } from '../../actors/proc.js';
import { createEngine } from '../engine.js';
import type { InspectedStep } from '../inspect.js';
import { cliLogger } from '../log.js';

interface DemoContainer {
  name: string;
  what: string;
  cmd: string[] | string;
  stopTimeout: number;
}

const containers: DemoContainer[] = [
  {
    name: 'graceful',
    what: 'handles SIGTERM and exits 0 at once',
    cmd: ['sh', '-c', 'trap "echo got SIGTERM, bye; exit 0" TERM; echo ready; while :; do sleep 0.1; done'],
    stopTimeout: 5,
  },
  {
    name: 'stubborn',
    what: 'ignores SIGTERM: SIGKILL after its 2 s stop timeout, exit 137',
    cmd: ['sh', '-c', 'trap "" TERM; echo ignoring SIGTERM; while :; do sleep 0.1; done'],
    stopTimeout: 2,
  },
  {
    name: 'shellform',
    what: 'shell form "sleep 1000; echo done": SIGTERM reaches only /bin/sh, never sleep; the group is cleaned up',
    cmd: 'sleep 1000; echo done',
    stopTimeout: 2,
  },
];

/** Runs the demo; resolves with the process exit code. */
export async function runDemo(out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const print = (line = '') => out.write(`${line}\n`);
  const logger = cliLogger({ pretty: true, destination: 1 });
  // Ctrl-C during the demo stops its containers first (then ends the demo with the signal), as
  // Node's default would leave them running with no owner.
  const engine = createEngine({ logger, handleSignals: true });
  print('berth demo: three real processes as containers, stopped the way `docker stop` stops them.');
  for (const c of containers) print(`  ${c.name.padEnd(10)} ${c.what}`);
  print();
  try {
    for (const c of containers) {
      await engine.create({ name: c.name, cmd: c.cmd, stopTimeout: c.stopTimeout, image: 'host' });
      await engine.start(c.name);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    const groups = new Map(containers.map((c) => [c.name, engine.inspect(c.name).State.Pid]));
    print();
    print('stopping all three at once (docker stop graceful stubborn shellform):');
    await Promise.all(containers.map((c) => engine.stop(c.name)));
    print();
    print(`${'NAME'.padEnd(10)} ${'EXIT'.padEnd(5)} ${'STOP TOOK'.padEnd(10)} ${'LEFT IN GROUP'.padEnd(14)} FLOW`);
    let failures = 0;
    for (const c of containers) {
      const state = engine.inspect(c.name);
      const flow = state.Berth.StopFlow;
      const took = flow.length ? (flow.at(-1)!.elapsedMs / 1000).toFixed(1) : '?';
      const left = listProcessGroup(groups.get(c.name) ?? 0).filter(isProcessAlive).length;
      if (left > 0 || state.State.Running) failures++;
      print(`${c.name.padEnd(10)} ${String(state.State.ExitCode).padEnd(5)} ${`${took} s`.padEnd(10)} ${String(left).padEnd(14)} ${describeFlow(flow)}`);
    }
    print();
    for (const c of containers) {
      const lines = engine.logs(c.name).map((line) => line.text);
      print(`${c.name} output: ${lines.length ? lines.join(' | ') : '(none)'}`);
    }
    for (const c of containers) await engine.remove(c.name);
    return failures === 0 ? 0 : 1;
  } catch (error) {
    // Interrupted: the engine stopped the containers, so the demo's own calls found them gone.
    const { signal } = await engine.shutdown({ timeout: 5 });
    if (!signal) throw error;
    print(`interrupted (${signal}): every container was stopped first`);
    return 130;
  } finally {
    await engine.shutdown({ timeout: 5 });
  }
}

function describeFlow(flow: InspectedStep[]): string {
  return flow.map((step) => {
    const at = `${(step.elapsedMs / 1000).toFixed(1)}s`;
    if (step.state === 'exited') return `${at} exited ${step.exitCode}`;
    return `${at} ${step.signalName ?? step.state}`;
  }).join(' -> ');
}
