import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLivesyncError, MultiPointerTrack, SetMultiPointerTrack, type TrackStore } from '../../src/index.js';

export interface TrackStoreHandle {
  store: TrackStore;
  cleanup(): Promise<void>;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isLivesyncError(err), `expected a LivesyncError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

/** The behaviour every TrackStore must show through MultiPointerTrack / SetMultiPointerTrack (spec §2.3). */
export function describeTrackStoreContract(name: string, make: () => Promise<TrackStoreHandle>): void {
  describe(`TrackStore contract: ${name}`, () => {
    let handle: TrackStoreHandle;
    let set: SetMultiPointerTrack<number>;
    let list: MultiPointerTrack<number>;
    beforeEach(async () => {
      handle = await make();
      // small pages so paging code paths are exercised
      set = new SetMultiPointerTrack<number>({ store: handle.store, bucketPageSize: 2, elementPageSize: 2 });
      list = new MultiPointerTrack<number>({ store: handle.store, bucketPageSize: 2, elementPageSize: 2 });
    });
    afterEach(async () => {
      await handle.cleanup();
    });

    async function seedExample() {
      // spec §2.3 worked example: buckets 1: {3, 3, 2}, 2: {4, 3}, 3: {7}
      for (const [b, v] of [
        [1, 3],
        [1, 3],
        [1, 2],
        [2, 4],
        [2, 3],
        [3, 7],
      ] as const)
        await set.add(b, v);
    }

    it('de-duplicates inside a bucket and yields buckets oldest first, elements in order', async () => {
      await seedExample();
      // spec §2.3: a set bucket stores an element once; delivery order is documented as ascending buckets
      expect(await collect(set.iterate())).toEqual([
        [1, 2],
        [1, 3],
        [2, 3],
        [2, 4],
        [3, 7],
      ]);
      expect(await set.size()).toBe(3);
    });

    it('keeps duplicates and insertion order in a list track', async () => {
      for (const v of [3, 3, 2]) await list.add(5, v);
      expect(await list.get(5)).toEqual([3, 3, 2]);
    });

    it('queries the half-open window (pointer, till]', async () => {
      await seedExample();
      // spec §2.15 scenario 6: pointer at 1 -> buckets 2 and 3; till=2 -> bucket 2 only
      await set.addPointer('a', 1);
      expect((await collect(set.pointerIterItems('a'))).map(([b]) => b)).toEqual([2, 2, 3]);
      expect(await collect(set.pointerIterValues('a', 2))).toEqual([3, 4]);
      // spec §2.3 example: pointer "bar" at 2 -> 7; "foo" (null) with till 2 -> buckets 1 and 2
      await set.addPointer('bar', 2);
      expect(await collect(set.pointerIterValues('bar'))).toEqual([7]);
      await set.addPointer('foo');
      expect(await collect(set.pointerIterValues('foo', 2))).toEqual([2, 3, 3, 4]);
      expect(await collect(set.iterate(0, 1))).toEqual([
        [1, 2],
        [1, 3],
      ]);
      expect(await collect(set.iterate(null, null, ([b, v]) => b * 100 + v))).toEqual([102, 103, 203, 204, 307]);
    });

    it('gives a fresh pointer every entry and treats startPos 0 as a position', async () => {
      await set.add(0, 1);
      await set.add(1, 2);
      await set.addPointer('fresh');
      expect(await set.getPointerTimestamp('fresh')).toBeNull();
      expect(await collect(set.pointerIterValues('fresh'))).toEqual([1, 2]);
      await set.addPointer('zero', 0);
      expect(await collect(set.pointerIterValues('zero'))).toEqual([2]);
    });

    it('moves pointers anywhere, even backwards and on an empty track', async () => {
      await set.addPointer('p');
      await set.movePointer('p', 40);
      expect(await set.getPointerTimestamp('p')).toBe(40);
      await set.movePointer('p', 10);
      expect(await set.getPointerTimestamp('p')).toBe(10);
      await set.addPointer('p');
      expect(await set.getPointerTimestamp('p')).toBeNull();
    });

    it('rejects unknown pointers with POINTER_NOT_FOUND and writes nothing', async () => {
      await expectCode(set.movePointer('ghost', 3), 'POINTER_NOT_FOUND');
      await expectCode(set.removePointer('ghost'), 'POINTER_NOT_FOUND');
      await expectCode(set.getPointerTimestamp('ghost'), 'POINTER_NOT_FOUND');
      expect((await set.pointers()).size).toBe(0);
      await set.addPointer('x');
      await set.removePointer('x');
      expect((await set.pointers()).has('x')).toBe(false);
    });

    it('rejects non-integer buckets with INVALID_ARGUMENT', async () => {
      await expectCode(set.add(1.5, 3), 'INVALID_ARGUMENT');
      await set.addPointer('p');
      await expectCode(set.movePointer('p', Number.NaN), 'INVALID_ARGUMENT');
      expect(await set.isEmpty()).toBe(true);
    });

    it('returns the container at a pointer and fails for a missing bucket', async () => {
      await seedExample();
      await set.addPointer('p', 2);
      expect(await set.getCurrentPosition('p')).toEqual([3, 4]);
      await set.movePointer('p', 9);
      await expectCode(set.getCurrentPosition('p'), 'BUCKET_NOT_FOUND');
      await expectCode(set.get(42), 'BUCKET_NOT_FOUND');
    });

    it('prepareEntry creates an empty bucket, replacing an existing one', async () => {
      await seedExample();
      await set.prepareEntry(2);
      expect(await set.has(2)).toBe(true);
      expect(await set.get(2)).toEqual([]);
      await set.prepareEntry(10);
      expect(await set.mostRecentTS()).toBe(10);
      await set.add(10, 5);
      expect(await set.get(10)).toEqual([5]);
    });

    it('reports the most recent (clamped) and oldest buckets, and EMPTY_TRACK when empty', async () => {
      await expectCode(set.mostRecentTS(), 'EMPTY_TRACK');
      await expectCode(set.oldestTS(), 'EMPTY_TRACK');
      await seedExample();
      expect(await set.mostRecentTS()).toBe(3);
      expect(await set.mostRecentTS(2)).toBe(2);
      expect(await set.mostRecentTS(10)).toBe(3);
      expect(await set.oldestTS()).toBe(1);
    });

    it('slices and lists values with inclusive bounds', async () => {
      await seedExample();
      expect(await set.slice(3, 2)).toEqual([
        [2, [3, 4]],
        [3, [7]],
      ]);
      expect(await collect(set.values())).toEqual([[2, 3], [3, 4], [7]]);
      expect(await collect(set.values(2, 2))).toEqual([[3, 4]]);
    });

    it('deletes single buckets', async () => {
      await seedExample();
      await set.deleteBucket(2);
      expect(await set.has(2)).toBe(false);
      expect(await set.size()).toBe(2);
      await expectCode(set.deleteBucket(2), 'BUCKET_NOT_FOUND');
    });

    it('trims buckets at or before the oldest pointer without changing any query result', async () => {
      await seedExample();
      await set.add(4, 9);
      await set.addPointer('a', 2);
      await set.addPointer('b', 3);
      const beforeA = await collect(set.pointerIterItems('a'));
      const beforeB = await collect(set.pointerIterItems('b'));
      // spec §2.15 scenario 22
      expect(await set.trim()).toBe(2);
      expect(await set.oldestTS()).toBe(3);
      expect(await collect(set.pointerIterItems('a'))).toEqual(beforeA);
      expect(await collect(set.pointerIterItems('b'))).toEqual(beforeB);
    });

    it('lets a null pointer block nothing and trims nothing without positioned pointers', async () => {
      await seedExample();
      await set.addPointer('idle');
      expect(await set.trim()).toBe(0);
      expect(await set.size()).toBe(3);
      await set.addPointer('a', 1);
      expect(await set.trim()).toBe(1);
      expect(await set.oldestTS()).toBe(2);
    });

    it('adds many elements in one call', async () => {
      await set.addMany([
        [7, 1],
        [7, 1],
        [8, 2],
      ]);
      expect(await collect(set)).toEqual([
        [7, 1],
        [8, 2],
      ]);
    });

    it('stores agents with a null pointer, refuses duplicates, updates and removes them with their pointer', async () => {
      const rec = {
        id: 'ag',
        type: 'file',
        name: 'Agent',
        description: '',
        updateTime: 60,
        active: false,
        recording: false,
        lastTry: null,
        options: { path: '/tmp/x' },
      };
      expect(await handle.store.createAgent(rec)).toBe(true);
      expect(await handle.store.getPointer('ag')).toBeNull();
      expect(await handle.store.createAgent({ ...rec, name: 'Other' })).toBe(false);
      expect((await handle.store.getAgent('ag'))?.name).toBe('Agent');
      expect(await handle.store.updateAgent('ag', { active: true, lastTry: 12 })).toBe(true);
      expect(await handle.store.getAgent('ag')).toEqual({ ...rec, active: true, lastTry: 12 });
      expect(await handle.store.updateAgent('ag', { lastTry: null })).toBe(true);
      expect((await handle.store.getAgent('ag'))?.lastTry).toBeNull();
      expect(await handle.store.updateAgent('nope', { active: true })).toBe(false);
      expect((await handle.store.listAgents()).map((a) => a.id)).toEqual(['ag']);
      expect(await handle.store.deleteAgent('ag')).toBe(true);
      expect(await handle.store.getPointer('ag')).toBeUndefined();
      expect(await handle.store.deleteAgent('ag')).toBe(false);
    });

    it('clears agents with their pointers, and the track on its own', async () => {
      const base = { type: 'file', name: 'n', description: '', updateTime: 60, active: false, recording: false };
      await handle.store.createAgent({ ...base, id: 'a', lastTry: null, options: {} });
      await handle.store.putPointer('loose', 3);
      await seedExample();
      await handle.store.clearTrack();
      expect(await set.isEmpty()).toBe(true);
      expect(await handle.store.getPointer('a')).toBeNull();
      await handle.store.clearAgents();
      expect(await handle.store.listAgents()).toEqual([]);
      expect(await handle.store.getPointer('a')).toBeUndefined();
      expect(await handle.store.getPointer('loose')).toBe(3);
    });
  });
}
