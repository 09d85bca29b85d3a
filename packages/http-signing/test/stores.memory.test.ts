import { describe, expect, it } from 'vitest';
import { createMemoryApiKeyStore, createMemoryReplayStore } from '../src/index.js';
import { describeApiKeyStoreContract } from './contract/api-key-store.contract.js';
import { describeReplayStoreContract } from './contract/replay-store.contract.js';

describeApiKeyStoreContract('memory', async ({ clock, generateId }) => {
  const store = createMemoryApiKeyStore({ clock, generateId });
  return { store, peer: store, cleanup: () => store.close() };
});

describeReplayStoreContract('memory', async ({ clock }) => {
  const store = createMemoryReplayStore({ clock });
  return { store, peer: store, advance: (ms) => clock.advance(ms), cleanup: () => store.close() };
});

describe('memory ApiKeyStore: peek', () => {
  it('answers synchronously from the map: the record, or null for an unknown or replaced key', async () => {
    const store = createMemoryApiKeyStore();
    const r = await store.create('u1');
    expect(store.peek!(r.key)).toBe(await store.get(r.key));
    const next = await store.regenerate(r.key);
    expect(store.peek!(r.key)).toBeNull();
    expect(store.peek!(next.key)).toEqual(next);
    expect(store.peek!('missing')).toBeNull();
  });
});
