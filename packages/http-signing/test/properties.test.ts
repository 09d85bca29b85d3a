import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CanonicalFlavor,
  canonicalQuery,
  isHttpSigningError,
  signRequest,
  type VerifyOutcome,
  verifyRequest,
} from '../src/index.js';
import { splitUrl, storeWithKey } from './helpers.js';

// spec: export-api-and-signing §4.1, §4.4; STYLE.md "property-based tests for parsers and canonicalisers".
const KEY = 'a1b2c3d4-0000-4000-8000-000000000001';
const SECRET = 'f0e1d2c3-1111-4222-8333-444455556666';
const NOW_S = 1_400_000_000;
const now = () => NOW_S * 1000;
const PATH = '/export/categ/2.json';
const CONTROL = new Set(
  'ak apikey signature timestamp ca cookieauth op onlypublic oa onlyauthed nc nocache p pretty csrftoken'.split(' '),
);

/** Text with the characters that matter to the encoders, plus any Unicode. */
const text = fc.oneof(
  fc.string({
    unit: fc.constantFrom('~', ';', '&', '=', '+', '%', '#', ' ', '*', '/', 'a', 'B', '0', '.', '-', '_', 'é'),
  }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ maxLength: 8 }),
);
const paramKey = text.filter((k) => !CONTROL.has(k.toLowerCase()) && !CONTROL.has(k));
const paramSets = fc.array(fc.tuple(paramKey, fc.oneof(text, fc.constant(''))), { maxLength: 12 });
const flavors = fc.constantFrom<CanonicalFlavor>('indico1x2x', 'indico3x');

/** A deliberately plain reference canonicaliser over Buffers, to check the optimised one against. */
function oracle(query: string, flavor: CanonicalFlavor): string {
  const py2 = flavor === 'indico1x2x';
  const bytes = Buffer.from(query, 'utf8');
  const pieces: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    const b = bytes[i];
    if (i === bytes.length || b === 0x26 || (py2 && b === 0x3b)) {
      pieces.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  const decode = (raw: Buffer): Buffer => {
    const out: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i]!;
      if (c === 0x2b) out.push(0x20);
      else if (c === 0x25) {
        out.push(Number.parseInt(raw.subarray(i + 1, i + 3).toString('latin1'), 16));
        i += 2;
      } else out.push(c);
    }
    return Buffer.from(out);
  };
  const entries: Array<[Buffer, Buffer]> = [];
  for (const p of pieces) {
    const eq = p.indexOf(0x3d);
    if (eq < 0 || eq === p.length - 1) continue;
    const k = Buffer.from(decode(p.subarray(0, eq)).map((c) => (c >= 0x41 && c <= 0x5a ? c + 32 : c)));
    if (k.toString('latin1') === 'signature') continue;
    entries.push([k, decode(p.subarray(eq + 1))]);
  }
  entries.sort((a, b) => Buffer.compare(a[0], b[0]) || Buffer.compare(a[1], b[1]));
  const enc = (b: Buffer) =>
    [...b]
      .map((c) =>
        /[A-Za-z0-9_.-]/.test(String.fromCharCode(c)) || (!py2 && c === 0x7e)
          ? String.fromCharCode(c)
          : c === 0x20
            ? '+'
            : `%${c.toString(16).toUpperCase().padStart(2, '0')}`,
      )
      .join('');
  return entries.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

/** Raw queries built from well-formed escapes and the separator characters. */
const rawQuery = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '&',
        ';',
        '=',
        '+',
        '~',
        '%41',
        '%7e',
        '%7E',
        '%C3%A9',
        '%FF',
        '%3B',
        '%26',
        'A',
        'b',
        'Signature',
        'x',
      ),
      fc.string({ maxLength: 3 }).filter((s) => !s.includes('%')),
    ),
    { maxLength: 30 },
  )
  .map((parts) => parts.join(''));

async function verifyUrl(
  url: string,
  store: Awaited<ReturnType<typeof storeWithKey>>['store'],
): Promise<VerifyOutcome> {
  const { path, query } = splitUrl(url);
  return verifyRequest({ method: 'GET', path, query }, { mode: 'ALL_SIGNED', keyStore: store, now });
}

describe('properties', () => {
  it('sign-then-verify round-trips any parameter set, in either flavour, and hooks see the sent values', async () => {
    const { store, record } = await storeWithKey(KEY, SECRET);
    await fc.assert(
      fc.asyncProperty(paramSets, flavors, async (params, flavor) => {
        const { url } = signRequest(PATH, params, { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S, flavor });
        const outcome = await verifyUrl(url, store);
        expect(outcome).toMatchObject({ kind: 'user', userId: record.userId, signed: true });
        expect(outcome.pairs.slice(0, params.length)).toEqual(params);
      }),
      { numRuns: 300 },
    );
  });

  it('a single changed byte is either rejected or leaves the signed canonical form unchanged', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
    await fc.assert(
      fc.asyncProperty(paramSets, fc.nat(), printable, async (params, at, ch) => {
        const { url } = signRequest(PATH, params, { apiKey: KEY, secretKey: SECRET, timestamp: NOW_S });
        const { query } = splitUrl(url);
        const i = at % query.length;
        const tampered = query.slice(0, i) + ch + query.slice(i + 1);
        fc.pre(tampered !== query && !ch.includes('#'));
        let accepted = false;
        try {
          await verifyUrl(`${PATH}?${tampered}`, store);
          accepted = true;
        } catch (err) {
          expect(isHttpSigningError(err)).toBe(true);
        }
        if (accepted) {
          const same = (['indico1x2x', 'indico3x'] as const).some(
            (flavor) => canonicalQuery(tampered, { flavor }) === canonicalQuery(query, { flavor }),
          );
          expect(same).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('the canonicaliser agrees with a plain Buffer-based reference on raw queries', () => {
    fc.assert(
      fc.property(rawQuery, flavors, (query, flavor) => {
        expect(canonicalQuery(query, { flavor })).toBe(oracle(query, flavor));
      }),
      { numRuns: 1000 },
    );
  });

  it('canonicalising is idempotent', () => {
    fc.assert(
      fc.property(rawQuery, flavors, (query, flavor) => {
        const once = canonicalQuery(query, { flavor });
        expect(canonicalQuery(once, { flavor })).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary input never fails with anything but an HttpSigningError', async () => {
    const { store } = await storeWithKey(KEY, SECRET);
    const junk = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      rawQuery,
      fc.uint8Array({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(junk, fc.constantFrom('GET', 'POST'), async (query, method) => {
        try {
          await verifyRequest({ method, path: PATH, query, body: query }, { keyStore: store, now });
        } catch (err) {
          expect(isHttpSigningError(err)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
