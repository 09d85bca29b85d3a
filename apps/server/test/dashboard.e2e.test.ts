import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromiumPath, launchChromium } from '@indico/test-utils/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';

describe.skipIf(!chromiumPath())('server front page in Chromium', () => {
  let server: Server;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const s = createApp({ store: 'memory', startedAt: Date.now() }).listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it('renders the status page over real HTTP', async () => {
    const page = await browser.context.newPage();
    const response = await page.goto(`${base}/`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('Indico reference server');
    expect(await page.locator('#status').textContent()).toContain('store: memory');
    await page.click('a[href="/healthz"]');
    const body = JSON.parse((await page.locator('body').textContent()) ?? '');
    expect(body).toMatchObject({ status: 'ok', store: 'memory' });
  });
});
