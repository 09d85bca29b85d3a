import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { manage, serve, signed, testConfig } from './helpers.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('the composed app (embedded stores, real HTTP)', () => {
  let ctx: Awaited<ReturnType<typeof serve>> | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });

  it('is healthy at once, and ready only once the scheduler has a heartbeat', async () => {
    ctx = await serve(testConfig());
    expect(await (await fetch(`${ctx.base}/healthz`)).json()).toMatchObject({ status: 'ok', store: 'memory' });
    const before = await fetch(`${ctx.base}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ ready: false, redis: 'embedded', scheduler: { fresh: false } });
    ctx.rt.startScheduler({ sleepInterval: 20 });
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await fetch(`${ctx.base}/readyz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(200);
  });

  it('answers unknown paths with JSON 404 and sets the security headers everywhere', async () => {
    ctx = await serve(testConfig());
    const res = await fetch(`${ctx.base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not found' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('never sends a stack trace: an unexpected failure is a fixed 500 message', async () => {
    ctx = await serve(testConfig());
    await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
    const k = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
    ctx.rt.writer.putUser = async () => {
      throw new Error('secret internals at /srv/app.js:12');
    };
    const res = await manage(ctx.base, { ak: k.key, secret: k.secret }, 'PUT', '/manage/users/5', {
      firstName: 'A',
      familyName: 'B',
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ ok: false, message: 'Internal error' });
    expect(text).not.toMatch(/secret internals|app\.js/);
  });

  it('refuses bodies over BODY_LIMIT with 413', async () => {
    ctx = await serve(testConfig({ BODY_LIMIT: '1kb' }));
    await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
    const k = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
    const res = await manage(ctx.base, { ak: k.key, secret: k.secret }, 'PUT', '/manage/users/5', {
      firstName: 'x'.repeat(5000),
      familyName: 'B',
    });
    expect(res.status).toBe(413);
  });

  it('rate-limits failed authentications per IP (429 after AUTH_FAILURES_PER_MINUTE)', async () => {
    // spec: export-api §3.3 ALL_SIGNED refuses a request without key ("API key is missing", 403)
    ctx = await serve(testConfig({ API_MODE: 'ALL_SIGNED', AUTH_FAILURES_PER_MINUTE: '3' }));
    for (let i = 0; i < 3; i++) expect((await fetch(`${ctx.base}/export/categ/2.json`)).status).toBe(403);
    const blocked = await fetch(`${ctx.base}/export/categ/2.json`);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).not.toBeNull();
  });

  it('logs each request with its id, status, duration and user, with the signature redacted', async () => {
    const { lines, logger } = capture();
    ctx = await serve(testConfig(), { logger });
    await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
    const k = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
    const res = await signed(ctx.base, { ak: k.key, secret: k.secret }, '/export/event/137346.json');
    expect(res.status).toBe(200);
    const line = lines.find((l) =>
      (l.req as { url?: string } | undefined)?.url?.startsWith('/export/event/137346.json'),
    );
    expect(line).toBeDefined();
    const req = line!.req as { id: string; url: string };
    expect(req.id).toBe(res.headers.get('x-request-id'));
    expect(req.url).toContain('signature=[redacted]');
    expect(req.url).not.toContain(k.key);
    expect(line).toMatchObject({ userId: DEMO_ADMIN_ID, keyId: k.key.slice(0, 8), res: { statusCode: 200 } });
    expect(typeof line!.responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain(k.secret);
  });

  it('counts failures per forwarded client address behind a trusted proxy', async () => {
    ctx = await serve(testConfig({ API_MODE: 'ALL_SIGNED', AUTH_FAILURES_PER_MINUTE: '1', TRUST_PROXY: 'true' }));
    const from = (ip: string) => fetch(`${ctx!.base}/export/categ/2.json`, { headers: { 'x-forwarded-for': ip } });
    expect((await from('192.0.2.1')).status).toBe(403);
    expect((await from('192.0.2.1')).status).toBe(429);
    expect((await from('192.0.2.2')).status).toBe(403);
  });
});
