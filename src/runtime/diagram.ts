// The container statechart as a diagram, read from the machine definition itself (its state
// nodes and transition definitions), never drawn by hand: Mermaid text, or an SVG laid out with
// ELK (the layered layout Stately's own visualizer uses), which `berth diagram` prints and the
// viewer highlights. A change to the machine changes the picture.
import elk from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { containerMachine } from '../machines/container.js';
import { escapeXml, fmt } from './svg.js';

/** A state of the chart; `path` is the dotted path inspect shows as MachineState ('' for the root). */
export interface ChartState {
  path: string;
  key: string;
  kind: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Path of the initial child of a compound state. */
  initial?: string;
  /** Entry actions by name (XState's own timer scheduling left out). */
  entry: string[];
  /** Passed through at once: an unguarded eventless transition always leaves it. */
  transient: boolean;
  states: ChartState[];
}

/** A transition that changes state; transitions that only run actions (answers, refusals) are left out. */
export interface ChartTransition {
  source: string;
  target: string;
  kind: 'event' | 'after' | 'always';
  /** The event type, the delay's name for `after`, '' for `always`. */
  trigger: string;
  guard?: string;
  /** Leaves and re-enters the target even when it is already active. */
  reenter: boolean;
}

export interface Statechart {
  id: string;
  root: ChartState;
  transitions: ChartTransition[];
}

/**
 * The statechart of a machine (the container machine by default), as plain data.
 * @example
 * const chart = statechartOf();
 * chart.transitions.find((t) => t.kind === 'after' && t.trigger === 'stopTimeout');
 * // { source: 'alive.stopping.graceful', target: 'alive.killing', kind: 'after', trigger: 'stopTimeout', reenter: false }
 */
export function statechartOf(machine: AnyStateMachine = containerMachine): Statechart {
  const transitions: ChartTransition[] = [];
  const root = readState(machine.root, transitions);
  return { id: machine.id, root, transitions };
}

function readState(node: AnyStateNode, transitions: ChartTransition[]): ChartState {
  const path = node.path.join('.');
  for (const [eventType, definitions] of node.transitions) {
    for (const definition of definitions) {
      const delay = (definition as { delay?: unknown }).delay;
      const after = eventType.startsWith('xstate.after.');
      const trigger = after ? (typeof delay === 'string' || typeof delay === 'number' ? String(delay) : 'delay') : eventType;
      pushTransition(transitions, path, definition, after ? 'after' : 'event', trigger);
    }
  }
  for (const definition of node.always ?? []) pushTransition(transitions, path, definition, 'always', '');
  const states = Object.values(node.states as Record<string, AnyStateNode>).map((child) => readState(child, transitions));
  const initial = node.type === 'compound' ? node.initial.target[0]?.path.join('.') : undefined;
  return {
    path,
    key: node.key,
    kind: node.type,
    ...(initial === undefined ? {} : { initial }),
    entry: node.entry.map(actionName).filter((name) => name !== '' && !name.startsWith('xstate.')),
    transient: (node.always ?? []).some((definition) => definition.guard === undefined),
    states,
  };
}

function pushTransition(
  transitions: ChartTransition[], source: string, definition: { target?: ReadonlyArray<AnyStateNode> | undefined; guard?: unknown; reenter: boolean },
  kind: ChartTransition['kind'], trigger: string,
): void {
  const guard = guardName(definition.guard);
  for (const target of definition.target ?? []) {
    transitions.push({ source, target: target.path.join('.'), kind, trigger, ...(guard ? { guard } : {}), reenter: definition.reenter });
  }
}

function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  if (typeof action === 'object' && action !== null && typeof (action as { type?: unknown }).type === 'string') return (action as { type: string }).type;
  return '';
}

function guardName(guard: unknown): string | undefined {
  const name = actionName(guard);
  return name === '' ? undefined : name;
}

/** A transition's label: `stop`, `after stopTimeout`, `always`, with `[guard]` and `(reenter)`. */
export function transitionLabel(transition: ChartTransition): string {
  const trigger = transition.kind === 'after' ? `after ${transition.trigger}` : transition.kind === 'always' ? 'always' : transition.trigger;
  return `${trigger}${transition.guard ? ` [${transition.guard}]` : ''}${transition.reenter ? ' (reenter)' : ''}`;
}

/** Every state of the chart below the root, parents before children. */
export function allStates(chart: Statechart): ChartState[] {
  const out: ChartState[] = [];
  const visit = (state: ChartState) => {
    for (const child of state.states) {
      out.push(child);
      visit(child);
    }
  };
  visit(chart.root);
  return out;
}

// Transitions between the same two states drawn as one edge, one label line each.
function groupTransitions(chart: Statechart): { source: string; target: string; kind: ChartTransition['kind']; lines: string[] }[] {
  const groups = new Map<string, { source: string; target: string; kind: ChartTransition['kind']; lines: string[] }>();
  for (const transition of chart.transitions) {
    const key = `${transition.source}\u0000${transition.target}\u0000${transition.kind === 'event' ? 'event' : transition.kind}`;
    const group = groups.get(key) ?? { source: transition.source, target: transition.target, kind: transition.kind, lines: [] };
    const label = transitionLabel(transition);
    if (!group.lines.includes(label)) group.lines.push(label);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * Mermaid `stateDiagram-v2` text (GitHub and most Markdown viewers render it).
 * @example
 * toMermaid(statechartOf()).split('\n')[0] // 'stateDiagram-v2'
 */
export function toMermaid(chart: Statechart): string {
  const lines = ['stateDiagram-v2'];
  const id = (path: string) => path.replaceAll('.', '_');
  const declare = (state: ChartState, indent: string) => {
    if (state.states.length === 0) {
      lines.push(`${indent}state "${state.key}" as ${id(state.path)}`);
      if (state.kind === 'final') lines.push(`${indent}${id(state.path)} --> [*]`);
      return;
    }
    lines.push(`${indent}state "${state.key}" as ${id(state.path)} {`);
    if (state.initial) lines.push(`${indent}  [*] --> ${id(state.initial)}`);
    for (const child of state.states) declare(child, `${indent}  `);
    lines.push(`${indent}}`);
  };
  if (chart.root.initial) lines.push(`  [*] --> ${id(chart.root.initial)}`);
  for (const state of chart.root.states) declare(state, '  ');
  for (const edge of groupTransitions(chart)) {
    lines.push(`  ${id(edge.source)} --> ${id(edge.target)} : ${edge.lines.join('<br/>').replaceAll(':', '#colon;')}`);
  }
  return `${lines.join('\n')}\n`;
}

// Sizes for the SVG. Monospace text, so a label's width follows from its length.
const fontSize = 12;
const smallFontSize = 10.5;
const charWidth = (size: number) => size * 0.61;
const lineHeight = (size: number) => Math.round(size * 1.35);
const statePadding = 10;
const titleHeight = 26;
const initialSize = 10;

const elkOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.layered.spacing.edgeNodeBetweenLayers': '14',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '8',
  'elk.spacing.nodeNode': '24',
  'elk.spacing.edgeNode': '12',
  'elk.spacing.edgeEdge': '8',
  'elk.spacing.edgeLabel': '3',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.json.edgeCoords': 'ROOT',
  'elk.json.shapeCoords': 'ROOT',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};

interface Box { x: number; y: number; width: number; height: number }

/**
 * The chart as a standalone SVG document. Each state is a `<g class="sc-state" data-path="...">`,
 * so a page can highlight the current state by its MachineState path.
 * @example
 * const svg = await toSvg(statechartOf());
 */
export async function toSvg(chart: Statechart): Promise<string> {
  const graph: ElkNode = { id: '__root', layoutOptions: elkOptions, children: chart.root.states.map(elkNodeOf), edges: [] };
  const edges: ElkExtendedEdge[] = graph.edges!;
  const groups = groupTransitions(chart);
  groups.forEach((edge, index) => {
    edges.push({
      id: `e${index}`,
      sources: [nodeId(edge.source)],
      targets: [nodeId(edge.target)],
      labels: [{ id: `e${index}-label`, text: edge.lines.join('\n'), ...labelSize(edge.lines) }],
    });
  });
  addInitialMarkers(graph, chart.root, edges);
  // elkjs is CommonJS: its constructor is both module.exports and module.exports.default.
  const laidOut = await new elk.default().layout(graph);
  return renderSvg(chart, laidOut, groups);
}

function nodeId(path: string): string {
  return `s:${path}`;
}

function elkNodeOf(state: ChartState): ElkNode {
  if (state.states.length > 0) {
    return {
      id: nodeId(state.path),
      layoutOptions: { 'elk.padding': `[top=${titleHeight + 6},left=${statePadding},bottom=${statePadding},right=${statePadding}]` },
      children: state.states.map(elkNodeOf),
    };
  }
  const lines = [state.key, ...state.entry.map((action) => `entry/ ${action}`)];
  const width = Math.max(charWidth(fontSize) * state.key.length, ...state.entry.map((a) => charWidth(smallFontSize) * (a.length + 7))) + 2 * statePadding + 8;
  const height = lineHeight(fontSize) + (lines.length - 1) * lineHeight(smallFontSize) + 2 * statePadding;
  return { id: nodeId(state.path), width: Math.ceil(width), height: Math.ceil(height) };
}

function labelSize(lines: string[]): { width: number; height: number } {
  return {
    width: Math.ceil(Math.max(...lines.map((line) => line.length)) * charWidth(smallFontSize) + 6),
    height: lines.length * lineHeight(smallFontSize) + 2,
  };
}

// A small dot in each compound state (and the root) with an edge to its initial child.
function addInitialMarkers(node: ElkNode, state: ChartState, edges: ElkExtendedEdge[]): void {
  if (state.initial) {
    const id = `init:${state.path}`;
    node.children!.push({ id, width: initialSize, height: initialSize });
    edges.push({ id: `${id}-edge`, sources: [id], targets: [nodeId(state.initial)] });
  }
  for (const child of state.states) {
    const childNode = node.children!.find((candidate) => candidate.id === nodeId(child.path));
    if (childNode?.children) addInitialMarkers(childNode, child, edges);
  }
}

function renderSvg(chart: Statechart, graph: ElkNode, groups: ReturnType<typeof groupTransitions>): string {
  const boxes = new Map<string, Box>();
  const collect = (node: ElkNode) => {
    boxes.set(node.id, { x: node.x ?? 0, y: node.y ?? 0, width: node.width ?? 0, height: node.height ?? 0 });
    for (const child of node.children ?? []) collect(child);
  };
  collect(graph);
  const width = Math.ceil(graph.width ?? 0);
  const height = Math.ceil(graph.height ?? 0);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="sc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`${chart.id} statechart`)}">`);
  out.push(`<style>${svgStyle}</style>`);
  out.push('<defs><marker id="sc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="sc-arrowhead"/></marker></defs>');
  out.push(`<rect class="sc-background" x="0" y="0" width="${width}" height="${height}"/>`);
  for (const state of allStates(chart)) out.push(renderState(state, boxes.get(nodeId(state.path))!));
  for (const [id, box] of boxes) {
    if (id.startsWith('init:')) out.push(`<circle class="sc-initial" cx="${fmt(box.x + box.width / 2)}" cy="${fmt(box.y + box.height / 2)}" r="${initialSize / 2}"/>`);
  }
  const labels: string[] = [];
  for (const edge of graph.edges ?? []) {
    const group = edge.id.startsWith('e') ? groups[Number(edge.id.slice(1))] : undefined;
    const kind = group ? group.kind : 'initial';
    const points = (edge.sections ?? []).flatMap((section) => [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]);
    if (points.length === 0) continue;
    const d = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${fmt(point.x)},${fmt(point.y)}`).join(' ');
    const data = group ? ` data-source="${escapeXml(group.source)}" data-target="${escapeXml(group.target)}"` : '';
    out.push(`<path class="sc-edge sc-edge-${kind}"${data} d="${d}" marker-end="url(#sc-arrow)"/>`);
    for (const label of edge.labels ?? []) labels.push(renderLabel(label, kind));
  }
  out.push(...labels);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function renderState(state: ChartState, box: Box): string {
  const depth = state.path.split('.').length;
  const classes = ['sc-state', `sc-${state.kind}`, `sc-depth-${depth}`, ...(state.transient ? ['sc-transient'] : [])].join(' ');
  const parts = [`<g class="${classes}" data-path="${escapeXml(state.path)}">`];
  parts.push(`<title>${escapeXml(state.path)}</title>`);
  const rect = (inset: number) => `<rect x="${fmt(box.x + inset)}" y="${fmt(box.y + inset)}" width="${fmt(box.width - 2 * inset)}" height="${fmt(box.height - 2 * inset)}" rx="${state.states.length ? 10 : 7}"/>`;
  parts.push(rect(0));
  if (state.kind === 'final') parts.push(rect(3).replace('<rect', '<rect class="sc-final-inner"'));
  if (state.states.length > 0) {
    parts.push(`<text class="sc-name" x="${fmt(box.x + statePadding)}" y="${fmt(box.y + 18)}">${escapeXml(state.key)}</text>`);
    if (state.entry.length) {
      parts.push(`<text class="sc-entry" x="${fmt(box.x + statePadding + charWidth(fontSize) * state.key.length + 12)}" y="${fmt(box.y + 18)}">entry/ ${escapeXml(state.entry.join(', '))}</text>`);
    }
  } else {
    const centre = box.x + box.width / 2;
    let y = box.y + statePadding + fontSize;
    parts.push(`<text class="sc-name" x="${fmt(centre)}" y="${fmt(y)}" text-anchor="middle">${escapeXml(state.key)}</text>`);
    for (const action of state.entry) {
      y += lineHeight(smallFontSize);
      parts.push(`<text class="sc-entry" x="${fmt(centre)}" y="${fmt(y)}" text-anchor="middle">entry/ ${escapeXml(action)}</text>`);
    }
  }
  parts.push('</g>');
  return parts.join('');
}

function renderLabel(label: { x?: number; y?: number; width?: number; height?: number; text?: string }, kind: string): string {
  const x = label.x ?? 0;
  const y = label.y ?? 0;
  const lines = (label.text ?? '').split('\n');
  const text = lines.map((line, index) =>
    `<text x="${fmt(x + 3)}" y="${fmt(y + 1 + smallFontSize + index * lineHeight(smallFontSize) - 2)}">${escapeXml(line)}</text>`).join('');
  return `<g class="sc-label sc-label-${kind}"><rect x="${fmt(x)}" y="${fmt(y)}" width="${fmt(label.width ?? 0)}" height="${fmt(label.height ?? 0)}" rx="3"/>${text}</g>`;
}



const svgStyle = [
  '.sc text { font-family: "DejaVu Sans Mono", Menlo, Consolas, ui-monospace, monospace; fill: #1e293b; }',
  '.sc-background { fill: #ffffff; }',
  `.sc-name { font-size: ${fontSize}px; font-weight: 600; }`,
  `.sc-entry { font-size: ${smallFontSize}px; fill: #64748b !important; }`,
  '.sc-state > rect { fill: #ffffff; stroke: #475569; stroke-width: 1.2; }',
  '.sc-compound > rect { fill: #f1f5f9; stroke: #94a3b8; }',
  '.sc-compound.sc-depth-2 > rect { fill: #e2e8f0; }',
  '.sc-transient > rect { stroke-dasharray: 4 3; }',
  '.sc-final > rect.sc-final-inner { fill: none; }',
  '.sc-state.active > rect { fill: #dbeafe; stroke: #2563eb; stroke-width: 2.4; }',
  '.sc-state.active > .sc-name { fill: #1d4ed8; }',
  '.sc-initial { fill: #334155; }',
  '.sc-edge { fill: none; stroke: #64748b; stroke-width: 1.1; }',
  '.sc-edge-after { stroke: #c2410c; }',
  '.sc-edge-always { stroke-dasharray: 3 3; }',
  '.sc-arrowhead { fill: #64748b; }',
  `.sc-label text { font-size: ${smallFontSize}px; fill: #334155; }`,
  '.sc-label rect { fill: #ffffff; fill-opacity: 0.85; }',
  '.sc-label-after text { fill: #c2410c; }',
].join(' ');
