/**
 * Redis Sentinel (issue 10, "supported topologies"). One master, one replica and three sentinels on free
 * loopback ports (`startRedisSentinel` from @indico/test-utils; never the shared 6379), stopped by pid in
 * afterAll whatever happens.
 *
 * 1. The reference server's runtime (scheduler, livesync, API-key store, catalog) on one ioredis connection
 *    made with `{ sentinels, name }`. While a workload enqueues tasks (an in-process daemon runs them),
 *    writes events over the management API (catalog write + livesync record in one MULTI) and creates API
 *    keys, the test forces a failover with `SENTINEL FAILOVER`, then SIGKILLs the new master (the sentinels
 *    elect the old one back). Replication is asynchronous: Redis acknowledges a write before the replica has
 *    it, and a failover then loses it. So an operation counts as *confirmed* only when `WAIT 1 500` on the
 *    same connection, with no reconnect in between, reports one replica. Every confirmed task runs, every
 *    confirmed event is in the catalog with its change record and reaches the livesync agent, every
 *    confirmed key is found, and operations are confirmed after each failover (the client followed the
 *    new master). Operations Redis acknowledged without confirmation may be lost: the test counts them.
 * 2. `indico-server start` and `indico-server scheduler` processes with `REDIS_URL=redis-sentinel://…` answer
 *    /readyz 200, and again after a failover (the daemon's heartbeat written to the new master); a key made
 *    with `indico-server apikey create` signs a management write after the failover.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getFreePort, hasRedisSentinel, type RedisSentinelHandle, startRedisSentinel } from '@indico/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID } from '../../../apps/server/src/demo-data.js';
import { currentMasterUrl } from '../../../apps/server/src/redis-connection.js';
import { ensureAgents } from '../../../apps/server/src/tasks.js';
import { buildCli, runCli, startCli, waitFor } from '../../../apps/server/test/processes.js';
import { type HttpBatchBody, runActiveAgents } from '../../../packages/livesync/src/index.js';
import { journal, MarkTask } from '../src/fault-tasks.js';
import { manage, type Served, serve, signedUrl } from '../src/server-harness.js';
import { sleep, trackIds } from '../src/util.js';

const available = hasRedisSentinel();
const TITLE = 'Redis Sentinel: master, replica, 3 sentinels, failovers';
if (!available) {
  if (process.env.CI === 'true') throw new Error(`${TITLE}: needs redis-sentinel or redis-server on PATH`);
  console.warn(
    `!!! SKIPPED ${TITLE}: neither redis-sentinel nor redis-server is on PATH (apt-get install redis-server)`,
  );
}

const eventBody = (n: number) =>
  JSON.stringify({
    title: `Sentinel event ${n}`,
    startDate: '2030-05-04T09:00:00+02:00',
    endDate: '2030-05-04T17:00:00+02:00',
    categoryId: '2',
  });

interface Op<T = unknown> {
  t: number;
  value: T;
  /** Redis acknowledged it (the call resolved). */
  ok: boolean;
  /** ...and WAIT 1 on the same connection saw one replica have it. */
  confirmed: boolean;
  /** Why it failed (not acknowledged). */
  error?: string;
}

describe.skipIf(!available)(available ? TITLE : `${TITLE} !!! SKIPPED: no redis-sentinel`, () => {
  let topo: RedisSentinelHandle | undefined;
  beforeAll(async () => {
    topo = await startRedisSentinel({ name: 'indico', replicas: 1, sentinels: 3 });
  }, 60_000);
  afterAll(async () => {
    await topo?.stop();
  }, 30_000);

  it('scheduler, livesync and API keys follow two failovers; nothing confirmed with WAIT is lost', async () => {
    const t = topo!;
    journal.reset();
    const redis = new Redis({
      sentinels: t.sentinelAddresses,
      name: t.name,
      failoverDetector: true,
      maxRetriesPerRequest: 2,
    });
    redis.on('error', () => {});
    let generation = 0; // bumped on every close and every (re)connect
    redis.on('close', () => generation++);
    redis.on('ready', () => generation++);

    const received = new Set<string>();
    const sink = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => {
        for (const r of (JSON.parse(data) as HttpBatchBody).records) received.add(r.objectId);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/ingest`;

    let ctx: Served | undefined;
    let stop = false;
    let load: Promise<unknown> | undefined;
    try {
      ctx = await serve(
        {
          SCHEDULER_SLEEP_MS: '100',
          SCHEDULER_LEASE_MS: '5000',
          SCHEDULER_RETRY_BACKOFF_MS: '200',
          LIVESYNC_GRANULARITY: '1',
          LIVESYNC_AGENTS: JSON.stringify([{ id: 'sink', type: 'http', url: sinkUrl }]),
        },
        { redis, tasks: [MarkTask] },
      );
      const c = ctx;
      await ensureAgents(c.rt.livesync, c.rt.config.LIVESYNC_AGENTS, c.rt.logger);
      c.rt.startScheduler();

      const t0 = performance.now();
      const at = () => performance.now() - t0;
      /** Runs `op`; confirmed when WAIT 1 then sees a replica on the very connection the op used. */
      const attempt = async <V>(op: () => Promise<unknown>, value: V): Promise<Op<V>> => {
        const started = at();
        const gen = generation;
        try {
          await op();
        } catch (err) {
          return { t: started, value, ok: false, confirmed: false, error: (err as Error).message.slice(0, 60) };
        }
        let replicas = 0;
        try {
          replicas = await redis.wait(1, 500);
        } catch {
          // connection lost: not confirmed
        }
        return { t: started, value, ok: true, confirmed: replicas >= 1 && gen === generation };
      };

      const tasks: Op<number>[] = [];
      const events: Op<string>[] = [];
      const keys: Op<string>[] = [];
      const enqueuer = async () => {
        for (let n = 0; !stop; n++) {
          tasks.push(await attempt(() => c.rt.client.enqueue(new MarkTask(Date.now(), { params: { n } })), n));
          await sleep(50);
        }
      };
      const writer = async () => {
        for (let n = 0; !stop; n++) {
          const id = `sent${n}`;
          events.push(
            await attempt(async () => {
              const res = await manage(c.base, c.admin, 'PUT', `/manage/events/${id}`, eventBody(n));
              await res.arrayBuffer();
              if (!res.ok) throw new Error(`status ${res.status}`);
            }, id),
          );
          await sleep(50);
        }
      };
      const keyMaker = async () => {
        for (let n = 0; !stop; n++) {
          let key = '';
          const op = await attempt(async () => {
            key = (await c.rt.keyStore.create(`sentinel-user-${n}`)).key;
          }, '');
          keys.push({ ...op, value: key });
          await sleep(100);
        }
      };
      load = Promise.all([enqueuer(), writer(), keyMaker()]);

      // Phase 1 on the first master, then a forced failover.
      await sleep(1500);
      const first = await t.master();
      let mark = at();
      const second = await t.failover();
      const failover1Ms = at() - mark;
      await t.waitStable();
      const phase2 = at();
      expect(second).not.toBe(first);

      // Phase 2 on the promoted replica; the agent delivers what is closed so far.
      await sleep(1500);
      await runActiveAgents(c.rt.livesync);

      // The master dies (SIGKILL): the sentinels see it down, agree and promote the other node.
      mark = at();
      const killedAt = mark;
      second.kill('SIGKILL');
      const third = await t.waitForNewMaster(second);
      const failover2Ms = at() - mark;
      expect(third).toBe(first);
      // The killed node comes back empty as a replica (its --replicaof names the first master).
      await second.restart();
      await t.waitStable();
      const phase3 = at();

      await sleep(1500);
      stop = true;
      await load;
      load = undefined;

      const confirmed = <T>(ops: Op<T>[]) => ops.filter((o) => o.confirmed);
      const after = <T>(ops: Op<T>[], from: number) => confirmed(ops).filter((o) => o.t > from);

      // Tasks: every confirmed enqueue runs (the daemon in this process follows the master too).
      await expect
        .poll(() => confirmed(tasks).filter((o) => !journal.marks.has(o.value)).length, {
          timeout: 20_000,
          interval: 100,
        })
        .toBe(0);

      // Events: every confirmed write is in the catalog with its change record, and reaches the agent.
      const tracked = await trackIds(c.rt);
      for (const o of confirmed(events)) {
        expect(await c.rt.catalog.getEvent(o.value), `confirmed event ${o.value}`).not.toBeNull();
        expect(tracked.has(`event:${o.value}`), `change record of ${o.value}`).toBe(true);
      }
      // The agent delivers a bucket once it is closed (plus the late-write margin): run it until it has.
      const undelivered = () => confirmed(events).filter((o) => !received.has(o.value));
      const deadline = Date.now() + 15_000;
      while (undelivered().length > 0 && Date.now() < deadline) {
        // 'not-acknowledged' when no new bucket is closed yet; 'failed' would be an error.
        expect((await runActiveAgents(c.rt.livesync)).filter((r) => r.status === 'failed')).toEqual([]);
        await sleep(500);
      }
      expect(undelivered().map((o) => o.value)).toEqual([]);

      // Keys: every confirmed key is found; a signed request with the admin key works on the last master.
      for (const o of confirmed(keys)) expect(await c.rt.keyStore.get(o.value), `key of op at ${o.t}`).not.toBeNull();
      const lastEvent = confirmed(events).at(-1)!.value;
      const res = await fetch(`${c.base}${signedUrl(`/export/event/${lastEvent}.json`, {}, c.admin)}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { count: number }).count).toBe(1);

      // The same client objects kept working on each new master.
      for (const ops of [tasks, events, keys] as Op[][]) {
        expect(after(ops, phase2).filter((o) => o.t < killedAt).length).toBeGreaterThan(0);
        expect(after(ops, phase3).length).toBeGreaterThan(0);
      }

      // What asynchronous replication lost: acknowledged by Redis, never confirmed by WAIT, and gone.
      const unconfirmed = <T>(ops: Op<T>[]) => ops.filter((o) => o.ok && !o.confirmed);
      const lostTasks = unconfirmed(tasks).filter((o) => !journal.marks.has(o.value)).length;
      let lostEvents = 0;
      for (const o of unconfirmed(events)) if ((await c.rt.catalog.getEvent(o.value)) === null) lostEvents++;
      let lostKeys = 0;
      for (const o of unconfirmed(keys)) if ((await c.rt.keyStore.get(o.value)) === null) lostKeys++;
      const line = (name: string, ops: Op[], lost: number) => {
        const errors = new Map<string, number>();
        for (const o of ops) if (o.error) errors.set(o.error, (errors.get(o.error) ?? 0) + 1);
        return (
          `${name} ${ops.length} sent / ${ops.filter((o) => o.ok).length} acked / ${confirmed(ops).length} confirmed / ` +
          `${unconfirmed(ops).length} unconfirmed of which ${lost} lost (failures: ${
            [...errors].map(([e, n]) => `${n}× ${e}`).join(', ') || 'none'
          })`
        );
      };
      console.info(
        `sentinel: SENTINEL FAILOVER -> new master in ${Math.round(failover1Ms)} ms, SIGKILL -> new master in ` +
          `${Math.round(failover2Ms)} ms (down-after 1000 ms); ${line('tasks', tasks, lostTasks)}; ` +
          `${line('events', events, lostEvents)}; ${line('keys', keys, lostKeys)}; ${received.size} objects delivered`,
      );
    } finally {
      stop = true;
      await load?.catch(() => {});
      await ctx?.close();
      redis.disconnect();
      sink.closeAllConnections();
      await new Promise((r) => sink.close(r));
    }
  }, 180_000);

  it('indico-server start + scheduler on REDIS_URL=redis-sentinel://… answer /readyz before and after a failover', async () => {
    const t = topo!;
    await t.waitStable();
    const cli = await buildCli();
    const port = await getFreePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      REDIS_URL: t.url,
      REDIS_PREFIX: 'sentinel-e2e',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'true',
      DEMO_EVENTS: '5',
      SCHEDULER_SLEEP_MS: '200',
      SCHEDULER_LEASE_MS: '3000',
    };
    const web = startCli(cli.main, ['start'], env);
    const daemon = startCli(cli.main, ['scheduler'], env);
    const readyz = async () => {
      const r = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) });
      return {
        status: r.status,
        at: Date.now(),
        body: (await r.json()) as { ready: boolean; redis: string; scheduler: { lastHeartbeatAgoMs: number | null } },
      };
    };
    try {
      const before = await waitFor(
        '/readyz 200 on Sentinel',
        async () => {
          const r = await readyz();
          return r.status === 200 ? r : null;
        },
        30_000,
      );
      expect(before.body).toMatchObject({ ready: true, redis: 'ok' });

      const old = await t.master();
      const promoted = await t.failover();
      expect(promoted).not.toBe(old);
      const failedOverAt = Date.now();
      // Ready again, with a daemon heartbeat written after the failover (so on the new master).
      const afterFailover = await waitFor(
        '/readyz 200 with a heartbeat newer than the failover',
        async () => {
          const r = await readyz();
          const ago = r.body.scheduler.lastHeartbeatAgoMs;
          return r.status === 200 && ago !== null && r.at - ago > failedOverAt ? r : null;
        },
        30_000,
      );
      expect(afterFailover.body).toMatchObject({ ready: true, redis: 'ok' });

      // The CLI on the same URL makes a key; the web process accepts a signed write with it and serves it.
      const made = await runCli(cli.main, ['apikey', 'create', '--user', DEMO_ADMIN_ID, '--json'], env);
      expect(made.code, made.stderr).toBe(0);
      const k = JSON.parse(made.stdout) as { ak: string; secret: string };
      const put = await manage(base, k, 'PUT', '/manage/events/sentinel_e2e', eventBody(1));
      expect(put.status, await put.text()).toBeLessThan(300);
      const got = await fetch(`${base}/export/event/sentinel_e2e.json`);
      expect(((await got.json()) as { count: number }).count).toBe(1);
      // The package CLIs mounted as subcommands take one address: the server hands them the current master's.
      const status = await runCli(cli.main, ['scheduler', 'show', 'status'], env);
      expect(status.code, status.stderr).toBe(0);
      const track = await runCli(cli.main, ['livesync', 'agent', 'list'], env);
      expect(track.code, track.stderr).toBe(0);
      // The one-address form for tools that need it names the promoted node.
      expect(await currentMasterUrl(t.url)).toBe(`redis://127.0.0.1:${promoted.port}`);
      // The write went to the promoted node.
      const direct = new Redis({ host: '127.0.0.1', port: promoted.port, maxRetriesPerRequest: 1 });
      try {
        expect((await direct.keys('sentinel-e2e:*')).length).toBeGreaterThan(0);
        expect(await direct.role().then((r) => r[0])).toBe('master');
      } finally {
        direct.disconnect();
      }
    } finally {
      web.kill('SIGTERM');
      daemon.kill('SIGTERM');
      const bounded = (p: Promise<unknown>, kill: () => void) => Promise.race([p, sleep(10_000).then(() => kill())]);
      await Promise.all([
        bounded(web.exited, () => web.kill('SIGKILL')),
        bounded(daemon.exited, () => daemon.kill('SIGKILL')),
      ]);
      cli.remove();
    }
  }, 120_000);
});
