import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIndicoRequest } from '@indico/http-signing';
import { OneShotTask, type TaskContext } from '@indico/scheduler';
import { type Browser, chromiumPath, launchChromium } from '@indico/test-utils/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { ensureAgents } from '../src/tasks.js';
import { type Key, serve, silent, testConfig } from './helpers.js';
import { waitFor } from './processes.js';

const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts');

/** Fails while `failuresLeft` > 0, then succeeds: a task an operator retries from the dashboard. */
class FlakyTask extends OneShotTask {
  static override typeId = 'FlakyTask';
  run(ctx: TaskContext): void {
    const state = (ctx.services as { flaky: { failuresLeft: number } }).flaky;
    if (state.failuresLeft-- > 0) throw new Error('upstream mail server refused the connection');
  }
}

describe.skipIf(!chromiumPath())('dashboard in headless Chromium', () => {
  let browser: Browser;
  let ctx: Awaited<ReturnType<typeof serve>>;
  let admin: Key;
  let user: Key;
  let dir: string;
  const flaky = { failuresLeft: 1 };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'indico-dashboard-'));
    const config = testConfig({
      SCHEDULER_MAX_TRIES: '1',
      SCHEDULER_SLEEP_MS: '50',
      LIVESYNC_AGENTS: JSON.stringify([{ id: 'search', type: 'file', path: path.join(dir, 'search.jsonl') }]),
    });
    ctx = await serve(config, { tasks: [FlakyTask], services: { flaky } });
    await loadDemoData(ctx.rt.catalog, { generated: 3, now: Date.now() });
    await ensureAgents(ctx.rt.livesync, config.LIVESYNC_AGENTS, silent);
    const a = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
    admin = { ak: a.key, secret: a.secret };
    const u = await ctx.rt.keyStore.create('36024');
    user = { ak: u.key, secret: u.secret };
    ctx.rt.startScheduler();
    await ctx.rt.client.enqueue(new FlakyTask(Date.now()));
    await waitFor('the task to fail', async () => (await ctx.rt.client.getStatus()).failed === 1, 10_000);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await ctx?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('opens from a signed link, shows the counts, retries the failed task with its button, and is screenshotted', async () => {
    const page = await browser.context.newPage();
    const link = buildIndicoRequest('/dashboard', {}, { apiKey: admin.ak, secretKey: admin.secret });
    const response = await page.goto(`${ctx.base}${link}`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(await page.locator('#count-failed').textContent()).toBe('1');
    expect(await page.locator('#count-finished').textContent()).toBe('0');
    expect(await page.locator('#tasks-failed .error').first().textContent()).toContain('upstream mail server');
    expect(await page.locator('#agents tr[data-agent="search"] td').nth(2).textContent()).toBe('active');
    expect(await page.locator('#keys tbody tr').count()).toBe(2);

    await Promise.all([page.waitForURL(/retried=/), page.locator('#tasks-failed button.retry').first().click()]);
    expect(await page.locator('#notice').textContent()).toMatch(/queued to run again/);
    // The page refreshes itself: wait for the retried run to show up as finished.
    // Locator waits, not waitForFunction: a string predicate is evaluated with eval, which the dashboard's
    // Content-Security-Policy (no 'unsafe-eval') refuses as soon as the first check fails and polling starts.
    await page.locator('#count-finished', { hasText: /^1$/ }).waitFor({ timeout: 15_000 });
    await page.locator('#count-failed', { hasText: /^0$/ }).waitFor({ timeout: 15_000 });
    mkdirSync(artifacts, { recursive: true });
    const file = path.join(artifacts, 'dashboard.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(10_000);
  });

  it('signs in with the login form, and refuses a wrong secret and non-administrators', async () => {
    const page = await browser.context.newPage();
    await page.context().clearCookies();
    await page.goto(`${ctx.base}/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/dashboard/login');
    await page.fill('input[name="ak"]', admin.ak);
    await page.fill('input[name="secret"]', 'not-the-secret');
    await page.click('button[type="submit"]');
    expect(await page.locator('#login-error').textContent()).toBe('Invalid API key or secret');
    await page.fill('input[name="ak"]', user.ak);
    await page.fill('input[name="secret"]', user.secret);
    await page.click('button[type="submit"]');
    expect(await page.locator('#login-error').textContent()).toBe('Not an administrator');
    await page.fill('input[name="ak"]', admin.ak);
    await page.fill('input[name="secret"]', admin.secret);
    await Promise.all([page.waitForURL(`${ctx.base}/dashboard`), page.click('button[type="submit"]')]);
    expect(await page.locator('h1').textContent()).toBe('Indico server dashboard');
    const cookie = (await page.context().cookies()).find((c) => c.name === 'indico_dashboard');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
  });

  it('refuses a retry without the session CSRF token', async () => {
    const res = await fetch(`${ctx.base}/dashboard/tasks/0/retry`, { method: 'POST' });
    expect(res.status).toBe(401);
  });
});
