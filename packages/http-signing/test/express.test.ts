import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import {
  createIndicoAuthMiddleware,
  getIndicoAuth,
  type IndicoAuthMiddlewareOptions,
} from '../src/adapters/express.js';
import { type ApiKeyStore, buildIndicoRequest, isHttpSigningError, type KeyUse, signRequest } from '../src/index.js';
import { storeWithKey } from './helpers.js';

const KEY = 'a1b2c3d4-0000-4000-8000-000000000001';
const SECRET = 'f0e1d2c3-1111-4222-8333-444455556666';
const NOW_S = 1_400_000_000;
const now = () => NOW_S * 1000;

/** Wraps a store so a test can wait for the background usage write instead of sleeping. */
function watchUses(store: ApiKeyStore) {
  const uses: KeyUse[] = [];
  let notify: (() => void) | undefined;
  const next = () => new Promise<void>((r) => (notify = r));
  const watched: ApiKeyStore = {
    ...store,
    async recordUse(key, use) {
      const ok = await store.recordUse(key, use);
      uses.push(use);
      notify?.();
      return ok;
    },
  };
  return { watched, uses, next };
}

function app(options: IndicoAuthMiddlewareOptions, setup?: (a: express.Express) => void) {
  const a = express();
  setup?.(a);
  const auth = createIndicoAuthMiddleware(options);
  const reply = (req: Request, res: Response) => {
    const o = getIndicoAuth(req)!;
    res
      .status(req.query.fail ? 500 : 200)
      .json({ kind: o.kind, params: o.params, userId: 'userId' in o ? o.userId : null });
  };
  a.get('/export/*path', auth, reply);
  a.post('/api/*path', auth, reply);
  // export-api's job in production: map the code to a status; here a stand-in.
  a.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (isHttpSigningError(err)) res.status(403).json({ message: err.message, code: err.code });
    else res.status(500).json({ message: String(err) });
  });
  return a;
}

describe('express middleware', () => {
  it('verifies a signed GET, exposes the outcome and records the key use after a successful response', async () => {
    const { store, record } = await storeWithKey(KEY, SECRET);
    const { watched, uses, next } = watchUses(store);
    const url = buildIndicoRequest(
      '/export/categ/2.json',
      { limit: 10 },
      { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S },
    );
    const recorded = next();
    const res = await request(app({ keyStore: watched, now, mode: 'ALL_SIGNED' })).get(url);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ kind: 'user', params: { limit: '10' }, userId: record.userId });
    await recorded;
    expect(uses).toEqual([
      {
        at: now(),
        ip: expect.any(String),
        path: '/export/categ/2.json',
        query: `apikey=${KEY}&limit=10`,
        authenticated: true,
      },
    ]);
    expect((await store.get(KEY))!.useCount).toBe(1);
  });

  it('passes failures to next(err) with Indico’s message and never records usage for them', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const { watched, uses } = watchUses(store);
    const url = buildIndicoRequest(
      '/export/categ/2.json',
      {},
      { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S - 601 },
    );
    const res = await request(app({ keyStore: watched, now })).get(url);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ message: 'Signature invalid (bad timestamp)', code: 'SIGNATURE_BAD_TIMESTAMP' });
    expect(uses).toEqual([]);
  });

  it('does not record usage when the handler answers with an error status', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const { watched, uses, next } = watchUses(store);
    const a = app({ keyStore: watched, now });
    const failing = await request(a).get(buildIndicoRequest('/export/categ/2.json', { fail: 1 }, { apiKey: KEY }));
    expect(failing.status).toBe(500);
    // a later successful request is recorded; had the failing one been recorded, it would come first
    const recorded = next();
    await request(a).get(buildIndicoRequest('/export/categ/3.json', {}, { apiKey: KEY }));
    await recorded;
    expect(uses.map((u) => u.path)).toEqual(['/export/categ/3.json']);
    expect((await store.get(KEY))!.useCount).toBe(1);
  });

  it('verifies a signed POST form, with or without a body parser in front', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const path = '/api/roomBooking/bookRoom.json';
    const { query } = signRequest(
      path,
      [
        ['roomid', '189'],
        ['x', 'b'],
        ['x', 'a'],
      ],
      {
        apiKey: KEY,
        secretKey: SECRET,
        timestamp: NOW_S,
      },
    );
    for (const parser of [undefined, express.urlencoded({ extended: false })]) {
      const a = app(
        { keyStore: store, now, mode: 'ALL_SIGNED', recordUsage: 'manual' },
        (x) => parser && x.use(parser),
      );
      const res = await request(a).post(`${path}?ignored=1`).type('form').send(query);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ kind: 'user', params: { roomid: '189', x: 'b' } });
    }
  });

  it('strips the mount path, since Indico signs paths relative to its root', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const url = buildIndicoRequest('/export/categ/2.json', {}, { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S });
    const outer = express();
    outer.use('/indico', app({ keyStore: store, now, mountPath: '/indico', recordUsage: 'manual' }));
    const res = await request(outer).get(`/indico${url}`);
    expect(res.status).toBe(200);
    expect(res.body.kind).toBe('user');
  });

  it('authenticates a session user for cookieauth=yes with the X-CSRF-Token header', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const a = app({ keyStore: store, now, getCookieUser: () => ({ userId: 'sess', csrfToken: 'tok' }) });
    const ok = await request(a).get('/export/categ/2.json?cookieauth=yes').set('X-CSRF-Token', 'tok');
    expect(ok.body).toMatchObject({ kind: 'user', userId: 'sess' });
    const bad = await request(a).get('/export/categ/2.json?cookieauth=yes').set('X-CSRF-Token', 'nope');
    expect(bad.body).toEqual({ message: 'Invalid CSRF token', code: 'INVALID_CSRF_TOKEN' });
  });

  it('rejects a POST body over the size limit with QUERY_TOO_LARGE', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const a = app({ keyStore: store, now, limits: { maxQueryBytes: 100 } });
    const res = await request(a)
      .post('/api/x.json')
      .type('form')
      .send(`q=${'a'.repeat(500)}`);
    expect(res.body).toMatchObject({ code: 'QUERY_TOO_LARGE' });
  });
});
