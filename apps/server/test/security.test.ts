import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeClock } from '@indico/test-utils';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthFailureLimiter, securityHeaders } from '../src/security.js';

describe('AuthFailureLimiter', () => {
  it('blocks an IP after the limit of failures inside the window, then lets it go', () => {
    const clock = createFakeClock(0);
    const limiter = new AuthFailureLimiter({ limit: 3, windowMs: 60_000, clock });
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfterMs('1.2.3.4')).toBe(0);
      limiter.recordFailure('1.2.3.4');
    }
    expect(limiter.retryAfterMs('1.2.3.4')).toBe(60_000);
    expect(limiter.retryAfterMs('5.6.7.8')).toBe(0);
    clock.advance(59_999);
    expect(limiter.retryAfterMs('1.2.3.4')).toBe(1);
    clock.advance(1);
    expect(limiter.retryAfterMs('1.2.3.4')).toBe(0);
  });

  it('forgets the oldest IP rather than growing past its bound', () => {
    const limiter = new AuthFailureLimiter({ limit: 1, maxTrackedIps: 2, clock: createFakeClock(0) });
    limiter.recordFailure('a');
    limiter.recordFailure('b');
    limiter.recordFailure('c');
    expect(limiter.retryAfterMs('a')).toBe(0);
    expect(limiter.retryAfterMs('b')).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('c')).toBeGreaterThan(0);
  });
});

describe('security middleware over real HTTP', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((r) => server?.close(r));
  });

  async function serve(limiter: AuthFailureLimiter): Promise<string> {
    const app = express();
    app.use(securityHeaders());
    app.use(limiter.middleware());
    app.get('/denied', (_req, res) => {
      res.status(403).json({ message: 'Invalid API key' });
    });
    app.get('/ok', (_req, res) => {
      res.json({ ok: true });
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('sets the security headers and answers 429 once an IP has failed too often', async () => {
    const base = await serve(new AuthFailureLimiter({ limit: 2 }));
    const first = await fetch(`${base}/ok`);
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('x-frame-options')).toBe('DENY');
    expect(first.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await fetch(`${base}/denied`)).status).toBe(403);
    expect((await fetch(`${base}/denied`)).status).toBe(403);
    const blocked = await fetch(`${base}/ok`);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.json()).toMatchObject({ _type: 'HTTPAPIError' });
  });
});
