import { buildIndicoRequest } from '@indico/http-signing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { serve, testConfig } from './helpers.js';

describe('dashboard access (real HTTP, no browser)', () => {
  let ctx: Awaited<ReturnType<typeof serve>>;
  beforeEach(async () => {
    ctx = await serve(testConfig());
    await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
  });
  afterEach(async () => {
    await ctx.close();
  });

  async function signIn(userId: string): Promise<Response> {
    const k = await ctx.rt.keyStore.create(userId);
    const link = buildIndicoRequest('/dashboard', {}, { apiKey: k.key, secretKey: k.secret });
    return fetch(`${ctx.base}${link}`, { redirect: 'manual' });
  }

  it('sends visitors without a session to the login page, and refuses data without one', async () => {
    const res = await fetch(`${ctx.base}/dashboard`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard/login');
    expect((await fetch(`${ctx.base}/dashboard/data.json`)).status).toBe(401);
  });

  it('refuses a signed link of a user who is not an administrator', async () => {
    const res = await signIn('36024');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Not an administrator');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('serves the data to a session, refuses to re-run a task that has not failed, and spools a push', async () => {
    const login = await signIn(DEMO_ADMIN_ID);
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const data = await fetch(`${ctx.base}/dashboard/data.json`, { headers: { cookie } });
    expect(data.status).toBe(200);
    expect(await data.json()).toMatchObject({ mode: 'memory', status: { failed: 0 } });
    // The CSRF token is in the page's forms.
    const page = await (await fetch(`${ctx.base}/dashboard`, { headers: { cookie } })).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const bad = await fetch(`${ctx.base}/dashboard/tasks/0/retry`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrf=wrong',
    });
    expect(bad.status).toBe(403);
    const missing = await fetch(`${ctx.base}/dashboard/tasks/0/retry`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(csrf)}`,
      redirect: 'manual',
    });
    expect(missing.status).toBe(409);
    // "Push changes now" spools a one-shot LiveSyncRunTask.
    const push = await fetch(`${ctx.base}/dashboard/livesync/run`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${encodeURIComponent(csrf)}`,
      redirect: 'manual',
    });
    expect(push.status).toBe(303);
    const spool = await ctx.rt.client.getSpool();
    expect(spool.map((i) => JSON.stringify(i))).toEqual([expect.stringContaining('LiveSyncRunTask')]);
  });

  it('rejects a tampered session cookie', async () => {
    const login = await signIn(DEMO_ADMIN_ID);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const [name, value] = cookie.split('=') as [string, string];
    const payload = JSON.parse(Buffer.from(value.split('.')[0]!, 'base64url').toString()) as { userId: string };
    const forged = `${Buffer.from(JSON.stringify({ ...payload, userId: '36024' })).toString('base64url')}.${value.split('.')[1]}`;
    expect((await fetch(`${ctx.base}/dashboard/data.json`, { headers: { cookie: `${name}=${forged}` } })).status).toBe(
      401,
    );
  });
});
