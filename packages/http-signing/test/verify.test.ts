import { describe, expect, it } from 'vitest';
import {
  type ApiModeName,
  buildIndicoRequest,
  computeSignature,
  createMemoryReplayStore,
  recordKeyUse,
  signRequest,
  type VerifyOptions,
  type VerifyRequestInput,
  verifyRequest,
} from '../src/index.js';
import { CONTROL_NAMES, controlIndex } from '../src/verify.js';
import { rejection, splitUrl, storeWithKey } from './helpers.js';

const KEY = 'a1b2c3d4-0000-4000-8000-000000000001';
const SECRET = 'f0e1d2c3-1111-4222-8333-444455556666';
const NOW_S = 1_400_000_000;
const now = () => NOW_S * 1000;
const PATH = '/export/categ/2.json';

async function setup(opts: { persistentAllowed?: boolean } = {}) {
  return storeWithKey(KEY, SECRET, opts);
}

function get(url: string, extra: Partial<VerifyRequestInput> = {}): VerifyRequestInput {
  const { path, query } = splitUrl(url);
  return { method: 'GET', path, query, ...extra };
}

const anonUrl = `${PATH}?limit=10`;
const keyUrl = buildIndicoRequest(PATH, { limit: 10 }, { apiKey: KEY });
const signedUrl = buildIndicoRequest(PATH, { limit: 10 }, { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S });

describe('verifyRequest: API modes (spec §3.3 decision table)', () => {
  // [mode, no ak, ak without signature, ak + signature]
  const table: Array<[ApiModeName, string, string, string]> = [
    ['KEY', 'anonymous', 'user', 'user'],
    ['ONLYKEY', 'API key is missing', 'user', 'user'],
    ['SIGNED', 'anonymous', 'public-only', 'user'],
    ['ONLYKEY_SIGNED', 'API key is missing', 'public-only', 'user'],
    ['ALL_SIGNED', 'API key is missing', 'Signature missing', 'user'],
  ];
  for (const [mode, noKey, keyOnly, withSig] of table) {
    for (const [column, url, expected] of [
      ['no key', anonUrl, noKey],
      ['key only', keyUrl, keyOnly],
      ['key + signature', signedUrl, withSig],
    ] as const) {
      it(`${mode}, ${column}: ${expected}`, async () => {
        const { store } = await setup();
        const run = verifyRequest(get(url), { mode, keyStore: store, now });
        if (['anonymous', 'user', 'public-only'].includes(expected)) {
          expect((await run).kind).toBe(expected);
        } else {
          const err = await rejection(run);
          expect(err.message).toBe(expected);
        }
      });
    }
  }

  it('accepts the numeric mode values 0-4 like their names', async () => {
    const { store } = await setup();
    expect((await verifyRequest(get(keyUrl), { mode: 2, keyStore: store, now })).kind).toBe('public-only');
    expect(await rejection(verifyRequest(get(anonUrl), { mode: 4, keyStore: store, now }))).toMatchObject({
      code: 'API_KEY_MISSING',
    });
  });

  it('rejects an unknown mode as a programmer error', async () => {
    const { store } = await setup();
    await expect(verifyRequest(get(anonUrl), { mode: 7 as 0, keyStore: store })).rejects.toThrow(TypeError);
  });
});

describe('verifyRequest: key checks (spec §3.3 order of checks)', () => {
  it('answers Invalid API key for an unknown key, in every mode', async () => {
    const { store } = await setup();
    for (const mode of ['KEY', 'ONLYKEY', 'SIGNED', 'ONLYKEY_SIGNED', 'ALL_SIGNED'] as const) {
      const url = `${PATH}?ak=00000000-0000-4000-8000-00000000dead`;
      expect(await rejection(verifyRequest(get(url), { mode, keyStore: store, now }))).toMatchObject({
        code: 'INVALID_API_KEY',
        message: 'Invalid API key',
      });
    }
  });

  it('answers API key is blocked before looking at the signature', async () => {
    const { store } = await setup();
    await store.setBlocked(KEY, true);
    const badSig = signedUrl.replace(/signature=[0-9a-f]+/, 'signature=0000');
    expect(await rejection(verifyRequest(get(badSig), { keyStore: store, now }))).toMatchObject({
      code: 'API_KEY_BLOCKED',
      message: 'API key is blocked',
    });
    await store.setBlocked(KEY, false);
    expect((await verifyRequest(get(signedUrl), { keyStore: store, now })).kind).toBe('user');
  });

  it('verifies a non-empty signature even in KEY mode', async () => {
    const { store } = await setup();
    const other = computeSignature(SECRET, 'something else');
    const url = signedUrl.replace(/signature=[0-9a-f]+/, `signature=${other}`);
    expect(await rejection(verifyRequest(get(url), { mode: 'KEY', keyStore: store, now }))).toMatchObject({
      code: 'SIGNATURE_INVALID',
      message: 'Signature invalid',
    });
  });

  it('treats an empty signature= as no signature', async () => {
    const { store } = await setup();
    const url = `${keyUrl}&signature=`;
    expect((await verifyRequest(get(url), { mode: 'KEY', keyStore: store, now })).kind).toBe('user');
    expect(await rejection(verifyRequest(get(url), { mode: 'ALL_SIGNED', keyStore: store, now }))).toMatchObject({
      code: 'SIGNATURE_MISSING',
    });
  });

  it('accepts the key as ak or apikey, and ak wins when both are present', async () => {
    const { store, record } = await setup();
    const viaAk = await verifyRequest(get(`${PATH}?ak=${KEY}`), { keyStore: store, now });
    expect(viaAk).toMatchObject({ kind: 'user', userId: record.userId });
    const both = `${PATH}?ak=00000000-0000-4000-8000-00000000dead&apikey=${KEY}`;
    expect(await rejection(verifyRequest(get(both), { keyStore: store, now }))).toMatchObject({
      code: 'INVALID_API_KEY',
    });
  });

  it('treats an empty ak= as no key', async () => {
    const { store } = await setup();
    expect((await verifyRequest(get(`${PATH}?ak=`), { keyStore: store, now })).kind).toBe('anonymous');
    expect(await rejection(verifyRequest(get(`${PATH}?ak=`), { mode: 'ONLYKEY', keyStore: store, now }))).toMatchObject(
      { code: 'API_KEY_MISSING' },
    );
  });

  it('stops accepting the old key at once after regenerate', async () => {
    const { store } = await setup();
    const fresh = await store.regenerate(KEY);
    expect(await rejection(verifyRequest(get(signedUrl), { keyStore: store, now }))).toMatchObject({
      code: 'INVALID_API_KEY',
    });
    const url = buildIndicoRequest(
      PATH,
      { limit: 10 },
      { apiKey: fresh.key, secretKey: fresh.secret, timestamp: NOW_S },
    );
    expect((await verifyRequest(get(url), { keyStore: store, now })).kind).toBe('user');
  });
});

describe('verifyRequest: timestamps (spec §4.1 step 1)', () => {
  const at = (ts: number) => buildIndicoRequest(PATH, { limit: 10 }, { apiKey: KEY, secretKey: SECRET, timestamp: ts });

  it('accepts timestamps up to 600 s in the past and in the future, bounds inclusive', async () => {
    const { store } = await setup();
    for (const ts of [NOW_S - 600, NOW_S + 600, NOW_S]) {
      expect((await verifyRequest(get(at(ts)), { keyStore: store, now })).kind).toBe('user');
    }
  });

  it('rejects timestamps 601 s away in either direction with Signature invalid (bad timestamp)', async () => {
    const { store } = await setup();
    for (const ts of [NOW_S - 601, NOW_S + 601]) {
      expect(await rejection(verifyRequest(get(at(ts)), { keyStore: store, now }))).toMatchObject({
        code: 'SIGNATURE_BAD_TIMESTAMP',
        message: 'Signature invalid (bad timestamp)',
      });
    }
  });

  it('uses whole seconds of the clock and honours a custom ttl', async () => {
    const { store } = await setup();
    const clock = () => NOW_S * 1000 + 999; // int(time.time()) is still NOW_S
    expect((await verifyRequest(get(at(NOW_S - 30)), { keyStore: store, now: clock, ttl: 30 })).kind).toBe('user');
    expect(await rejection(verifyRequest(get(at(NOW_S - 31)), { keyStore: store, now: clock, ttl: 30 }))).toMatchObject(
      { code: 'SIGNATURE_BAD_TIMESTAMP' },
    );
  });

  it('takes `now` as a number of epoch milliseconds as well as a clock function', async () => {
    const { store } = await setup();
    expect((await verifyRequest(get(at(NOW_S + 600)), { keyStore: store, now: NOW_S * 1000 })).kind).toBe('user');
    expect(await rejection(verifyRequest(get(at(NOW_S + 601)), { keyStore: store, now: NOW_S * 1000 }))).toMatchObject({
      code: 'SIGNATURE_BAD_TIMESTAMP',
    });
  });

  it('treats timestamp=0 like a missing timestamp (persistent)', async () => {
    const sig = computeSignature(SECRET, `${PATH}?ak=${KEY}&limit=10&timestamp=0`);
    const input = get(`${PATH}?ak=${KEY}&limit=10&timestamp=0&signature=${sig}`);
    const { store } = await setup({ persistentAllowed: true });
    expect(await verifyRequest(input, { keyStore: store, now, allowPersistent: true })).toMatchObject({
      kind: 'user',
      persistent: true,
    });
    expect(await rejection(verifyRequest(input, { keyStore: store, now }))).toMatchObject({
      code: 'SIGNATURE_NO_TIMESTAMP',
    });
  });

  it('accepts a persistent signature only when the key and the server both allow it, and it never expires', async () => {
    const url = buildIndicoRequest(PATH, { limit: 10 }, { apiKey: KEY, secretKey: SECRET, persistent: true });
    const { store } = await setup({ persistentAllowed: true });
    const farFuture = () => (NOW_S + 10 * 365 * 86400) * 1000;
    const ok = await verifyRequest(get(url), { keyStore: store, now: farFuture, allowPersistent: true });
    expect(ok).toMatchObject({ kind: 'user', persistent: true, signed: true });
    expect(await rejection(verifyRequest(get(url), { keyStore: store, now }))).toMatchObject({
      code: 'SIGNATURE_NO_TIMESTAMP',
      message: 'Signature invalid (no timestamp)',
    });
  });
});

describe('verifyRequest: onlypublic, onlyauthed, HTTPS (spec §3.2, §3.4)', () => {
  it('onlypublic=yes validates the key but runs public-only, and the use counts as not authenticated', async () => {
    const { store } = await setup();
    const url = buildIndicoRequest(
      PATH,
      { limit: 10 },
      { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S, onlyPublic: true },
    );
    const outcome = await verifyRequest(get(url), { keyStore: store, now });
    expect(outcome).toMatchObject({ kind: 'public-only', reason: 'onlypublic' });
    expect(outcome.keyUse).toMatchObject({ key: KEY, authenticated: false });
    const badKey = `${PATH}?ak=nope&onlypublic=yes`;
    expect(await rejection(verifyRequest(get(badKey), { keyStore: store, now }))).toMatchObject({
      code: 'INVALID_API_KEY',
    });
  });

  it('op=yes is the short form of onlypublic', async () => {
    const { store } = await setup();
    expect((await verifyRequest(get(`${keyUrl}&op=yes`), { keyStore: store, now })).kind).toBe('public-only');
  });

  it('onlyauthed=yes fails with Not authenticated unless a user results', async () => {
    const { store } = await setup();
    for (const url of [`${anonUrl}&onlyauthed=yes`, `${keyUrl}&oa=yes&onlypublic=yes`]) {
      expect(await rejection(verifyRequest(get(url), { keyStore: store, now }))).toMatchObject({
        code: 'NOT_AUTHENTICATED',
        message: 'Not authenticated',
      });
    }
    expect(
      await rejection(verifyRequest(get(`${keyUrl}&oa=yes`), { mode: 'SIGNED', keyStore: store, now })),
    ).toMatchObject({ code: 'NOT_AUTHENTICATED' });
    expect((await verifyRequest(get(`${keyUrl}&oa=yes`), { keyStore: store, now })).kind).toBe('user');
  });

  it('with requireHttps, authenticated key requests over plain HTTP fail but public-only ones pass', async () => {
    const { store } = await setup();
    const opts: VerifyOptions = { keyStore: store, now, requireHttps: true };
    expect(await rejection(verifyRequest(get(keyUrl), opts))).toMatchObject({ message: 'HTTPS is required' });
    expect((await verifyRequest(get(keyUrl, { secure: true }), opts)).kind).toBe('user');
    expect((await verifyRequest(get(`${keyUrl}&onlypublic=yes`), opts)).kind).toBe('public-only');
  });
});

describe('verifyRequest: cookie auth (spec §3.4)', () => {
  const cookieUser = { userId: 'session-user', csrfToken: 'tok-123' };

  it('authenticates the session user with the CSRF token from the X-CSRF-Token header', async () => {
    const { store } = await setup();
    const input = get(`${PATH}?cookieauth=yes`, { cookieUser, headers: { 'X-CSRF-Token': 'tok-123' } });
    expect(await verifyRequest(input, { mode: 'ALL_SIGNED', keyStore: store, now })).toMatchObject({
      kind: 'user',
      userId: 'session-user',
      via: 'cookie',
      keyUse: null,
    });
  });

  it('falls back to the csrftoken param, and rejects a wrong or missing token', async () => {
    const { store } = await setup();
    const ok = get(`${PATH}?ca=yes&csrftoken=tok-123`, { cookieUser });
    expect((await verifyRequest(ok, { keyStore: store, now })).kind).toBe('user');
    for (const input of [
      get(`${PATH}?ca=yes&csrftoken=tok-999`, { cookieUser }),
      get(`${PATH}?ca=yes`, { cookieUser }),
    ]) {
      expect(await rejection(verifyRequest(input, { keyStore: store, now }))).toMatchObject({
        code: 'INVALID_CSRF_TOKEN',
        message: 'Invalid CSRF token',
      });
    }
  });

  it('ignores cookie auth when a key is present or no user is logged in', async () => {
    const { store, record } = await setup();
    const withKey = get(`${keyUrl}&cookieauth=yes`, { cookieUser });
    expect(await verifyRequest(withKey, { keyStore: store, now })).toMatchObject({
      kind: 'user',
      userId: record.userId,
    });
    const guest = get(`${PATH}?cookieauth=yes`, { cookieUser: null });
    expect((await verifyRequest(guest, { keyStore: store, now })).kind).toBe('anonymous');
    expect(await rejection(verifyRequest(guest, { mode: 'ONLYKEY', keyStore: store, now }))).toMatchObject({
      code: 'API_KEY_MISSING',
    });
  });

  it('runs public-only with onlypublic=yes', async () => {
    const { store } = await setup();
    const input = get(`${PATH}?ca=yes&op=yes`, { cookieUser, headers: { 'x-csrf-token': 'tok-123' } });
    expect((await verifyRequest(input, { keyStore: store, now })).kind).toBe('public-only');
  });
});

describe('verifyRequest: POST (spec §2 step 1, §11 2016 fix)', () => {
  const path = '/api/roomBooking/bookRoom.json';

  it('verifies the form body and ignores the query string entirely', async () => {
    const { store } = await setup();
    const { query } = signRequest(
      path,
      { location: 'CERN', roomid: 189 },
      { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S },
    );
    const input: VerifyRequestInput = { method: 'POST', path, body: query, query: 'ak=nope&signature=junk&x=1' };
    const outcome = await verifyRequest(input, { mode: 'ALL_SIGNED', keyStore: store, now });
    expect(outcome).toMatchObject({ kind: 'user', signed: true });
    expect(outcome.params).toEqual({ location: 'CERN', roomid: '189' });
    // a signature that only sits in the query string counts for nothing
    const onlyQuery: VerifyRequestInput = { method: 'POST', path, body: '', query };
    expect(await rejection(verifyRequest(onlyQuery, { mode: 'ALL_SIGNED', keyStore: store, now }))).toMatchObject({
      code: 'API_KEY_MISSING',
    });
  });

  it('signs every value of a repeated form field, given raw or already parsed', async () => {
    const { store } = await setup();
    const signed = signRequest(
      path,
      [
        ['x', 'b'],
        ['x', 'a'],
        ['room', ''],
      ],
      {
        apiKey: KEY,
        secretKey: SECRET,
        timestamp: NOW_S,
      },
    );
    const raw = await verifyRequest({ method: 'POST', path, body: signed.query }, { keyStore: store, now });
    expect(raw).toMatchObject({ kind: 'user', signed: true });
    const form = Object.fromEntries(new URLSearchParams(signed.query)) as Record<string, string | string[]>;
    form.x = ['b', 'a'];
    const parsed = await verifyRequest({ method: 'POST', path, body: form }, { keyStore: store, now });
    expect(parsed).toMatchObject({ kind: 'user', signed: true });
    // dropping one of the repeated values breaks the signature
    form.x = ['b'];
    expect(
      await rejection(verifyRequest({ method: 'POST', path, body: form }, { keyStore: store, now })),
    ).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });
});

describe('verifyRequest: both canonical forms (spec §4.4)', () => {
  it('accepts `~` signed the Indico 1.x/2.x way (%7E) and the 3.x way (literal)', async () => {
    const { store } = await setup();
    for (const flavor of ['indico1x2x', 'indico3x'] as const) {
      const url = buildIndicoRequest(
        PATH,
        { bookedfor: '~jdoe' },
        { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S, flavor },
      );
      expect((await verifyRequest(get(url), { keyStore: store, now })).kind).toBe('user');
    }
  });

  it('accepts a raw `;` separator signed as Python 2 splits it, and as Python 3 keeps it', async () => {
    const { store } = await setup();
    const base = `ak=${KEY}&timestamp=${NOW_S}&a=1;b=2`;
    const py2 = computeSignature(SECRET, `${PATH}?a=1&ak=${KEY}&b=2&timestamp=${NOW_S}`);
    const py3 = computeSignature(SECRET, `${PATH}?a=1%3Bb%3D2&ak=${KEY}&timestamp=${NOW_S}`);
    for (const sig of [py2, py3]) {
      const outcome = await verifyRequest(
        { method: 'GET', path: PATH, query: `${base}&signature=${sig}` },
        { keyStore: store, now },
      );
      expect(outcome.kind).toBe('user');
    }
  });

  it('accepts any transmitted encoding and order of the same parameters', async () => {
    const { store } = await setup();
    const sig = computeSignature(SECRET, `${PATH}?ak=${KEY}&q=a+b%2Fc&timestamp=${NOW_S}`);
    const query = `timestamp=${NOW_S}&Q=a%20b/c&signature=${sig}&ak=${KEY}`;
    expect((await verifyRequest({ method: 'GET', path: PATH, query }, { keyStore: store, now })).kind).toBe('user');
  });
});

describe('verifyRequest: outcome contents', () => {
  it('gives hooks the first value per key without the control params, plus flags', async () => {
    const { store } = await setup();
    const url = buildIndicoRequest(
      PATH,
      [
        ['limit', '10'],
        ['limit', '20'],
        ['pretty', 'yes'],
        ['nc', 'yes'],
      ],
      {
        apiKey: KEY,
        secretKey: SECRET,
        timestamp: NOW_S,
      },
    );
    const outcome = await verifyRequest(get(url), { keyStore: store, now });
    expect(outcome.params).toEqual({ limit: '10' });
    expect(outcome.pretty).toBe(true);
    expect(outcome.noCache).toBe(true);
    expect(outcome.pairs.filter(([k]) => k === 'limit')).toEqual([
      ['limit', '10'],
      ['limit', '20'],
    ]);
  });

  it('keeps keys such as __proto__ and constructor as plain own params', async () => {
    const { store } = await setup();
    const query = '__proto__=x&constructor=y&toString=z&__proto__=second';
    const outcome = await verifyRequest({ method: 'GET', path: PATH, query }, { keyStore: store, now });
    expect(Object.keys(outcome.params)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(outcome.params, '__proto__')?.value).toBe('x');
    expect(outcome.params.constructor).toBe('y');
    expect(({} as Record<string, unknown>).x).toBeUndefined(); // nothing leaked into Object.prototype
  });

  it('prepares the key-use record without signature and timestamp, and records it only when asked', async () => {
    // spec §2 step 10, §3.1 (_lastQuery is the normalised query without signature/timestamp)
    const { store } = await setup();
    const url = buildIndicoRequest(
      PATH,
      { to: 'today', from: 'today' },
      { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S },
    );
    const outcome = await verifyRequest(get(url, { ip: '192.0.2.7' }), { keyStore: store, now });
    expect(outcome.keyUse).toEqual({
      key: KEY,
      path: PATH,
      query: `apikey=${KEY}&from=today&to=today`,
      authenticated: true,
      ip: '192.0.2.7',
    });
    expect((await store.get(KEY))!.useCount).toBe(0);
    expect(await recordKeyUse(store, outcome, 5000)).toBe(true);
    expect((await store.get(KEY))!.lastUse).toEqual({
      at: 5000,
      ip: '192.0.2.7',
      path: PATH,
      query: `apikey=${KEY}&from=today&to=today`,
      authenticated: true,
    });
    const anon = await verifyRequest(get(anonUrl), { keyStore: store, now });
    expect(await recordKeyUse(store, anon)).toBe(false);
  });
});

describe('verifyRequest: replay protection (opt-in; spec §4.4 item 6)', () => {
  it('is off by default: the same signed URL works again within the window', async () => {
    const { store } = await setup();
    await verifyRequest(get(signedUrl), { keyStore: store, now });
    expect((await verifyRequest(get(signedUrl), { keyStore: store, now })).kind).toBe('user');
  });

  it('accepts a timestamped signature once, even when re-encoded', async () => {
    const { store } = await setup();
    const t = { ms: now() };
    const replayStore = createMemoryReplayStore({ clock: { now: () => t.ms } });
    const opts = { keyStore: store, now: () => t.ms, replayStore };
    expect((await verifyRequest(get(signedUrl), opts)).kind).toBe('user');
    expect(await rejection(verifyRequest(get(signedUrl), opts))).toMatchObject({ code: 'SIGNATURE_REPLAYED' });
    const reordered = get(`${signedUrl.replace('limit=10&', '')}&limit=10`);
    expect(await rejection(verifyRequest(reordered, opts))).toMatchObject({ code: 'SIGNATURE_REPLAYED' });
    t.ms += 601_000; // past the window the timestamp check answers first
    expect(await rejection(verifyRequest(get(signedUrl), opts))).toMatchObject({ code: 'SIGNATURE_BAD_TIMESTAMP' });
  });

  it('does not remember rejected signatures', async () => {
    const { store } = await setup();
    const replayStore = createMemoryReplayStore({ clock: { now } });
    await store.setBlocked(KEY, true);
    await rejection(verifyRequest(get(signedUrl), { keyStore: store, now, replayStore }));
    await store.setBlocked(KEY, false);
    expect((await verifyRequest(get(signedUrl), { keyStore: store, now, replayStore })).kind).toBe('user');
  });

  it('leaves persistent signatures reusable (they are meant for subscriptions)', async () => {
    const { store } = await setup({ persistentAllowed: true });
    const replayStore = createMemoryReplayStore({ clock: { now } });
    const url = buildIndicoRequest(PATH, {}, { apiKey: KEY, secretKey: SECRET, persistent: true });
    const opts = { keyStore: store, now, replayStore, allowPersistent: true };
    await verifyRequest(get(url), opts);
    expect((await verifyRequest(get(url), opts)).kind).toBe('user');
  });
});

describe('verifyRequest: params and pairs are built on first access', () => {
  it('gives the same params and pairs as the query holds, as own enumerable properties, in JSON too', async () => {
    const { store } = await setup();
    const { url } = signRequest(
      PATH,
      [
        ['From', 'today'],
        ['tz', 'Europe/Zurich'],
        ['q', 'Jörg'],
        ['q', 'b'],
      ],
      {
        apiKey: KEY,
        secretKey: SECRET,
        timestamp: NOW_S,
      },
    );
    const outcome = await verifyRequest(get(url), { keyStore: store, now });
    expect(Object.keys(outcome)).toEqual(expect.arrayContaining(['kind', 'noCache', 'keyUse']));
    expect(outcome.params).toEqual({ From: 'today', tz: 'Europe/Zurich', q: 'Jörg' });
    expect(outcome.pairs.slice(0, 4)).toEqual([
      ['From', 'today'],
      ['tz', 'Europe/Zurich'],
      ['q', 'Jörg'],
      ['q', 'b'],
    ]);
    expect(outcome.pairs.map(([k]) => k)).toEqual(['From', 'tz', 'q', 'q', 'apikey', 'timestamp', 'signature']);
    const json = JSON.parse(JSON.stringify(outcome));
    expect(json.params.q).toBe('Jörg');
    expect(json.kind).toBe('user');
    expect(json.pairs).toHaveLength(7);
    outcome.params = { replaced: 'yes' };
    expect(outcome.params).toEqual({ replaced: 'yes' });
  });

  it('still rejects a request whose unread, non-control param is not UTF-8', async () => {
    const { store } = await setup();
    const query = `x=%FF&apikey=${KEY}`;
    expect(
      await rejection(verifyRequest({ method: 'GET', path: PATH, query }, { keyStore: store, now })),
    ).toMatchObject({
      code: 'QUERY_MALFORMED',
    });
  });
});

describe('control params lookup', () => {
  it('maps each control name to its own index and nothing else to one', () => {
    for (const [i, name] of CONTROL_NAMES.entries()) expect(controlIndex(name), name).toBe(i);
    for (const other of ['', 'P', 'AK', 'apikeys', 'signaturE', 'q', 'tz', 'ap', 'from', 'onlypublik', 'csrftoken']) {
      expect(controlIndex(other), other).toBe(-1);
    }
  });
});
