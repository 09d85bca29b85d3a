import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CachedResult, ExportDate, type ResultCache } from '../../src/index.js';

export interface ResultCacheHarness {
  cache: ResultCache;
  /** Moves time forward when the adapter's clock is injectable; absent for real-time stores. */
  advance?: (ms: number) => void;
  cleanup(): Promise<void>;
}

const value = (): CachedResult => ({
  results: [
    { id: '1', startDate: new ExportDate(Date.UTC(2011, 5, 23, 6), 'Europe/Zurich'), nested: { a: [1, 'x', null] } },
  ],
  additionalInfo: { moreFutureEvents: true },
  ts: 1308841641,
  complete: false,
});

/** The ResultCache port (spec §8): pre-serialization results, dates intact, expiry by TTL. */
export function describeResultCacheContract(name: string, make: () => Promise<ResultCacheHarness>): void {
  describe(`ResultCache contract: ${name}`, () => {
    let h: ResultCacheHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('misses unknown keys and returns what was stored, dates as ExportDate', async () => {
      expect(await h.cache.get('k')).toBeNull();
      await h.cache.set('k', value(), 60_000);
      const got = await h.cache.get('k');
      expect(got).not.toBeNull();
      expect(got!.ts).toBe(1308841641);
      expect(got!.complete).toBe(false);
      const r = (got!.results as Array<Record<string, unknown>>)[0]!;
      expect(r.startDate).toBeInstanceOf(ExportDate);
      expect((r.startDate as ExportDate).toJSON()).toEqual({
        date: '2011-06-23',
        time: '08:00:00',
        tz: 'Europe/Zurich',
      });
      expect(r.nested).toEqual({ a: [1, 'x', null] });
      expect(got!.additionalInfo).toEqual({ moreFutureEvents: true });
    });

    it('keeps keys apart and overwrites a key', async () => {
      await h.cache.set('a', { ...value(), ts: 1 }, 60_000);
      await h.cache.set('b', { ...value(), ts: 2 }, 60_000);
      await h.cache.set('a', { ...value(), ts: 3 }, 60_000);
      expect((await h.cache.get('a'))!.ts).toBe(3);
      expect((await h.cache.get('b'))!.ts).toBe(2);
    });

    it('does not store with a TTL of 0', async () => {
      await h.cache.set('z', value(), 0);
      expect(await h.cache.get('z')).toBeNull();
    });

    it('forgets an entry once its TTL has passed', async ({ skip }) => {
      if (!h.advance) skip();
      await h.cache.set('t', value(), 1000);
      h.advance!(999);
      expect(await h.cache.get('t')).not.toBeNull();
      h.advance!(1);
      expect(await h.cache.get('t')).toBeNull();
    });
  });
}
