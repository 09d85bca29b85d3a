import { describe, expect, it } from 'vitest';
import {
  buildIndicoRequest,
  canonicalQuery,
  computeSignature,
  createMemoryReplayStore,
  HttpSigningError,
  verifyRequest,
} from '../src/index.js';
import { rejection, splitUrl, storeWithKey } from './helpers.js';

// The issue's bad-input list: each gets a precise error (never an unexpected exception / 500).
const KEY = 'a1b2c3d4-0000-4000-8000-000000000001';
const SECRET = 'f0e1d2c3-1111-4222-8333-444455556666';
const NOW_S = 1_400_000_000;
const now = () => NOW_S * 1000;
const PATH = '/export/categ/2.json';

/** Signs `query` (raw, as sent) by hand: HMAC over the Indico 1.x/2.x canonical form. */
function signRaw(query: string): string {
  const canonical = canonicalQuery(query);
  return `${query}&signature=${computeSignature(SECRET, `${PATH}?${canonical}`)}`;
}

describe('bad input: malformed percent-escapes', () => {
  it.each(['q=%zz', 'q=%4', 'q=abc%', '%G1=x', 'q=%%41', 'q=%e9%'])('%s gives QUERY_MALFORMED', async (bad) => {
    const { store } = await storeWithKey(KEY, SECRET);
    const err = await rejection(
      verifyRequest({ method: 'GET', path: PATH, query: `ak=${KEY}&${bad}` }, { keyStore: store, now }),
    );
    expect(err).toBeInstanceOf(HttpSigningError);
    expect(err).toMatchObject({ code: 'QUERY_MALFORMED', message: 'Malformed query string' });
    expect(() => canonicalQuery(bad)).toThrow(HttpSigningError);
  });

  it('writes no replay token for a rejected request', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const replayStore = createMemoryReplayStore({ clock: { now } });
    const url = buildIndicoRequest(PATH, {}, { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S });
    const { query } = splitUrl(url);
    await rejection(
      verifyRequest({ method: 'GET', path: PATH, query: `${query}&x=%zz` }, { keyStore: store, now, replayStore }),
    );
    expect(
      (await verifyRequest({ method: 'GET', path: PATH, query }, { keyStore: store, now, replayStore })).kind,
    ).toBe('user');
  });
});

describe('bad input: non-UTF-8 bytes', () => {
  it('keeps %FF bytes byte-exact in the canonical form (spec §4.4 step 1)', () => {
    expect(canonicalQuery('b=%FF%fe&a=%C3%A9')).toBe('a=%C3%A9&b=%FF%FE');
    expect(canonicalQuery(new Uint8Array([0x6b, 0x3d, 0xff]))).toBe('k=%FF');
  });

  it('rejects a request whose parameters are not valid UTF-8 with QUERY_MALFORMED', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    for (const query of [`ak=${KEY}&q=%FF`, `ak=${KEY}&%C3=x`, new Uint8Array([0x71, 0x3d, 0xc3, 0x28])]) {
      expect(
        await rejection(verifyRequest({ method: 'GET', path: PATH, query }, { keyStore: store, now })),
      ).toMatchObject({
        code: 'QUERY_MALFORMED',
      });
    }
  });

  it('treats non-ASCII characters of a string query as UTF-8', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const query = signRaw(`ak=${KEY}&timestamp=${NOW_S}&who=Jörg`);
    const outcome = await verifyRequest({ method: 'GET', path: PATH, query }, { keyStore: store, now });
    expect(outcome.params.who).toBe('Jörg');
  });
});

describe('bad input: huge queries', () => {
  it('rejects a query over maxQueryBytes (default 16384) with QUERY_TOO_LARGE before any lookup', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const big = `ak=${KEY}&q=${'a'.repeat(16384)}`;
    expect(
      await rejection(verifyRequest({ method: 'GET', path: PATH, query: big }, { keyStore: store, now })),
    ).toMatchObject({
      code: 'QUERY_TOO_LARGE',
    });
    const small = { limits: { maxQueryBytes: 64 } };
    expect(
      await rejection(
        verifyRequest({ method: 'GET', path: PATH, query: `q=${'a'.repeat(63)}` }, { keyStore: store, ...small }),
      ),
    ).toMatchObject({ code: 'QUERY_TOO_LARGE' });
  });

  it('rejects more than maxParams (default 256) parameters with QUERY_TOO_LARGE', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const many = Array.from({ length: 257 }, (_, i) => `p${i}=1`).join('&');
    expect(
      await rejection(verifyRequest({ method: 'GET', path: PATH, query: many }, { keyStore: store, now })),
    ).toMatchObject({
      code: 'QUERY_TOO_LARGE',
    });
    const ok = Array.from({ length: 256 }, (_, i) => `p${i}=1`).join('&');
    expect((await verifyRequest({ method: 'GET', path: PATH, query: ok }, { keyStore: store, now })).kind).toBe(
      'anonymous',
    );
  });

  it('applies maxParams to an already parsed POST form too', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const body = { many: Array.from({ length: 300 }, (_, i) => String(i)) };
    expect(
      await rejection(verifyRequest({ method: 'POST', path: '/api/x.json', body }, { keyStore: store, now })),
    ).toMatchObject({
      code: 'QUERY_TOO_LARGE',
    });
  });

  it('counts bytes, not characters, for non-ASCII queries', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const query = `q=${'é'.repeat(40)}`; // 82 bytes in UTF-8, 42 characters
    expect(
      await rejection(
        verifyRequest({ method: 'GET', path: PATH, query }, { keyStore: store, limits: { maxQueryBytes: 64 } }),
      ),
    ).toMatchObject({ code: 'QUERY_TOO_LARGE' });
  });
});

describe('bad input: duplicated signature params', () => {
  it('rejects a second signature param even when the first one is valid', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const { query } = splitUrl(
      buildIndicoRequest(PATH, { limit: 1 }, { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S }),
    );
    for (const extra of ['signature=0000', 'signature=']) {
      expect(
        await rejection(
          verifyRequest({ method: 'GET', path: PATH, query: `${query}&${extra}` }, { keyStore: store, now }),
        ),
      ).toMatchObject({ code: 'SIGNATURE_DUPLICATED' });
    }
  });
});

describe('bad input: timestamps that are not integers', () => {
  it.each(['abc', '1.5', '1e9', '0x10', '14e8', '1_400_000_000', '--1'])(
    'timestamp=%s gives TIMESTAMP_MALFORMED',
    async (ts) => {
      const { store } = await storeWithKey(KEY, SECRET);
      const err = await rejection(
        verifyRequest(
          { method: 'GET', path: PATH, query: `ak=${KEY}&timestamp=${encodeURIComponent(ts)}&signature=x` },
          { keyStore: store, now },
        ),
      );
      expect(err).toMatchObject({ code: 'TIMESTAMP_MALFORMED' });
    },
  );

  it('accepts what Python int() accepts: surrounding whitespace and a sign (spec §2 step 2)', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    for (const ts of [`+${NOW_S}`, `%20${NOW_S}%20`, `0${NOW_S}`]) {
      const query = signRaw(`ak=${KEY}&timestamp=${ts}`);
      expect((await verifyRequest({ method: 'GET', path: PATH, query }, { keyStore: store, now })).kind).toBe('user');
    }
  });
});

describe('bad input: signature hex', () => {
  it('rejects an uppercase-hex signature with Indico’s message and a precise code', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const url = buildIndicoRequest(PATH, {}, { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S });
    const upper = url.replace(/signature=([0-9a-f]+)/, (_, hex: string) => `signature=${hex.toUpperCase()}`);
    const err = await rejection(verifyRequest({ method: 'GET', ...splitUrl(upper) }, { keyStore: store, now }));
    expect(err).toMatchObject({ code: 'SIGNATURE_MALFORMED', message: 'Signature invalid' });
  });

  it.each(['abc', 'z'.repeat(40), 'a'.repeat(41), `${'a'.repeat(39)} `])(
    'rejects signature=%j as malformed',
    async (sig) => {
      const { store } = await storeWithKey(KEY, SECRET);
      const query = `ak=${KEY}&timestamp=${NOW_S}&signature=${encodeURIComponent(sig)}`;
      expect(
        await rejection(verifyRequest({ method: 'GET', path: PATH, query }, { keyStore: store, now })),
      ).toMatchObject({
        code: 'SIGNATURE_MALFORMED',
      });
    },
  );
});
