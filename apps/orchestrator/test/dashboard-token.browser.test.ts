import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Cluster } from './cluster-harness';
import { SCREENSHOTS, launchChromium } from './browser';

/**
 * The dashboard of an orchestrator that requires its API token (ENAS_API_TOKEN): the page loads
 * without it and asks for it, shows no data until it has it, then reads its views and live streams
 * with an `Authorization: Bearer` header; the data endpoints refuse requests without it.
 */
describe('dashboard behind the API token, in a browser', () => {
  const token = randomBytes(24).toString('hex');
  const bearer = { authorization: `Bearer ${token}` };
  let cluster: Cluster;
  let browser: Browser;
  let page: Page;
  const requests: { url: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    cluster = await Cluster.start();
    await cluster.serve('orchestrator', { ENAS_API_TOKEN: token });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('request', (r) => requests.push({ url: r.url(), authorization: r.headers()['authorization'] }));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.dispose();
  });

  const api = (path: string) => `${cluster.api}${path}`;
  const curvePoints = async () => Number(await page.locator('#curve svg').getAttribute('data-points'));

  it('asks for the token, shows nothing without it, then the curve and table fill live', async () => {
    const res = await fetch(api('/experiments'), {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'enas/v1', kind: 'Experiment', name: 'token', space: 'nb201', dataset: 'cifar10', strategy: 'rea', seed: 4, queries: 30, batchSize: 1 }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };

    // Data endpoints and streams refuse a request without the token, or with another one.
    for (const path of ['/dashboard/api/experiments', `/dashboard/api/experiments/${id}`, '/dashboard/api/stream', `/dashboard/api/experiments/${id}/stream`]) {
      const without = await fetch(api(path));
      expect({ path, status: without.status }).toEqual({ path, status: 401 });
      expect(await without.text()).not.toContain(id);
      expect((await fetch(api(path), { headers: { authorization: `Bearer ${token.slice(1)}x` } })).status).toBe(401);
    }
    // The page itself is open and static: it holds no experiment.
    const html = await fetch(api('/dashboard/'));
    expect(html.status).toBe(200);
    expect(await html.text()).not.toContain(id);
    expect((await fetch(api('/'), { redirect: 'manual' })).status).toBe(302);
    // With the token the same streams answer at once.
    const stream = await fetch(api(`/dashboard/api/experiments/${id}/stream`), { headers: bearer });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = '';
    while (!/^event: view\n/m.test(text)) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    expect(text).toMatch(/^event: view\n(id: \d+\n)?data: \{/m);
    await reader.cancel();

    // The browser: the prompt, and no data.
    await page.goto(`${cluster.api}/`);
    await page.locator('#token-form').waitFor({ timeout: 20_000 });
    expect(await page.locator('#conn').textContent()).toBe('API token needed');
    expect(await page.locator('nav a').count()).toBe(0);
    expect(await page.locator('#curve').count()).toBe(0);
    expect(await page.content()).not.toContain(id);

    // A wrong token is refused and the prompt stays.
    await page.fill('#token', `wrong-${token}`);
    await page.click('#token-form button');
    await page.locator('#token-refused').waitFor({ timeout: 20_000 });
    expect(await page.locator('nav a').count()).toBe(0);
    expect(await page.evaluate("sessionStorage.getItem('enas-api-token')")).toBeNull();
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-token.png') });

    // The right token: the list and the experiment appear.
    await page.fill('#token', token);
    await page.click('#token-form button');
    await page.locator('nav a', { hasText: id }).waitFor({ timeout: 20_000 });
    await page.locator('#exp-id', { hasText: id }).waitFor({ timeout: 20_000 });
    expect(await page.evaluate("sessionStorage.getItem('enas-api-token')")).toBe(token);
    expect(await page.locator('#conn').textContent()).toBe('live');
    expect(await curvePoints()).toBe(0); // no trainer yet

    // Live: a trainer starts and the page fills without reloading.
    await cluster.serve('trainer', { ENAS_TRAINER_TIME_SCALE: '0.003' });
    await page.waitForFunction(`Number(document.querySelector('#curve svg')?.getAttribute('data-points')) >= 3`, null, { timeout: 60_000 });
    const early = await curvePoints();
    await page.locator('#exp-status', { hasText: 'completed' }).waitFor({ timeout: 90_000 });
    expect(await curvePoints()).toBe(30);
    expect(early).toBeLessThan(30);
    expect(await page.locator('#trials tr.succeeded').count()).toBe(30);
    expect(await page.evaluate("performance.getEntriesByType('navigation').length")).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-token-live.png') });

    // Every data request carried the header once the token was given; no URL ever held the token.
    const data = requests.filter((r) => r.url.includes('/dashboard/api/'));
    expect(data.filter((r) => r.authorization === `Bearer ${token}`).length).toBeGreaterThanOrEqual(3);
    expect(requests.filter((r) => r.url.includes(token))).toEqual([]);

    // A reload keeps the token for this tab; "forget token" drops it and asks again.
    await page.reload();
    await page.locator('#exp-id', { hasText: id }).waitFor({ timeout: 20_000 });
    await page.click('#forget');
    await page.locator('#token-form').waitFor({ timeout: 10_000 });
    expect(await page.locator('nav a').count()).toBe(0);
    expect(await page.evaluate("sessionStorage.getItem('enas-api-token')")).toBeNull();
  });
});
