// What the in-process contenders' stop answers for: the process has exited and its output has been
// read to the end. berth reports an exit once the container's pipes have closed (as Docker's `die`
// comes once its output is drained, within a bound); raw Node and the XState floor must wait for the
// same, or W1 and W3 would compare berth's answer with an earlier one (Node's 'exit' comes first).
// So must the C floor, the kernel's own time that the others are read against.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitForPrograms } from '../../bench/processes.js';
import { programAt } from '../../bench/program.js';
import { createContender } from '../../bench/contenders/index.js';
import { cFloorUnavailable } from '../../bench/contenders/c-floor.js';
import type { ContenderName, Group } from '../../bench/contenders/contender.js';

const workDir = mkdtempSync(join(tmpdir(), 'berth-bench-contenders-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const holdMs = 400;

// On SIGTERM it leaves behind a process of a session of its own (so the group kill at its exit does
// not reach it) that keeps the stdout pipe open for `holdMs`, and exits once that one has left.
const script = join(workDir, 'pipe-holder.sh');
writeFileSync(script, [
  'left="$0.left.$$"',
  `trap 'setsid sh -c "touch \\"$left\\"; exec sleep ${holdMs / 1000}" & while [ ! -e "$left" ]; do sleep 0.01; done; exit 0' TERM`,
  'while :; do sleep 0.05; done',
  '',
].join('\n'));
const pipeHolder = programAt('sh', script);

const cFloorMissing = cFloorUnavailable();

describe('a contender answers a stop once the output has ended', () => {
  it.skipIf(cFloorMissing !== undefined)(`c-floor (needs a C compiler${cFloorMissing ? `: ${cFloorMissing}` : ''})`, () => stopWaitsForOutput('c-floor'));
  it.each<ContenderName>(['raw-node', 'xstate-floor', 'berth'])('%s', (name) => stopWaitsForOutput(name));
});

async function stopWaitsForOutput(name: ContenderName): Promise<void> {
  const contender = createContender(name, { program: pipeHolder, workDir });
  const group: Group = { name: 'holder', count: 2, mode: 'term', stopTimeoutMs: 5_000 };
  await contender.open([group]);
  try {
    await contender.start(group);
    await waitForPrograms(script, group.count); // their trap is set: a SIGTERM before it would just end them
    const begin = performance.now();
    await contender.stop(group);
    const took = performance.now() - begin;
    // 'exit' comes within a few ms; the pipe closes only when the holder exits, holdMs later.
    // berth's bound on the wait for the pipes is 2 s, so this stays under it.
    expect(took).toBeGreaterThanOrEqual(holdMs - 50);
    expect(took).toBeLessThan(1_900);
    await contender.reset(group);
  } finally {
    await contender.close();
  }
}
