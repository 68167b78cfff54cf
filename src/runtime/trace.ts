// A stop flow (inspect's Berth.StopFlow) as a timeline: text for the terminal (`berth trace`) and
// an SVG picture (`berth trace --svg`, the viewer). Each step is a row on one time axis: its
// signal, the timer it armed (cut where the next step superseded it), and the exit.
import type { FlowStep } from '../machines/records.js';
import { signalName } from './signals.js';
import { escapeXml, fmt } from './svg.js';

/** What a timeline is drawn from: a container's name and its recorded steps (oldest first). */
export interface Trace {
  name: string;
  steps: FlowStep[];
  /** Epoch ms on the engine's clock: an unfinished flow is drawn up to now. */
  now?: number;
}

/** One step placed on the axis, with what it means. */
export interface TimelineRow {
  step: FlowStep;
  /** The signal's name, when the step sent one. */
  signal?: string;
  /** The armed timer, in ms since the flow began: from the step to its deadline or the next step. */
  timer?: { from: number; until: number; deadline: number; fired: boolean };
}

/** The rows and the span of a trace; shared by the text and SVG renderings. */
export interface Timeline {
  rows: TimelineRow[];
  /** The flow ended with an exit. */
  finished: boolean;
  /** Ms since the flow began up to which the axis runs. */
  spanMs: number;
  /** Ms since the flow began that `now` stands for, when the flow is still running. */
  nowMs?: number;
  exitCode?: number;
}

/**
 * Places a trace's steps on a time axis.
 * @example
 * timelineOf({ name: 'web', steps }).rows.map((row) => row.signal) // ['SIGTERM', 'SIGKILL', undefined]
 */
export function timelineOf(trace: Trace): Timeline {
  const steps = trace.steps;
  const last = steps.at(-1);
  const finished = last?.state === 'exited';
  const began = steps.length ? steps[0]!.at - steps[0]!.elapsedMs : 0;
  const nowMs = !finished && trace.now !== undefined && last ? Math.max(last.elapsedMs, trace.now - began) : undefined;
  const end = nowMs ?? last?.elapsedMs ?? 0;
  const rows = steps.map((step, index): TimelineRow => {
    const row: TimelineRow = { step };
    if (step.signal !== undefined) row.signal = signalName(step.signal);
    if (step.timerMs !== undefined) {
      const deadline = step.elapsedMs + step.timerMs;
      const next = steps[index + 1]?.elapsedMs ?? end;
      row.timer = { from: step.elapsedMs, until: Math.min(deadline, next), deadline, fired: deadline <= next && index + 1 < steps.length };
    }
    return row;
  });
  // An unfinished flow shows where its pending timer runs out.
  const pending = finished ? 0 : (rows.at(-1)?.timer?.deadline ?? 0);
  return {
    rows,
    finished,
    spanMs: Math.max(end, pending, 1),
    ...(nowMs === undefined ? {} : { nowMs }),
    ...(finished && last?.exitCode !== undefined ? { exitCode: last.exitCode } : {}),
  };
}

/** Seconds with millisecond precision: 1.002 s. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

/** One line summing a flow up: `SIGTERM -> SIGKILL at 1.002 s -> exit 137 at 1.011 s` (times since the flow began). */
export function summarize(timeline: Timeline): string {
  const parts = timeline.rows
    .filter((row) => row.signal !== undefined || row.step.state === 'exited')
    .map((row, index) => {
      const what = row.step.state === 'exited' ? `exit ${row.step.exitCode ?? '?'}` : row.signal!;
      // The first step is the flow's beginning, give or take the few ms between the command and the signal.
      return index === 0 ? what : `${what} at ${seconds(row.step.elapsedMs)}`;
    });
  if (!timeline.finished) parts.push(timeline.nowMs === undefined ? 'not exited yet' : `still running at ${seconds(timeline.nowMs)}`);
  return parts.join(' -> ');
}

/**
 * The trace as text for a terminal: a heading, one line per step, and the steps on a time axis.
 * @example
 * process.stdout.write(formatTrace({ name: 'web', steps: engine.inspect('web').Berth.StopFlow }));
 */
export function formatTrace(trace: Trace, options: { axisWidth?: number } = {}): string {
  const timeline = timelineOf(trace);
  if (timeline.rows.length === 0) return `${trace.name}: no stop flow recorded yet\n`;
  const axisWidth = options.axisWidth ?? 50;
  const lines = [`stop flow of ${trace.name}: ${summarize(timeline)}`, ''];
  const stateWidth = Math.max(5, ...timeline.rows.map((row) => row.step.state.length));
  const signalWidth = Math.max(6, ...timeline.rows.map((row) => (row.signal ?? '').length));
  for (const row of timeline.rows) {
    const timer = row.timer ? ` (timer ${seconds(row.step.timerMs!)})` : '';
    lines.push(`  ${`+${(row.step.elapsedMs / 1000).toFixed(3)}`.padStart(8)} s  ${row.step.state.padEnd(stateWidth)}  ${(row.signal ?? '').padEnd(signalWidth)}  ${row.step.cause}${timer}`);
  }
  lines.push('');
  const column = (ms: number) => Math.min(axisWidth - 1, Math.round((ms / timeline.spanMs) * (axisWidth - 1)));
  const lead = ' '.repeat(2 + stateWidth + 2);
  const endLabel = seconds(timeline.spanMs);
  lines.push(`${lead}0 s${' '.repeat(Math.max(1, axisWidth - 3 - endLabel.length))}${endLabel}`);
  const axis = ['┬', ...'─'.repeat(axisWidth - 2), '┬'];
  if (timeline.nowMs !== undefined) axis[column(timeline.nowMs)] = '▼';
  lines.push(`${lead}${axis.join('')}`);
  for (const row of timeline.rows) {
    const cells = Array.from({ length: axisWidth }, () => ' ');
    if (row.timer) {
      for (let c = column(row.timer.from) + 1; c <= column(row.timer.until); c++) cells[c] = '━';
      if (row.timer.fired || row.timer.deadline <= timeline.spanMs) {
        const at = column(row.timer.deadline);
        if (row.timer.deadline <= timeline.spanMs) cells[at] = row.timer.fired ? '┫' : '┊';
      }
    }
    cells[column(row.step.elapsedMs)] = '●';
    const label = row.step.state === 'exited' ? `exit ${row.step.exitCode ?? '?'}` : (row.signal ?? row.step.state);
    lines.push(`  ${row.step.state.padEnd(stateWidth)}  ${cells.join('')} ${label}`);
  }
  lines.push('');
  lines.push(`${lead}● step   ━ timer armed   ┫ timer ran out   ┊ timer due${timeline.nowMs === undefined ? '' : '   ▼ now'}`);
  return `${lines.join('\n')}\n`;
}

// Layout of the SVG, in pixels.
const rowHeight = 30;
const headerHeight = 52;
const labelWidth = 150;
const rightPadding = 90;

/**
 * The trace as a standalone SVG document: an axis in seconds, one row per step.
 * @example
 * writeFileSync('stop.svg', renderTraceSvg({ name: 'web', steps: engine.inspect('web').Berth.StopFlow }));
 */
export function renderTraceSvg(trace: Trace, options: { width?: number } = {}): string {
  const timeline = timelineOf(trace);
  const width = options.width ?? 760;
  const plotWidth = width - labelWidth - rightPadding;
  const height = headerHeight + Math.max(1, timeline.rows.length) * rowHeight + 16;
  const x = (ms: number) => labelWidth + (ms / timeline.spanMs) * plotWidth;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="tr" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(`stop flow of ${trace.name}`)}">`);
  out.push(`<style>${traceStyle}</style>`);
  out.push(`<rect class="tr-background" x="0" y="0" width="${width}" height="${height}"/>`);
  const title = timeline.rows.length ? `${trace.name}: ${summarize(timeline)}` : `${trace.name}: no stop flow recorded yet`;
  out.push(`<text class="tr-title" x="8" y="18">${escapeXml(title)}</text>`);
  const axisY = headerHeight - 8;
  out.push(`<line class="tr-axis" x1="${x(0)}" y1="${axisY}" x2="${fmt(x(timeline.spanMs))}" y2="${axisY}"/>`);
  for (const tick of ticks(timeline.spanMs)) {
    out.push(`<line class="tr-tick" x1="${fmt(x(tick))}" y1="${axisY - 4}" x2="${fmt(x(tick))}" y2="${height - 8}"/>`);
    out.push(`<text class="tr-tick-label" x="${fmt(x(tick))}" y="${axisY - 8}" text-anchor="middle">${escapeXml(tickLabel(tick, timeline.spanMs))}</text>`);
  }
  timeline.rows.forEach((row, index) => {
    const y = headerHeight + index * rowHeight + rowHeight / 2;
    const kind = row.step.state === 'exited' ? 'exit' : row.signal === 'SIGKILL' ? 'sigkill' : row.signal !== undefined ? 'signal' : 'step';
    out.push(`<g class="tr-step tr-${kind}" data-state="${escapeXml(row.step.state)}">`);
    out.push(`<title>${escapeXml(`+${seconds(row.step.elapsedMs)} ${row.step.state}: ${row.step.cause}`)}</title>`);
    out.push(`<text class="tr-state" x="8" y="${y + 4}">${escapeXml(`+${seconds(row.step.elapsedMs)} ${row.step.state}`)}</text>`);
    if (row.timer) {
      const from = x(row.timer.from);
      const until = x(row.timer.until);
      out.push(`<rect class="tr-timer" x="${fmt(from)}" y="${y - 4}" width="${fmt(Math.max(1, until - from))}" height="8" rx="2"/>`);
      if (row.timer.deadline <= timeline.spanMs) {
        out.push(`<line class="tr-deadline${row.timer.fired ? ' tr-fired' : ''}" x1="${fmt(x(row.timer.deadline))}" y1="${y - 9}" x2="${fmt(x(row.timer.deadline))}" y2="${y + 9}"/>`);
      }
    }
    const label = kind === 'exit' ? `exit ${row.step.exitCode ?? '?'}` : row.signal ?? row.step.state;
    out.push(`<circle class="tr-marker" cx="${fmt(x(row.step.elapsedMs))}" cy="${y}" r="5"/>`);
    out.push(`<text class="tr-label" x="${fmt(x(row.step.elapsedMs) + 9)}" y="${y + 4}">${escapeXml(label)}</text>`);
    out.push('</g>');
  });
  if (timeline.nowMs !== undefined) {
    out.push(`<line class="tr-now" x1="${fmt(x(timeline.nowMs))}" y1="${axisY}" x2="${fmt(x(timeline.nowMs))}" y2="${height - 8}"/>`);
    out.push(`<text class="tr-now-label" x="${fmt(x(timeline.nowMs))}" y="${height - 1}" text-anchor="middle">now</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

// Tick positions at 1, 2 or 5 times a power of ten, about six across the span.
function ticks(spanMs: number): number[] {
  const rough = spanMs / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? power * 10;
  const out: number[] = [];
  for (let tick = 0; tick <= spanMs + 1e-9; tick += step) out.push(Math.round(tick * 1000) / 1000);
  return out;
}

function tickLabel(ms: number, spanMs: number): string {
  if (spanMs < 10) return `${ms} ms`;
  const s = ms / 1000;
  return `${spanMs >= 10_000 ? s.toFixed(0) : spanMs >= 1000 ? String(Math.round(s * 10) / 10) : String(Math.round(s * 1000) / 1000)} s`;
}


const traceStyle = [
  '.tr text { font-family: "DejaVu Sans Mono", Menlo, Consolas, ui-monospace, monospace; font-size: 11px; fill: #1e293b; }',
  '.tr-background { fill: #ffffff; }',
  '.tr .tr-title { font-size: 12px; font-weight: 600; }',
  '.tr-axis { stroke: #475569; }',
  '.tr-tick { stroke: #e2e8f0; }',
  '.tr .tr-tick-label { fill: #64748b; font-size: 10px; }',
  '.tr-timer { fill: #fed7aa; stroke: #fb923c; stroke-width: 0.8; }',
  '.tr-deadline { stroke: #c2410c; stroke-width: 1.5; stroke-dasharray: 2 2; }',
  '.tr-deadline.tr-fired { stroke-dasharray: none; }',
  '.tr-marker { fill: #64748b; stroke: #ffffff; stroke-width: 1.5; }',
  '.tr-signal .tr-marker { fill: #d97706; }',
  '.tr-sigkill .tr-marker { fill: #dc2626; }',
  '.tr-exit .tr-marker { fill: #16a34a; }',
  '.tr .tr-label { font-weight: 600; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }',
  '.tr-sigkill .tr-label { fill: #b91c1c; }',
  '.tr-now { stroke: #2563eb; stroke-dasharray: 4 3; }',
  '.tr .tr-now-label { fill: #2563eb; font-size: 10px; }',
].join(' ');
