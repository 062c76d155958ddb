import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Cluster } from './cluster-harness';
import { SCREENSHOTS, launchChromium } from './browser';

/**
 * The orchestrator's dashboard in headless Chromium while a real experiment runs: first no
 * trainer (its trials turn stuck, with the reason), then a trainer, and the page fills live.
 */
describe('dashboard in a browser', () => {
  let cluster: Cluster;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    cluster = await Cluster.start();
    await cluster.serve('orchestrator', { ENAS_STUCK_TRIAL_SECONDS: '2' });
    await cluster.serve('encoder');
    await cluster.serve('predictor');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.dispose();
  });

  const curvePoints = async () => Number(await page.locator('#curve svg').getAttribute('data-points'));
  const rows = () => page.locator('#trials tbody tr').count();

  it('shows a stuck trial with its reason, then the curve growing and the table filling, live', async () => {
    const id = await cluster.submit({ name: 'browser', space: 'nb201', dataset: 'cifar10', strategy: 'dcl-enas', seed: 1, queries: 36, batchSize: 2 });
    await page.goto(`${cluster.api}/`);
    // The root redirects to the page; the list shows the experiment and the page selects it.
    await page.locator('nav a', { hasText: id }).waitFor({ timeout: 20_000 });
    await page.locator('#exp-id', { hasText: id }).waitFor({ timeout: 20_000 });

    // No trainer yet: the first trials wait, then are reported stuck, with why.
    const why = page.locator('#trials tr.stuck td.why').first();
    await why.waitFor({ timeout: 30_000 });
    expect(await why.textContent()).toMatch(/no result after \d+ s; no trainer has pulled from the work queue yet/);
    await page.locator('nav', { hasText: /\d+ stuck/ }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-stuck.png') });
    expect(await curvePoints()).toBe(0);

    // A trainer (each trial takes its recorded GPU time x 0.003, about a third of a second).
    await cluster.serve('trainer', { ENAS_TRAINER_TIME_SCALE: '0.003' });
    // Page-side expressions are strings: this project's TypeScript has no DOM types.
    const pointsAtLeast = (n: number) => page.waitForFunction(`Number(document.querySelector('#curve svg')?.getAttribute('data-points')) >= ${n}`, null, { timeout: 60_000 });
    await pointsAtLeast(4);
    const early = { points: await curvePoints(), rows: await rows() };
    await pointsAtLeast(early.points + 10);
    const later = { points: await curvePoints(), rows: await rows() };
    expect(later.points).toBeGreaterThan(early.points);
    expect(later.rows).toBeGreaterThan(early.rows);
    // All without reloading: the page is the one loaded at the start.
    expect(await page.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);

    try {
      await page.locator('#exp-status', { hasText: 'completed' }).waitFor({ timeout: 90_000 });
    } catch (e) {
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-failure.png') });
      const d = await cluster.detail(id);
      throw new Error(`${(e as Error).message}\nexperiment: ${JSON.stringify(d && { status: d.status, done: d.queriesDone, reason: d.reason })}\n${cluster.logs()}`);
    }
    expect(await curvePoints()).toBe(36);
    expect(await rows()).toBe(36);
    expect(await page.locator('#trials tr.succeeded').count()).toBe(36);
    // Trials once stuck say what happened to them in their recent events.
    expect(await page.locator('#trials td.events', { hasText: 'stuck: no result after' }).count()).toBeGreaterThan(0);
    // Predicted scores in the table, tau per predictor cycle, the selected cell drawn.
    expect(await page.locator('#trials td:nth-child(3)', { hasText: /\d\.\d{3}/ }).count()).toBeGreaterThan(0);
    expect(Number(await page.locator('#tau svg').getAttribute('data-cycles'))).toBe(4);
    expect(await page.locator('.tau-table tbody tr').count()).toBe(3); // the latest three cycles
    expect(await page.locator('#cell svg circle').count()).toBe(4);
    expect(await page.locator('#curve .test-line').count()).toBe(1);
    expect(await page.locator('#curve', { hasText: 'test accuracy (reported only)' }).count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard.png') });
    const detail = await cluster.detail(id);
    expect(await page.locator('.best code').textContent()).toBe(detail!.best!.arch);
  });
});
