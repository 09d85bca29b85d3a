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
});
