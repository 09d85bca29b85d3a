import { createFakeClock, type FakeClock } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiKeyStore, KeyUse } from '../../src/index.js';

export interface ApiKeyStoreHarness {
  store: ApiKeyStore;
  /** A second store over the same data (another connection for Redis) to race against `store`. */
  peer: ApiKeyStore;
  cleanup(): Promise<void>;
}

export type MakeApiKeyStore = (opts: { clock: FakeClock; generateId?: () => string }) => Promise<ApiKeyStoreHarness>;

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function use(at: number, extra: Partial<KeyUse> = {}): KeyUse {
  return { at, ip: '192.0.2.1', path: '/export/categ/2.json', query: 'ak=x&limit=1', authenticated: true, ...extra };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'resolved';
}

/** The ApiKeyStore contract (spec: export-api-and-signing §3.1); run against every adapter. */
export function describeApiKeyStoreContract(name: string, make: MakeApiKeyStore): void {
  describe(`ApiKeyStore contract: ${name}`, () => {
    let h: ApiKeyStoreHarness | undefined;
    const clock = createFakeClock(Date.UTC(2026, 0, 1));
    const open = async (generateId?: () => string) => {
      h = await make({ clock, generateId });
      return h.store;
    };
    afterEach(async () => {
      await h?.cleanup();
      h = undefined;
    });

    it('creates a key with uuid4 key and secret and Indico defaults', async () => {
      const store = await open();
      const r = await store.create('u1');
      expect(r.key).toMatch(UUID4);
      expect(r.secret).toMatch(UUID4);
      expect(r.secret).not.toBe(r.key);
      expect(r).toMatchObject({
        userId: 'u1',
        createdAt: clock.now(),
        blocked: false,
        persistentAllowed: false,
        oldKeys: [],
        lastUse: null,
        useCount: 0,
      });
      expect(await store.get(r.key)).toEqual(r);
      expect(await store.getByUser('u1')).toEqual(r);
    });

    it('creates a key that allows persistent signatures when asked', async () => {
      const store = await open();
      expect((await store.create('u1', { persistentAllowed: true })).persistentAllowed).toBe(true);
    });

    it('looks keys up by exact, case-sensitive text', async () => {
      const store = await open(() => 'abcdef00-0000-4000-8000-000000000000');
      const r = await store.create('u1');
      expect(await store.get(r.key.toUpperCase())).toBeNull();
      expect(await store.get('')).toBeNull();
      expect(await store.get('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await store.getByUser('nobody')).toBeNull();
    });

    it('keeps one key per user: a second create fails with API_KEY_EXISTS and changes nothing', async () => {
      const store = await open();
      const r = await store.create('u1');
      expect(await codeOf(store.create('u1'))).toBe('API_KEY_EXISTS');
      expect(await store.getByUser('u1')).toEqual(r);
    });

    it('rejects an empty user id with INVALID_ARGUMENT', async () => {
      const store = await open();
      expect(await codeOf(store.create(''))).toBe('INVALID_ARGUMENT');
    });

    it('draws a new key text when the generated one is taken', async () => {
      const ids = ['k-1', 's-1', 'k-1', 's-2', 'k-2', 's-3'];
      const store = await open(() => ids.shift()!);
      await store.create('u1');
      const second = await store.create('u2');
      expect(second.key).toBe('k-2');
      expect((await store.get('k-1'))!.userId).toBe('u1');
    });

    it('regenerates: new key and secret, the old key stops working at once, history and flags kept', async () => {
      const store = await open();
      const r = await store.create('u1', { persistentAllowed: true });
      await store.recordUse(r.key, use(clock.now()));
      const next = await store.regenerate(r.key);
      expect(next.key).toMatch(UUID4);
      expect(next.key).not.toBe(r.key);
      expect(next.secret).not.toBe(r.secret);
      expect(next).toMatchObject({ userId: 'u1', oldKeys: [r.key], persistentAllowed: true, useCount: 1 });
      expect(await store.get(r.key)).toBeNull();
      expect(await store.getByUser('u1')).toEqual(next);
      const third = await store.regenerate(next.key);
      expect(third.oldKeys).toEqual([r.key, next.key]);
      expect(await codeOf(store.regenerate(r.key))).toBe('API_KEY_NOT_FOUND');
    });

    it('blocks and unblocks a key; unknown keys give API_KEY_NOT_FOUND and create nothing', async () => {
      const store = await open();
      const r = await store.create('u1');
      expect((await store.setBlocked(r.key, true)).blocked).toBe(true);
      expect((await store.get(r.key))!.blocked).toBe(true);
      expect((await store.setBlocked(r.key, false)).blocked).toBe(false);
      expect(await codeOf(store.setBlocked('missing', true))).toBe('API_KEY_NOT_FOUND');
      expect(await store.get('missing')).toBeNull();
    });

    it('sets and clears the persistent-allowed flag', async () => {
      const store = await open();
      const r = await store.create('u1');
      expect((await store.setPersistentAllowed(r.key, true)).persistentAllowed).toBe(true);
      expect((await store.get(r.key))!.persistentAllowed).toBe(true);
      expect((await store.setPersistentAllowed(r.key, false)).persistentAllowed).toBe(false);
      expect(await codeOf(store.setPersistentAllowed('missing', true))).toBe('API_KEY_NOT_FOUND');
    });

    it('records a use: last use fields and a use count', async () => {
      const store = await open();
      const r = await store.create('u1');
      expect(await store.recordUse(r.key, use(1000, { ip: null, authenticated: false }))).toBe(true);
      expect(await store.recordUse(r.key, use(2000, { query: 'x=%C3%BC' }))).toBe(true);
      const got = (await store.get(r.key))!;
      expect(got.useCount).toBe(2);
      expect(got.lastUse).toEqual(use(2000, { query: 'x=%C3%BC' }));
    });

    it('keeps the latest use when an older one is recorded late, but still counts it', async () => {
      const store = await open();
      const r = await store.create('u1');
      await store.recordUse(r.key, use(5000, { path: '/new' }));
      await store.recordUse(r.key, use(4000, { path: '/old' }));
      const got = (await store.get(r.key))!;
      expect(got.lastUse!.path).toBe('/new');
      expect(got.useCount).toBe(2);
    });

    it('ignores uses of unknown keys and rejects malformed use records without writing', async () => {
      const store = await open();
      const r = await store.create('u1');
      expect(await store.recordUse('missing', use(1))).toBe(false);
      expect(await store.get('missing')).toBeNull();
      expect(await codeOf(store.recordUse(r.key, { ...use(1), at: Number.NaN }))).toBe('INVALID_ARGUMENT');
      expect((await store.get(r.key))!.useCount).toBe(0);
    });

    it('counts every one of many concurrent uses from two clients', async () => {
      const store = await open();
      const r = await store.create('u1');
      const peer = h!.peer;
      const n = 200;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => (i % 2 === 0 ? store : peer).recordUse(r.key, use(1000 + i))),
      );
      expect(results.every(Boolean)).toBe(true);
      const got = (await store.get(r.key))!;
      expect(got.useCount).toBe(n);
      expect(got.lastUse!.at).toBe(1000 + n - 1);
    });

    it('removes a key and its user index', async () => {
      const store = await open();
      const r = await store.create('u1');
      expect(await store.remove(r.key)).toBe(true);
      expect(await store.get(r.key)).toBeNull();
      expect(await store.getByUser('u1')).toBeNull();
      expect(await store.remove(r.key)).toBe(false);
      expect((await store.create('u1')).userId).toBe('u1');
    });

    it('peek never disagrees with get: it gives the same record, or undefined when only get can tell', async () => {
      const store = await open();
      const agrees = async (key: string) => {
        const peeked = store.peek!(key);
        const got = await store.get(key);
        if (peeked !== undefined) expect(peeked).toEqual(got);
        return peeked;
      };
      expect(typeof store.peek).toBe('function');
      const r = await store.create('u1');
      await agrees(r.key);
      await store.setBlocked(r.key, true);
      expect((await agrees(r.key))?.blocked ?? true).toBe(true);
      const next = await store.regenerate(r.key);
      expect(await agrees(r.key)).not.toBeTruthy();
      await agrees(next.key);
      await store.remove(next.key);
      expect(await agrees(next.key)).not.toBeTruthy();
      expect(await agrees('')).not.toBeTruthy();
    });

    it('has an idempotent close()', async () => {
      const store = await open();
      await store.close();
      await store.close();
    });
  });
}
