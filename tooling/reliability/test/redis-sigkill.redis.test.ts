/**
 * Fault: Redis SIGKILLed mid-load and restarted from its append-only file (issue 10), on an extra
 * redis-server (never the shared 6379). With `appendonly yes` + `appendfsync always` every write Redis
 * acknowledged survives: catalog writes with their livesync records, enqueued tasks (they run after the
 * restart), API keys. Without persistence a SIGKILL loses everything; the server still answers cleanly
 * (4xx, no 500) once Redis is back. docs/reliability.md turns these into the recommended settings.
 */
import { type RedisServerHandle, startRedisServer } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { journal, MarkTask } from '../src/fault-tasks.js';
import { manage, type Served, serve, signedUrl } from '../src/server-harness.js';
import { hasRedisServer, sleep, trackIds } from '../src/util.js';

const eventBody = (n: number) =>
  JSON.stringify({
    title: `Durable event ${n}`,
    startDate: '2030-05-04T09:00:00+02:00',
    endDate: '2030-05-04T17:00:00+02:00',
    categoryId: '2',
  });

describe.skipIf(!hasRedisServer())('Redis SIGKILLed and restarted', () => {
  let redis: RedisServerHandle | undefined;
  let ctx: Served | undefined;
  afterEach(async () => {
    await ctx?.close();
    await redis?.stop();
    ctx = undefined;
    redis = undefined;
  });

  /** Writes and enqueues until Redis is SIGKILLed (after ~1.5 s), then restarts it; returns what was acked. */
  async function killDuringWrites(c: Served, r: RedisServerHandle) {
    let stop = false;
    const ackedWrites: string[] = [];
    const ackedTasks: number[] = [];
    const writer = async () => {
      for (let n = 0; !stop; n++) {
        try {
          const res = await manage(c.base, c.admin, 'PUT', `/manage/events/kill${n}`, eventBody(n));
          await res.arrayBuffer();
          if (res.ok) ackedWrites.push(`kill${n}`);
        } catch {
          // refused while Redis is down
        }
      }
    };
    const enqueuer = async () => {
      for (let n = 0; !stop; n++) {
        try {
          await c.rt.client.enqueue(new MarkTask(Date.now(), { params: { n } }));
          ackedTasks.push(n);
        } catch {
          // refused while Redis is down
        }
      }
    };
    const load = Promise.all([writer(), enqueuer()]);
    await sleep(1500);
    r.kill('SIGKILL');
    await sleep(300);
    stop = true;
    await load;
    await r.restart();
    return { ackedWrites, ackedTasks };
  }

  it('keeps every acknowledged write, change record, task and key with appendonly + appendfsync always', async () => {
    journal.reset();
    redis = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    ctx = await serve({ REDIS_URL: redis.url, SCHEDULER_SLEEP_MS: '100' }, { tasks: [MarkTask] });
    const { ackedWrites, ackedTasks } = await killDuringWrites(ctx, redis);
    console.info(
      `sigkill+aof: ${ackedWrites.length} writes and ${ackedTasks.length} tasks acknowledged before the kill`,
    );
    expect(ackedWrites.length).toBeGreaterThan(1);
    expect(ackedTasks.length).toBeGreaterThan(5);

    // Same connection object: it reconnects by itself.
    await expect.poll(() => ctx!.rt.ping(500), { timeout: 10_000 }).toBe(true);
    const tracked = await trackIds(ctx.rt);
    for (const id of ackedWrites) {
      expect(await ctx.rt.catalog.getEvent(id), `event ${id}`).not.toBeNull();
      expect(tracked.has(`event:${id}`), `livesync record of ${id}`).toBe(true);
    }
    // The admin key survived: a signed request still authenticates.
    const res = await fetch(`${ctx.base}${signedUrl('/export/event/kill0.json', {}, ctx.admin)}`);
    expect(res.status).toBe(200);
    // No daemon ran so far: every acknowledged task is still spooled, and runs once a daemon starts.
    expect(journal.marks.size).toBe(0);
    ctx.rt.startScheduler();
    await expect
      .poll(() => ackedTasks.filter((n) => !journal.marks.has(n)).length, { timeout: 20_000, interval: 100 })
      .toBe(0);
  }, 60_000);

  it('loses everything without persistence, and the server still answers 4xx, not 500', async () => {
    redis = await startRedisServer(); // --save '' and no AOF: nothing reaches the disk
    ctx = await serve({ REDIS_URL: redis.url });
    const before = await fetch(`${ctx.base}${signedUrl('/export/categ/2.json', {}, ctx.admin)}`);
    expect(before.status).toBe(200);
    redis.kill('SIGKILL');
    await redis.restart();
    await expect.poll(() => ctx!.rt.ping(500), { timeout: 10_000 }).toBe(true);
    expect(await ctx.rt.redis!.dbsize()).toBe(0);
    // The API key is gone: a clean 4xx envelope, not a 500.
    const after = await fetch(`${ctx.base}${signedUrl('/export/categ/2.json', {}, ctx.admin)}`);
    expect(after.status).toBeGreaterThanOrEqual(400);
    expect(after.status).toBeLessThan(500);
    expect(((await after.json()) as { _type: string })._type).toBe('HTTPAPIError');
    // Anonymous requests see an empty catalog.
    const anon = await fetch(`${ctx.base}/export/categ/2.json`);
    expect(anon.status).toBe(200);
    expect(((await anon.json()) as { count: number }).count).toBe(0);
  }, 60_000);
});
