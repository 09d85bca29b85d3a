import { createFakeClock, createTestRedis, hasRedis, type TestRedis } from '@indico/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeCollector, type ChangeType, isLivesyncError, SyncManager } from '../src/index.js';
import { createRedisTrackStore, queueChanges, queueCollector } from '../src/redis.js';
import { collect } from './helpers.js';

describe.skipIf(!hasRedis())('queueChanges: caller write + change record in one MULTI/EXEC', () => {
  let r: TestRedis;
  let manager: SyncManager;
  beforeEach(() => {
    r = createTestRedis();
    manager = new SyncManager({
      store: createRedisTrackStore({ redis: r.client, prefix: r.prefix }),
      granularity: 100,
      clock: createFakeClock(Date.UTC(2026, 0, 1)),
    });
  });
  afterEach(() => r.cleanup());

  const ids = async () => (await collect(manager.getTrack().iterate())).map(([, e]) => e.id);

  it('commits the data write and the track entry together', async () => {
    const multi = r.client.multi().hset(r.key('event:5'), 'title', 'New title');
    expect(queueChanges(multi, manager, [{ ref: { kind: 'event', id: '5' }, changes: 'title_changed' }])).toBe(1);
    await multi.exec();
    expect(await r.client.hget(r.key('event:5'), 'title')).toBe('New title');
    expect(await ids()).toEqual(['5']);
  });

  it('writes neither when the transaction aborts (WATCHed key changed)', async () => {
    // spec §2.15 scenario 5: if the domain write fails, no track entry exists
    const watcher = r.duplicate();
    await watcher.watch(r.key('event:5'));
    await r.client.set(r.key('event:5'), 'concurrent');
    const multi = watcher.multi().set(r.key('event:5'), 'mine');
    queueChanges(multi, manager, [{ ref: { kind: 'event', id: '5' }, changes: 'data_changed' }]);
    expect(await multi.exec()).toBeNull();
    expect(await r.client.get(r.key('event:5'))).toBe('concurrent');
    expect(await manager.getTrack().isEmpty()).toBe(true);
  });

  it('queues nothing on bad input, so the caller can abandon the MULTI', async () => {
    const multi = r.client.multi().set(r.key('x'), '1');
    let err: unknown;
    try {
      queueChanges(multi, manager, [{ ref: { kind: 'event', id: '1' }, changes: 'boom' as ChangeType }]);
    } catch (e) {
      err = e;
    }
    expect(isLivesyncError(err) && err.code).toBe('UNKNOWN_CHANGE_TYPE');
    multi.discard();
    expect(await r.client.get(r.key('x'))).toBeNull();
    expect(await manager.getTrack().isEmpty()).toBe(true);
  });

  it('queues a whole collector and clears it', async () => {
    const c = new ChangeCollector(manager);
    c.add({ kind: 'event', id: '1' }, 'created');
    c.add({ kind: 'event', id: '1' }, 'data_changed');
    c.add({ kind: 'contribution', id: '1.0' }, 'created');
    const multi = r.client.multi();
    expect(queueCollector(multi, c)).toBe(2);
    await multi.exec();
    expect(c.size).toBe(0);
    expect((await ids()).sort()).toEqual(['1', '1.0']);
  });

  describe('conditional change: { unlessKey }', () => {
    const unless = () => `${r.prefix}{livesync}:refused`;
    const change = (id: string) => [{ ref: { kind: 'event' as const, id }, changes: 'data_changed' as const }];

    it('records the entries when the key does not exist at EXEC', async () => {
      const multi = r.client.multi().set(r.key('data'), '1');
      expect(queueChanges(multi, manager, change('5'), { unlessKey: unless() })).toBe(1);
      const results = (await multi.exec()) ?? [];
      expect(results.map(([err, v]) => [err, v])).toEqual([
        [null, 'OK'],
        [null, 1],
      ]);
      expect(await ids()).toEqual(['5']);
    });

    it('records nothing when a command earlier in the MULTI refused and set the key', async () => {
      // a stand-in for a delete script that re-checks at EXEC and refuses: it sets the key, then errors
      const refuse = "redis.call('SET', KEYS[1], '1', 'PX', 60000) return redis.error_reply('NOTEMPTY refused')";
      const multi = r.client.multi().eval(refuse, 1, unless());
      queueChanges(multi, manager, change('5'), { unlessKey: unless() });
      multi.del(unless());
      const results = (await multi.exec()) ?? [];
      expect(String(results[0]?.[0])).toMatch(/NOTEMPTY refused/);
      expect(results[1]).toEqual([null, 0]);
      expect(await manager.getTrack().isEmpty()).toBe(true);
      expect(await r.client.keys(`${r.prefix}*`)).toEqual([]);
      expect(await r.client.exists(unless())).toBe(0);
    });

    it('records nothing when the key was set before the MULTI ran (by anyone)', async () => {
      await r.client.set(unless(), '1');
      const multi = r.client.multi();
      queueChanges(multi, manager, change('5'), { unlessKey: unless() });
      await multi.exec();
      expect(await manager.getTrack().isEmpty()).toBe(true);
    });

    it('records many entries (more than one ZADD chunk per script), and a second bucket', async () => {
      const many = Array.from({ length: 2500 }, (_, i) => change(String(i))[0]!);
      const multi = r.client.multi();
      const t = Date.UTC(2026, 0, 1);
      expect(queueChanges(multi, manager, many, { unlessKey: unless(), timestamp: t })).toBe(2500);
      expect(queueChanges(multi, manager, change('late'), { unlessKey: unless(), timestamp: t + 1_000_000 })).toBe(1);
      const results = (await multi.exec()) ?? [];
      expect(results).toEqual([
        [null, 2500],
        [null, 1],
      ]);
      const got = await collect(manager.getTrack().iterate());
      expect(new Set(got.map(([b]) => b)).size).toBe(2);
      expect(got.map(([, e]) => e.id).sort()).toEqual([...many.map((c) => c.ref.id), 'late'].sort());
    });

    it('list containers too (the store hook)', async () => {
      const store = manager.store as ReturnType<typeof createRedisTrackStore>;
      const multi = r.client.multi();
      store.queueEntries(
        multi,
        [
          { bucket: 7, member: 'a' },
          { bucket: 7, member: 'b' },
          { bucket: 9, member: 'c' },
        ],
        'list',
        { unlessKey: unless() },
      );
      expect(await multi.exec()).toEqual([[null, 3]]);
      expect(await r.client.lrange(store.keys.bucket(7), '0', '-1')).toEqual(['a', 'b']);
      expect(await r.client.lrange(store.keys.bucket(9), '0', '-1')).toEqual(['c']);
      expect(await r.client.zrange(store.keys.index, '0', '-1')).toEqual(['7', '9']);
    });

    it('refuses a key outside the track hash tag (another Cluster slot) and queues nothing', async () => {
      for (const bad of [r.key('refused'), `${r.prefix}{export}:refused`, `{}{livesync}`]) {
        const multi = r.client.multi();
        let err: unknown;
        try {
          queueChanges(multi, manager, change('5'), { unlessKey: bad });
        } catch (e) {
          err = e;
        }
        expect(isLivesyncError(err) && err.code).toBe('INVALID_ARGUMENT');
        expect(await multi.exec()).toEqual([]);
      }
      expect(await manager.getTrack().isEmpty()).toBe(true);
    });

    it('queueCollector takes it too, and keeps the collector when refused for a bad key', async () => {
      const c = new ChangeCollector(manager);
      c.add({ kind: 'event', id: '1' }, 'created');
      expect(() => queueCollector(r.client.multi(), c, { unlessKey: 'x' })).toThrow(/hash tag/);
      expect(c.size).toBe(1);
      await r.client.set(unless(), '1');
      const multi = r.client.multi();
      expect(queueCollector(multi, c, { unlessKey: unless() })).toBe(1);
      await multi.exec();
      expect(c.size).toBe(0);
      expect(await manager.getTrack().isEmpty()).toBe(true);
    });
  });
});
