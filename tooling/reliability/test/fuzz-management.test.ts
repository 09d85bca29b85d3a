/**
 * Bad input, management API (issue 10): random JSON bodies, mutated valid bodies, broken JSON and odd ids,
 * correctly signed by an admin key, over real HTTP to the reference server (embedded stores). Every answer
 * must be a 2xx `{ok: true}` or a clean 4xx/501 `{ok: false, message}` within 5 s, never a 500, and the
 * server must still serve the export API afterwards. FUZZ_RUNS sets the count (see fuzz-export.test.ts).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzRuns, fuzzSeed, percentAll, within } from '../src/fuzz.js';
import { manage, type Served, serve } from '../src/server-harness.js';

// Over real HTTP a request costs a few ms (signing, replay check, zod), so the CI default is 1000;
// FUZZ_MANAGE_RUNS (else FUZZ_RUNS) sets the count.
const RUNS = process.env.FUZZ_MANAGE_RUNS ? fuzzRuns(1000, 'FUZZ_MANAGE_RUNS') : fuzzRuns(1000);

const person = { id: 'p1', fullName: 'Ada Lovelace', affiliation: 'CERN', email: 'ada@example.org' };
// Valid bodies per route (apps/server README, management API); mutations start from these.
const routes: Array<{ methods: string[]; path: (id: string) => string; body: Record<string, unknown> }> = [
  { methods: ['PUT', 'PATCH'], path: (id) => `/manage/categories/${id}`, body: { name: 'Fuzz', parentId: '0' } },
  {
    methods: ['PUT', 'PATCH', 'DELETE'],
    path: (id) => `/manage/events/${id}`,
    body: {
      title: 'Fuzzed event',
      startDate: '2030-05-04T09:00:00+02:00',
      endDate: '2030-05-04T17:00:00+02:00',
      timezone: 'Europe/Zurich',
      categoryId: '2',
      chairs: [person],
      protection: { isProtected: false },
    },
  },
  {
    methods: ['PUT', 'PATCH'],
    path: (id) => `/manage/events/137346/contributions/${id}`,
    body: { title: 'Talk', duration: 30, startDate: '2011-06-23T09:00:00+02:00', speakers: [person] },
  },
  {
    methods: ['PUT', 'PATCH'],
    path: (id) => `/manage/events/137346/sessions/${id}`,
    body: { title: 'Morning', slots: [{ id: 's1', startDate: 1_308_812_400_000, endDate: 1_308_816_000_000 }] },
  },
  {
    methods: ['PUT'],
    path: (id) => `/manage/events/137346/breaks/${id}`,
    body: { title: 'Coffee', startDate: 1_308_812_400_000, endDate: 1_308_813_300_000 },
  },
  {
    methods: ['PUT', 'PATCH'],
    path: (id) => `/manage/users/${id}`,
    body: { firstName: 'Grace', familyName: 'Hopper', isAdmin: false, favoriteCategoryIds: ['2'] },
  },
];

const idArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('2', '137346', '900001', 'x_1', 'a.b-c') },
  { weight: 1, arbitrary: fc.string({ maxLength: 70 }).map(percentAll) },
  { weight: 1, arbitrary: fc.constantFrom('%2e%2e', '..', '%00', 'a'.repeat(65), '%F0%9F%98%80', '%zz') },
);

const jsonArb = fc.jsonValue({ maxDepth: 3 });
const bodyArb = (valid: Record<string, unknown>) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(JSON.stringify(valid)) },
    {
      weight: 6,
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof(
              { weight: 4, arbitrary: fc.constantFrom(...Object.keys(valid)) },
              { weight: 1, arbitrary: fc.string() },
            ),
            fc.oneof(jsonArb, fc.constant(undefined)),
          ),
          { minLength: 1, maxLength: 3 },
        )
        .map((edits) => {
          const b: Record<string, unknown> = { ...valid };
          for (const [k, v] of edits) {
            if (v === undefined) delete b[k];
            else b[k] = v;
          }
          return JSON.stringify(b);
        }),
    },
    { weight: 2, arbitrary: jsonArb.map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 80 }) },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '{"title":', '[]', 'null', '{"__proto__":{"isAdmin":true}}') },
  );

const requestArb = fc.constantFrom(...routes).chain((r) =>
  fc.record({
    method: fc.constantFrom(...r.methods),
    path: idArb.map(r.path),
    body: bodyArb(r.body),
    contentType: fc.oneof(
      { weight: 10, arbitrary: fc.constant('application/json') },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
        ),
      },
    ),
  }),
);

describe('management API under random bodies (signed admin requests, embedded stores)', () => {
  let ctx: Served;
  beforeAll(async () => {
    ctx = await serve();
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('answers client mistakes that express and body-parser flag (bad %-escape, unsupported charset) with their 4xx', async () => {
    const badEscape = await manage(ctx.base, ctx.admin, 'PATCH', '/manage/users/%zz', '{}');
    expect(badEscape.status).toBe(400);
    const badCharset = await manage(
      ctx.base,
      ctx.admin,
      'PATCH',
      '/manage/users/1',
      '{}',
      'application/json; charset=latin1',
    );
    expect(badCharset.status).toBe(415);
  });

  it(
    `answers ${RUNS} random bodies with {ok:true} or a clean 4xx/501, never 5xx, never hanging`,
    async () => {
      const statuses = new Map<number, number>();
      const refusals = new Map<string, number>();
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(requestArb, async ({ method, path, body, contentType }) => {
          const raw = method === 'DELETE' ? undefined : body;
          const what = `${method} ${path} ${raw?.slice(0, 200)}`;
          const res = await within(manage(ctx.base, ctx.admin, method, path, raw, contentType), 5000, what);
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status >= 500 && res.status !== 501) throw new Error(`${res.status} for ${what}: ${text}`);
          let json: { ok?: unknown; message?: unknown };
          try {
            json = JSON.parse(text);
          } catch {
            throw new Error(`non-JSON ${res.status} answer for ${what}: ${text.slice(0, 200)}`);
          }
          if (res.status < 300) {
            if (json.ok !== true) throw new Error(`2xx without ok:true for ${what}`);
          } else if (typeof json.message !== 'string') {
            throw new Error(`${res.status} without a message for ${what}: ${text.slice(0, 200)}`);
          } else if (res.status === 403) {
            refusals.set(json.message, (refusals.get(json.message) ?? 0) + 1);
          }
        }),
        { numRuns: RUNS, seed: fuzzSeed(), endOnFailure: true },
      );
      console.info(
        `fuzz management: ${RUNS} requests in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; 403s ${JSON.stringify(Object.fromEntries(refusals))}`,
      );
      // Some bodies must get through (else the generator only exercises the JSON parser).
      expect((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0)).toBeGreaterThan(RUNS / 50);
      expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 20);
      // The server still works: the export API answers the seed category with an envelope.
      const res = await fetch(`${ctx.base}/export/categ/2.json`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { _type: string })._type).toBe('HTTPAPIResult');
    },
    Math.max(120_000, RUNS * 40),
  );
});
