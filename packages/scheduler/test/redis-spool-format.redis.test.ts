import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, OneShotTask, TaskRegistry, TaskStatus } from '../src/index.js';
import { createRedisStore } from '../src/redis.js';

class Note extends OneShotTask<{ text: string }> {
  static override typeId = 'Note';
  run(): void {}
}
const registry = new TaskRegistry().register(Note);

describe.skipIf(!hasRedis())('redis store: spool item forms', () => {
  let r: ReturnType<typeof createTestRedis>;
  afterEach(async () => {
    await r.cleanup();
  });

  it('spools an add as a JSON header, a newline and the task data unescaped; both forms are applied', async () => {
    r = createTestRedis();
    const store = createRedisStore({ redis: r.client, prefix: r.prefix });
    const client = new Client({ store, registry });
    const now = Date.UTC(2026, 0, 1);
    // data with quotes, a backslash and a newline: JSON.stringify escapes them, so the data holds no raw newline
    await client.enqueue(new Note(now, { params: { text: 'say "hi"\\\nbye' }, createdOn: now }));
    const [raw] = await r.client.lrange(store.keys.spool, 0, -1);
    const [header, data, ...rest] = raw!.split('\n');
    expect(rest).toEqual([]);
    expect(JSON.parse(header!)).toEqual({ id: 0, op: 'add', typeId: 'Note', kind: 'oneshot', key: null, startOn: now });
    expect(JSON.parse(data!)).toMatchObject({ y: 'Note', p: { text: 'say "hi"\\\nbye' } });
    // the form written before: one JSON object with the data as an escaped string
    await r.client.incr(store.keys.counter);
    await r.client.rpush(
      store.keys.spool,
      JSON.stringify({ id: 1, op: 'add', typeId: 'Note', kind: 'oneshot', key: null, startOn: now, d: data }),
    );
    expect((await client.getSpool()).map((s) => s.op)).toEqual(['add', 'add']);
    const out = await store.step({ now, owner: 'd', results: [], claim: 10, claimUntil: now, spool: 100 });
    expect(out.spool.map((o) => o.result)).toEqual(['queued', 'queued']);
    expect(out.claimed.map((c) => c.id)).toEqual([0, 1]);
    for (const c of out.claimed) expect(JSON.parse(c.data)).toMatchObject({ p: { text: 'say "hi"\\\nbye' } });
    expect((await client.getTask(1)).status).toBe(TaskStatus.RUNNING);
    await store.close();
  });
});
