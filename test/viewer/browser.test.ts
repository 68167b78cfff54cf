// The viewer in a real browser (playwright-core driving the system's Chromium, never a downloaded
// one): stop a container that ignores SIGTERM from the page and watch the timeline show SIGTERM,
// SIGKILL and the exit, in that order. Screenshots go to test-artifacts/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { serveViewer, type Viewer } from '../../src/runtime/viewer/server.js';
import { realEngine } from '../support/real-engine.js';

const chromiumPath = '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`viewer browser test skipped: ${chromiumPath} is missing (apt-get install chromium; .ci/run installs it)`);

const artifacts = join(process.cwd(), 'test-artifacts');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openBrowser(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'berth-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1400, height: 1000 },
  });
  cleanups.push(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
}

it.skipIf(!hasChromium)('stops a SIGTERM-ignoring container from the page: the timeline shows SIGTERM, SIGKILL, then the exit', async () => {
  const engine = realEngine();
  const viewer: Viewer = await serveViewer(engine, { address: { host: '127.0.0.1', port: 0 } });
  cleanups.push(() => viewer.close());
  await engine.create({ name: 'web', cmd: ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'] });
  await engine.create({ name: 'stubborn', cmd: ['sh', '-c', 'trap "" TERM; echo ignoring SIGTERM; while :; do sleep 0.1; done'] });
  await engine.start('web');
  await engine.start('stubborn');

  const context = await openBrowser();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${viewer.url}#stubborn`);
  await page.locator('#chart svg .sc-state.active[data-path="alive.running"]').waitFor();
  await expect(page.locator('#containers li .name').allTextContents()).resolves.toEqual(['stubborn', 'web']);

  await page.fill('#timeout', '2');
  await page.click('button[data-action="stop"]');
  await page.locator('#chart .sc-state.active[data-path="alive.stopping.graceful"]').waitFor({ timeout: 5_000 });
  await page.locator('#steps tr[data-signal="SIGTERM"]').waitFor();
  await page.waitForTimeout(900); // the "now" line half-way to the SIGKILL deadline
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'viewer-during-stop.png') });

  await page.locator('#steps tr[data-state="exited"]').waitFor({ timeout: 10_000 });
  const rows = await page.locator('#steps tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).querySelector('.signal')!.textContent));
  expect(rows).toEqual(['SIGTERM', 'SIGKILL', 'exit 137']);
  const labels = await page.locator('#timeline .tr-label').allTextContents();
  expect(labels).toEqual(['SIGTERM', 'SIGKILL', 'exit 137']);
  const times = await page.locator('#steps tbody tr td:first-child').allTextContents();
  const seconds = times.map((text) => Number(text.replace(/^\+| s$/g, '')));
  expect(seconds[1]! - seconds[0]!).toBeGreaterThanOrEqual(1.9); // SIGKILL after the 2 s timeout
  expect(seconds[1]! - seconds[0]!).toBeLessThan(4);
  await expect(page.locator('#message').textContent()).resolves.toMatch(/^stop stubborn: done in \d\.\d{3} s$/);
  await page.locator('#chart .sc-state.active[data-path="exited"]').waitFor();
  await page.screenshot({ path: join(artifacts, 'viewer-after-stop.png') });
  expect(engine.inspect('stubborn').State.ExitCode).toBe(137);
  expect(errors).toEqual([]);
});
