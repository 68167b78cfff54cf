// The stop-flow timeline: exact on a simulated clock (text and SVG), and `berth trace` against a
// daemon's API with a real process.
import { Writable } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { createFakeRuntime, SimulatedClock } from '../../src/testing/index.js';
import { formatTrace, renderTraceSvg, summarize, timelineOf, type Trace } from '../../src/runtime/trace.js';
import { runTrace } from '../../src/runtime/cli/trace.js';
import { startApi } from '../support/api.js';

// A container that ignores SIGTERM (and, with `survive`, SIGKILL too), stopped with a 10 s timeout.
async function simulatedStop(options: { survive?: boolean; advanceMs: number }): Promise<{ trace: Trace; exitCode: number }> {
  const clock = new SimulatedClock();
  const fake = createFakeRuntime({ clock, behaviour: () => ({ signals: { 15: 'ignore' }, ...(options.survive ? { sigkill: 'survive' as const } : {}) }) });
  const engine = createEngine({ runtime: fake.logic, clock });
  await engine.create({ name: 'web', cmd: ['server'], stopTimeout: 10 });
  await engine.start('web');
  const stopped = engine.stop('web').catch(() => undefined);
  for (let ms = 0; ms < options.advanceMs; ms += 1000) {
    clock.increment(Math.min(1000, options.advanceMs - ms));
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 50))]);
  const inspect = engine.inspect('web');
  void engine.shutdown({ timeout: 0 });
  return { trace: { name: 'web', steps: inspect.Berth.StopFlow, now: clock.now() }, exitCode: inspect.State.ExitCode };
}

describe('timelineOf', () => {
  it('places SIGTERM, SIGKILL and the exit on one axis; the stop timer ran out at SIGKILL', async () => {
    const { trace, exitCode } = await simulatedStop({ advanceMs: 10_000 });
    expect(exitCode).toBe(137);
    const timeline = timelineOf(trace);
    expect(timeline.rows.map((row) => [row.step.elapsedMs, row.step.state, row.signal])).toEqual([
      [0, 'stopping', 'SIGTERM'],
      [10_000, 'killing', 'SIGKILL'],
      [10_000, 'exited', undefined],
    ]);
    expect(timeline.rows[0]!.timer).toEqual({ from: 0, until: 10_000, deadline: 10_000, fired: true });
    expect(timeline.rows[1]!.timer).toMatchObject({ from: 10_000, until: 10_000, fired: false });
    expect(timeline).toMatchObject({ finished: true, spanMs: 10_000, exitCode: 137 });
    expect(timeline.nowMs).toBeUndefined();
    expect(summarize(timeline)).toBe('SIGTERM -> SIGKILL at 10.000 s -> exit 137 at 10.000 s');
  });

  it('an unfinished flow runs to now and shows where its pending timer runs out', async () => {
    const { trace } = await simulatedStop({ advanceMs: 4_000 });
    const timeline = timelineOf(trace);
    expect(timeline.finished).toBe(false);
    expect(timeline.nowMs).toBe(4_000);
    expect(timeline.spanMs).toBe(10_000); // the axis reaches the SIGKILL deadline
    expect(timeline.rows[0]!.timer).toEqual({ from: 0, until: 4_000, deadline: 10_000, fired: false });
    expect(summarize(timeline)).toBe('SIGTERM -> still running at 4.000 s');
  });
});

describe('formatTrace', () => {
  it('prints the steps and the time axis', async () => {
    const { trace } = await simulatedStop({ advanceMs: 10_000 });
    expect(formatTrace(trace, { axisWidth: 20 })).toBe([
      'stop flow of web: SIGTERM -> SIGKILL at 10.000 s -> exit 137 at 10.000 s',
      '',
      '    +0.000 s  stopping  SIGTERM  stop: signal sent, waiting 10000 ms (timer 10.000 s)',
      '   +10.000 s  killing   SIGKILL  the container did not exit in time: SIGKILL to every process (timer 10.000 s)',
      '   +10.000 s  exited             exited on signal 9 (exit code 137)',
      '',
      '            0 s         10.000 s',
      '            ┬──────────────────┬',
      '  stopping  ●━━━━━━━━━━━━━━━━━━┫ SIGTERM',
      '  killing                      ● SIGKILL',
      '  exited                       ● exit 137',
      '',
      '            ● step   ━ timer armed   ┫ timer ran out   ┊ timer due',
      '',
    ].join('\n'));
  });

  it('a stuck stop: the whole ladder, and no exit', async () => {
    const { trace } = await simulatedStop({ survive: true, advanceMs: 30_000 });
    const text = formatTrace(trace);
    const states = timelineOf(trace).rows.map((row) => row.step.state);
    expect(states).toEqual(['stopping', 'killing', 'killing', 'stuck']);
    expect(text).toContain('killing pid');
    expect(text).toMatch(/^stop flow of web: SIGTERM -> SIGKILL at 10\.000 s -> SIGKILL at 20\.000 s -> still running at 30\.000 s/);
  });

  it('says so when nothing was recorded', () => {
    expect(formatTrace({ name: 'web', steps: [] })).toBe('web: no stop flow recorded yet\n');
  });
});

describe('renderTraceSvg', () => {
  it('one row per step, in order, with the timer and the exit; names are escaped', async () => {
    const { trace } = await simulatedStop({ advanceMs: 10_000 });
    const svg = renderTraceSvg({ ...trace, name: 'a<b>' });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="tr"/);
    expect(svg).toContain('a&lt;b&gt;: SIGTERM -&gt; SIGKILL at 10.000 s');
    const labels = [...svg.matchAll(/<text class="tr-label"[^>]*>([^<]*)</g)].map((match) => match[1]);
    expect(labels).toEqual(['SIGTERM', 'SIGKILL', 'exit 137']);
    expect(svg).toContain('class="tr-step tr-sigkill"');
    expect(svg).toContain('class="tr-deadline tr-fired"');
    expect(svg).not.toContain('class="tr-now"');
  });

  it('an unfinished flow has a "now" line', async () => {
    const { trace } = await simulatedStop({ advanceMs: 4_000 });
    expect(renderTraceSvg(trace)).toContain('class="tr-now"');
  });
});

describe('berth trace', () => {
  function capture() {
    let text = '';
    const stream = new Writable({ write(chunk, _encoding, done) { text += String(chunk); done(); } });
    return { stream, text: () => text };
  }

  it('reads the last stop flow from the daemon: text, or an SVG file', async () => {
    const { engine, socketPath } = await startApi({ timings: { killWaitMs: 1_000, directKillWaitMs: 500 } });
    await engine.create({ name: 'stubborn', cmd: ['sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done'], stopTimeout: 1 });
    await engine.start('stubborn');
    const env = { BERTH_HOST: `unix://${socketPath}` };
    const before = { stdout: capture(), stderr: capture() };
    expect(await runTrace(['stubborn'], { stdout: before.stdout.stream, stderr: before.stderr.stream, env })).toBe(1);
    expect(before.stderr.text()).toMatch(/^stubborn has no stop flow yet/);

    await engine.stop('stubborn');
    const out = capture();
    expect(await runTrace(['stubborn'], { stdout: out.stream, stderr: capture().stream, env })).toBe(0);
    expect(out.text()).toMatch(/^stop flow of stubborn: SIGTERM -> SIGKILL at 1\.\d{3} s -> exit 137 at 1\.\d{3} s\n/);
    const lines = out.text().split('\n');
    const order = ['stopping  SIGTERM', 'killing   SIGKILL', 'exited'].map((text) => lines.findIndex((line) => line.includes(text)));
    expect(order.every((index, i) => index > 0 && (i === 0 || index > order[i - 1]!))).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'berth-trace-'));
    try {
      const file = join(dir, 'stop.svg');
      expect(await runTrace(['--svg', file, 'stubborn'], { stdout: capture().stream, stderr: capture().stream, env })).toBe(0);
      expect(readFileSync(file, 'utf8')).toMatch(/^<svg [^>]*aria-label="stop flow of stubborn"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const missing = capture();
    expect(await runTrace(['nosuch'], { stdout: capture().stream, stderr: missing.stream, env })).toBe(1);
    expect(missing.text()).toBe('Error response from daemon: No such container: nosuch\n');
  });
});
