/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { buildIndicoRequest, createMemoryApiKeyStore, HTTP_SIGNING_ERROR_CODES } from '@indico/http-signing';
import { describe, expect, it } from 'vitest';
import { createSigningAuthenticator, STATUS_BY_SIGNING_CODE } from '../src/index.js';
import { get, seedCatalog, seedHandler } from './helpers.js';

const NOW_SEC = 1308841641;

async function setup(mode: 0 | 1 | 2 | 3 | 4 = 0) {
  const clock = { now: () => NOW_SEC * 1000 };
  const keyStore = createMemoryApiKeyStore({ clock });
  const catalog = await seedCatalog();
  const base = (await catalog.getEvent('137346'))!;
  await catalog.putEvent({
    ...base,
    id: '900',
    title: 'Private',
    protection: { isProtected: true, allowedUserIds: ['36024'] },
  });
  const key = await keyStore.create('36024');
  const h = seedHandler(catalog, {
    nowSec: NOW_SEC,
    authenticate: createSigningAuthenticator({ keyStore, mode, clock }),
  });
  const call = (url: string) => {
    const [path, query = ''] = url.split('?');
    return get(h, path!, query);
  };
  return { h, key, keyStore, call };
}

describe('authentication through @indico/http-signing (spec §3-4)', () => {
  it('maps every http-signing error code to a status', () => {
    expect(Object.keys(STATUS_BY_SIGNING_CODE).sort()).toEqual([...HTTP_SIGNING_ERROR_CODES].sort());
    expect(STATUS_BY_SIGNING_CODE.SIGNATURE_INVALID).toBe(403);
    expect(STATUS_BY_SIGNING_CODE.API_KEY_MISSING).toBe(403);
  });

  it('runs a correctly signed request as the key owner and records the key use', async () => {
    const { key, keyStore, call } = await setup();
    const url = buildIndicoRequest('/export/event/900.json', [['pretty', 'yes']], {
      apiKey: key.key,
      secretKey: key.secret,
      timestamp: NOW_SEC,
    });
    const res = await call(url);
    expect(res.status).toBe(200);
    expect(res.json.results.map((r: any) => r.id)).toEqual(['900']);
    const after = await keyStore.get(key.key);
    expect(after!.useCount).toBe(1);
  });

  it('answers a wrong signature with 403 Signature invalid and records nothing', async () => {
    const { key, keyStore, call } = await setup();
    const res = await call(`/export/event/900.json?apikey=${key.key}&timestamp=${NOW_SEC}&signature=${'0'.repeat(40)}`);
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ message: 'Signature invalid', _type: 'HTTPAPIError', _fossil: 'hTTPAPIError' });
    expect((await keyStore.get(key.key))!.useCount).toBe(0);
  });

  it('answers an expired timestamp and an unknown key with Indico messages', async () => {
    const { key, call } = await setup();
    const old = buildIndicoRequest('/export/event/900.json', [], {
      apiKey: key.key,
      secretKey: key.secret,
      timestamp: NOW_SEC - 601,
    });
    expect((await call(old)).json.message).toBe('Signature invalid (bad timestamp)');
    const unknown = await call('/export/event/900.json?ak=00000000-0000-0000-0000-000000000000');
    expect([unknown.status, unknown.json.message]).toEqual([403, 'Invalid API key']);
  });

  it('requires a key in ONLYKEY mode and serves anonymous requests in KEY mode', async () => {
    const strict = await setup(1);
    const res = await strict.call('/export/event/137346.json');
    expect([res.status, res.json.message]).toEqual([403, 'API key is missing']);
    const open = await setup(0);
    expect((await open.call('/export/event/900-137346.json')).json.results.map((r: any) => r.id)).toEqual(['137346']);
  });

  it('answers a malformed timestamp with 400 instead of Indico 500', async () => {
    const { key, call } = await setup();
    const res = await call(`/export/event/900.json?apikey=${key.key}&timestamp=abc&signature=${'0'.repeat(40)}`);
    expect(res.status).toBe(400);
  });

  it('authenticates cookieauth=yes with the session user when the CSRF token matches', async () => {
    const keyStore = createMemoryApiKeyStore();
    const h = seedHandler(await seedCatalog(), {
      nowSec: NOW_SEC,
      authenticate: createSigningAuthenticator({
        keyStore,
        cookieUser: () => ({ userId: '36024', csrfToken: 'tok' }),
      }),
    });
    const ok = await get(h, '/export/user/36024.json', 'ca=yes', { headers: { 'X-CSRF-Token': 'tok' } });
    expect(ok.status).toBe(200);
    expect(ok.json.results[0].id).toBe('36024');
    const bad = await get(h, '/export/user/36024.json', 'cookieauth=yes&csrftoken=nope');
    expect([bad.status, bad.json.message]).toEqual([403, 'Invalid CSRF token']);
  });
});
