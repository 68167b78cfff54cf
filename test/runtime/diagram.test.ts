// The statechart diagram comes from the machine definition: every state and every state-changing
// transition of containerMachine is in it, the Mermaid text is well formed, and the SVG layout
// nests each state inside its parent.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { containerMachine } from '../../src/machines/container.js';
import { allStates, statechartOf, toMermaid, toSvg, transitionLabel } from '../../src/runtime/diagram.js';
import { runDiagram } from '../../src/runtime/cli/diagram.js';

// The machine's own state nodes, walked independently of diagram.ts.
function machinePaths(): string[] {
  const paths: string[] = [];
  const visit = (node: { path: string[]; states: Record<string, unknown> }) => {
    for (const child of Object.values(node.states) as { path: string[]; states: Record<string, unknown> }[]) {
      paths.push(child.path.join('.'));
      visit(child);
    }
  };
  visit(containerMachine.root);
  return paths;
}

describe('statechartOf', () => {
  const chart = statechartOf();

  it('has every state of the container machine, with its kind, initial child and entry actions', () => {
    expect(allStates(chart).map((state) => state.path).sort()).toEqual(machinePaths().sort());
    const byPath = new Map(allStates(chart).map((state) => [state.path, state]));
    expect(chart.root.initial).toBe('created');
    expect(byPath.get('alive')).toMatchObject({ kind: 'compound', initial: 'alive.starting' });
    expect(byPath.get('alive.stopping')).toMatchObject({ kind: 'compound', initial: 'alive.stopping.graceful', entry: ['sendStopSignal'] });
    expect(byPath.get('removed')).toMatchObject({ kind: 'final' });
    // XState's own timer scheduling (xstate.raise) is not an entry action worth showing.
    expect(byPath.get('alive.killing.directKill')!.entry).toEqual(['killDirectly']);
    expect(byPath.get('startFailed')!.transient).toBe(true);
    expect(byPath.get('alive.stopping.untimed')!.transient).toBe(false);
  });

  it('has the stop ladder as timed transitions, and leaves out the transitions that only answer', () => {
    const find = (source: string, target: string) => chart.transitions.filter((t) => t.source === source && t.target === target);
    expect(find('alive.stopping.graceful', 'alive.killing')).toEqual([{ source: 'alive.stopping.graceful', target: 'alive.killing', kind: 'after', trigger: 'stopTimeout', reenter: false }]);
    expect(find('alive.killing.awaitingExit', 'alive.killing.directKill')[0]).toMatchObject({ kind: 'after', trigger: 'killWait' });
    expect(find('alive.killing.directKill', 'alive.killing.stuck')[0]).toMatchObject({ kind: 'after', trigger: 'directKillWait' });
    expect(find('alive', 'alive.killing').map(transitionLabel)).toEqual(['kill [isSigkill]', 'remove [isForced]']);
    // The timeout picks the stopping state on the way in; an exit's destination is picked the same way.
    expect(find('alive', 'alive.stopping.graceful').map(transitionLabel)).toEqual(['stop [stopWillTimeOut]', 'restart [stopWillTimeOut]']);
    expect(find('alive', 'alive.stopping.untimed').map(transitionLabel)).toEqual(['stop', 'restart']);
    expect(chart.transitions.filter((t) => t.source === 'alive' && t.trigger === 'runtime.exited').map((t) => [t.target, transitionLabel(t)])).toEqual([
      ['removed', 'runtime.exited [removeRequested]'], ['alive', 'runtime.exited [restartRequested] (reenter)'],
      ['restarting', 'runtime.exited [exitWillRestart]'], ['removed', 'runtime.exited [isAutoRemove]'], ['exited', 'runtime.exited'],
    ]);
    expect(find('alive.killing.stuck', 'alive.killing').map(transitionLabel)).toContain('stop (reenter)');
    // `stop` in created is refused (304) without a state change: no edge.
    expect(chart.transitions.filter((t) => t.source === 'created' && t.trigger === 'stop')).toEqual([]);
    const paths = new Set(allStates(chart).map((state) => state.path));
    for (const transition of chart.transitions) {
      expect(paths.has(transition.source)).toBe(true);
      expect(paths.has(transition.target)).toBe(true);
    }
  });
});

describe('toMermaid', () => {
  it('nests the compound states and writes one edge per pair of states', () => {
    const text = toMermaid(statechartOf());
    const lines = text.split('\n');
    expect(lines[0]).toBe('stateDiagram-v2');
    expect(lines).toContain('  [*] --> created');
    expect(lines).toContain('    state "stopping" as alive_stopping {');
    expect(lines).toContain('      [*] --> alive_stopping_graceful');
    expect(lines).toContain('  alive_stopping_graceful --> alive_killing : after stopTimeout');
    expect(lines).toContain('  alive --> alive_killing : kill [isSigkill]<br/>remove [isForced]');
    expect(lines).toContain('  removed --> [*]');
    expect(text.split('{').length).toBe(text.split('}').length);
  });
});

describe('toSvg', () => {
  it('draws every state inside its parent, and every edge', async () => {
    const chart = statechartOf();
    const svg = await toSvg(chart);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="sc" width="\d+" height="\d+"/);
    const boxes = new Map<string, { x: number; y: number; width: number; height: number }>();
    for (const match of svg.matchAll(/<g class="sc-state[^"]*" data-path="([^"]+)"><title>[^<]*<\/title><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)) {
      boxes.set(match[1]!, { x: Number(match[2]), y: Number(match[3]), width: Number(match[4]), height: Number(match[5]) });
    }
    expect([...boxes.keys()].sort()).toEqual(machinePaths().sort());
    for (const [path, box] of boxes) {
      const parent = path.includes('.') ? boxes.get(path.slice(0, path.lastIndexOf('.')))! : undefined;
      if (!parent) continue;
      expect(box.x, path).toBeGreaterThanOrEqual(parent.x);
      expect(box.y, path).toBeGreaterThan(parent.y);
      expect(box.x + box.width, path).toBeLessThanOrEqual(parent.x + parent.width);
      expect(box.y + box.height, path).toBeLessThanOrEqual(parent.y + parent.height);
    }
    const edges = [...svg.matchAll(/<path class="sc-edge sc-edge-(event|after|always)" data-source="([^"]+)" data-target="([^"]+)" d="M/g)];
    const pairs = new Set(chart.transitions.map((t) => `${t.source} ${t.target} ${t.kind}`));
    expect(edges.length).toBe(pairs.size);
    expect(svg).toContain('data-source="alive.stopping.graceful" data-target="alive.killing"');
  });

  it('`berth diagram` prints Mermaid by default and SVG on request', async () => {
    let text = '';
    const out = new Writable({ write(chunk, _encoding, done) { text += String(chunk); done(); } });
    expect(await runDiagram([], out)).toBe(0);
    expect(text.startsWith('stateDiagram-v2\n')).toBe(true);
    text = '';
    expect(await runDiagram(['--format', 'svg'], out)).toBe(0);
    expect(text).toMatch(/^<svg /);
    await expect(runDiagram(['--format', 'png'], out)).rejects.toThrow('Expected --format to be mermaid or svg, got "png"');
  });
});
