import { createFakeClock, type FakeClock } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayStore } from '../../src/index.js';

export interface ReplayStoreHarness {
  store: ReplayStore;
  /** A second store over the same data (another connection for Redis). */
  peer: ReplayStore;
  /** Moves the store's time forward, when the adapter's time can be controlled (memory). */
  advance?: (ms: number) => void;
  /** Milliseconds left before `token` is forgotten, when the adapter can tell (Redis PTTL). */
  remainingMs?: (token: string) => Promise<number>;
  cleanup(): Promise<void>;
}

export type MakeReplayStore = (opts: { clock: FakeClock }) => Promise<ReplayStoreHarness>;

/** The ReplayStore contract (opt-in replay protection; SET NX PX semantics). */
export function describeReplayStoreContract(name: string, make: MakeReplayStore): void {
  describe(`ReplayStore contract: ${name}`, () => {
    let h: ReplayStoreHarness | undefined;
    const open = async () => {
      h = await make({ clock: createFakeClock() });
      return h;
    };
    afterEach(async () => {
      await h?.cleanup();
      h = undefined;
    });

    it('accepts a token once and refuses it while remembered; other tokens are independent', async () => {
      const { store } = await open();
      expect(await store.markUsed('k:aaa', 60_000)).toBe(true);
      expect(await store.markUsed('k:aaa', 60_000)).toBe(false);
      expect(await store.markUsed('k:bbb', 60_000)).toBe(true);
    });

    it('lets exactly one of many concurrent markers win', async () => {
      const { store, peer } = await open();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? store : peer).markUsed('k:x', 60_000)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('forgets a token after its ttl', async () => {
      const harness = await open();
      await harness.store.markUsed('k:ttl', 10_000);
      if (harness.advance) {
        harness.advance(9_999);
        expect(await harness.store.markUsed('k:ttl', 10_000)).toBe(false);
        harness.advance(1);
        expect(await harness.store.markUsed('k:ttl', 10_000)).toBe(true);
      } else {
        const left = await harness.remainingMs!('k:ttl');
        expect(left).toBeGreaterThan(0);
        expect(left).toBeLessThanOrEqual(10_000);
      }
    });

    it('rejects an empty token or a non-positive ttl as programmer errors', async () => {
      const { store } = await open();
      await expect(store.markUsed('', 1000)).rejects.toThrow(TypeError);
      await expect(store.markUsed('k:z', 0)).rejects.toThrow(TypeError);
    });
  });
}
