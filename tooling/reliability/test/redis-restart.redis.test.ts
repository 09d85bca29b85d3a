/**
 * Fault: Redis restarted during load (issue 10). The reference server runs on an extra redis-server (AOF on,
 * never the shared 6379) with its scheduler in this process, while four clients send signed export requests,
 * one sends management writes and one enqueues tasks. Redis is stopped (SIGTERM) for about a second and
 * started again on the same port. Expectations:
 * - errors only inside the outage (plus a short reconnect grace), all 200 again afterwards;
 * - every acknowledged management write is in the catalog with its livesync record, and no write is half
 *   applied (event without record or record without event);
 * - every acknowledged task runs, and the periodic task keeps beating after the restart.
 */
import { type RedisServerHandle, startRedisServer } from '@indico/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeatTask, journal, MarkTask } from '../src/fault-tasks.js';
import { manage, type Served, serve, signedUrl } from '../src/server-harness.js';
import { hasRedisServer, sleep, trackIds } from '../src/util.js';

const EXPORTS = [
  '/export/categ/2.json',
  '/export/event/137346.json',
  '/export/categ/2.ics',
  '/export/event/137346.xml',
];
const GRACE_MS = 3000;

const eventBody = (n: number) =>
  JSON.stringify({
    title: `Fault event ${n}`,
    startDate: '2030-05-04T09:00:00+02:00',
    endDate: '2030-05-04T17:00:00+02:00',
    categoryId: '2',
  });

describe.skipIf(!hasRedisServer())('Redis restarted during load', () => {
  let redis: RedisServerHandle;
  let ctx: Served;
  beforeAll(async () => {
    journal.reset();
    redis = await startRedisServer({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    ctx = await serve(
      {
        REDIS_URL: redis.url,
        SCHEDULER_SLEEP_MS: '100',
        SCHEDULER_LEASE_MS: '5000',
        SCHEDULER_RETRY_BACKOFF_MS: '200',
      },
      { tasks: [MarkTask, BeatTask] },
    );
    await ctx.rt.client.enqueue(new BeatTask('SECONDLY', { interval: 1 }));
    ctx.rt.startScheduler();
  }, 30_000);
  afterAll(async () => {
    await ctx?.close();
    await redis?.stop();
  });

  it('reconnects, keeps every acknowledged write and task, and the scheduler resumes', async () => {
    const t0 = performance.now();
    const at = () => performance.now() - t0;
    let stop = false;
    const exportsSeen: Array<{ t: number; status: number }> = [];
    const writes: Array<{ id: string; ok: boolean; status: number }> = [];
    const acked: number[] = [];
    let enqueueErrors = 0;

    const exporter = async (i: number) => {
      for (let k = i; !stop; k++) {
        const started = at();
        let status = 0;
        try {
          const res = await fetch(`${ctx.base}${signedUrl(EXPORTS[k % EXPORTS.length]!, {}, ctx.admin)}`, {
            signal: AbortSignal.timeout(10_000),
          });
          await res.arrayBuffer();
          status = res.status;
        } catch {
          status = -1; // connection error or timeout: counted as an error
        }
        exportsSeen.push({ t: started, status });
      }
    };
    const writer = async () => {
      for (let n = 0; !stop; n++) {
        const id = `fault${n}`;
        try {
          const res = await manage(ctx.base, ctx.admin, 'PUT', `/manage/events/${id}`, eventBody(n));
          await res.arrayBuffer();
          writes.push({ id, ok: res.ok, status: res.status });
        } catch {
          writes.push({ id, ok: false, status: -1 });
        }
        await sleep(40);
      }
    };
    const enqueuer = async () => {
      for (let n = 0; !stop; n++) {
        try {
          await ctx.rt.client.enqueue(new MarkTask(Date.now(), { params: { n } }));
          acked.push(n);
        } catch {
          enqueueErrors++;
        }
        await sleep(100);
      }
    };

    const load = Promise.all([exporter(0), exporter(1), exporter(2), exporter(3), writer(), enqueuer()]);
    await sleep(2000);
    const down = at();
    redis.kill('SIGTERM');
    await sleep(1000);
    await redis.restart();
    const up = at();
    await sleep(GRACE_MS + 2000);
    stop = true;
    await load;

    const errors = exportsSeen.filter((e) => e.status !== 200);
    const late = errors.filter((e) => e.t > up + GRACE_MS || e.t < down - 200);
    const after = exportsSeen.filter((e) => e.t > up + GRACE_MS);
    console.info(
      `redis restart: outage ${Math.round(up - down)} ms; ${exportsSeen.length} export requests, ${errors.length} errors ` +
        `(${[...new Set(errors.map((e) => e.status))].join(',') || 'none'}), last error ${
          errors.length ? Math.round(Math.max(...errors.map((e) => e.t)) - up) : '-'
        } ms after restart; ${writes.filter((w) => w.ok).length}/${writes.length} writes acked; ` +
        `${acked.length} tasks acked, ${enqueueErrors} enqueue errors`,
    );
    expect(late).toEqual([]);
    expect(after.length).toBeGreaterThan(10);

    // Writes: acknowledged ones are there with their change record; none is half applied.
    const tracked = await trackIds(ctx.rt);
    for (const w of writes) {
      const event = await ctx.rt.catalog.getEvent(w.id);
      if (w.ok) {
        expect(event, `acknowledged write ${w.id}`).not.toBeNull();
        expect(tracked.has(`event:${w.id}`), `livesync record of ${w.id}`).toBe(true);
      } else {
        expect(event !== null, `write ${w.id} (status ${w.status}) half applied`).toBe(tracked.has(`event:${w.id}`));
      }
    }
    expect(writes.filter((w) => w.ok).length).toBeGreaterThan(3);

    // Tasks: every acknowledged enqueue runs; the periodic task beats again after the restart.
    const deadline = Date.now() + 20_000;
    while (
      Date.now() < deadline &&
      !(acked.every((n) => journal.marks.has(n)) && journal.beats.some((b) => b > Date.now() - 1500))
    ) {
      await sleep(100);
    }
    expect(acked.filter((n) => !journal.marks.has(n))).toEqual([]);
    expect(journal.beats.some((b) => b > Date.now() - 3000)).toBe(true);
  }, 60_000);
});
