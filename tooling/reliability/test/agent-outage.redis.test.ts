/**
 * Fault: a livesync agent's target answers 500 for a minute (issue 10). The track lives on an extra
 * redis-server; the agent runs every 10 s of a fake clock (LiveSyncUpdateTask's job), its retry backoff
 * sleeps on the same fake clock, so the minute takes milliseconds. Expectations (spec: scheduler-and-livesync
 * §2.10-2.11): while the target fails, every run fails and the agent's pointer does not move; the first run
 * after the outage delivers every change recorded meanwhile and moves the pointer to the last closed bucket.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeClock, type RedisServerHandle, startRedisServer } from '@indico/test-utils';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HttpBatchBody,
  HttpPushAgent,
  runActiveAgents,
  SyncManager,
} from '../../../packages/livesync/src/index.js';
import { createRedisTrackStore } from '../../../packages/livesync/src/redis.js';
import { hasRedisServer } from '../src/util.js';

const G = 10; // seconds per bucket
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe.skipIf(!hasRedisServer())('agent target down for a minute', () => {
  let redis: RedisServerHandle;
  let client: Redis;
  let sink: http.Server;
  let url: string;
  const clock = createFakeClock(T0);
  let outage = { from: 0, to: 0 };
  const received = new Set<string>();
  let posts = 0;
  let failures = 0;

  beforeAll(async () => {
    redis = await startRedisServer({ args: ['--appendonly', 'yes'] });
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    sink = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => {
        posts++;
        const now = clock.now();
        if (now >= outage.from && now < outage.to) {
          failures++;
          res.writeHead(500).end('down');
          return;
        }
        for (const r of (JSON.parse(data) as HttpBatchBody).records) received.add(r.objectId);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/ingest`;
  });
  afterAll(async () => {
    sink?.closeAllConnections();
    await new Promise((r) => sink?.close(r));
    client?.disconnect();
    await redis?.stop();
  });

  it('holds the pointer through the outage, then catches up with every change', async () => {
    const manager = new SyncManager({
      store: createRedisTrackStore({ redis: client, prefix: 'rel:' }),
      granularity: G,
      clock,
    });
    const agent = new HttpPushAgent({
      id: 'target',
      url,
      batchSize: 3,
      retries: 3,
      backoffMs: 1000,
      // backoff waits on the fake clock: the minute-long outage costs no real time
      sleep: async (ms) => clock.advance(ms),
    });
    await manager.registerNewAgent(agent);
    await manager.activateAgent('target');

    const recorded: string[] = [];
    let n = 0;
    const recordSome = async () => {
      for (let i = 0; i < 2; i++) {
        const id = `e${n++}`;
        recorded.push(id);
        await manager.record([{ ref: { kind: 'event', id }, changes: 'created' }], { timestamp: clock.now() });
      }
    };
    // the last bucket that no late write can still change (floor(now/g) - 1, minus the late-write margin)
    const closed = () => manager.lastClosedBucket(clock.now());

    // Healthy: one run delivers what is there and acknowledges.
    await recordSome();
    clock.advance(G * 1000);
    await recordSome();
    let [res] = await runActiveAgents(manager);
    expect(res).toMatchObject({ status: 'acknowledged' });
    const before = await agent.getLastTS();
    expect(before).toBe(closed());

    // The target fails for 60 s; the agent runs every 10 s meanwhile.
    outage = { from: clock.now(), to: clock.now() + 60_000 };
    let failedRuns = 0;
    while (clock.now() < outage.to) {
      clock.advance(G * 1000);
      await recordSome();
      [res] = await runActiveAgents(manager);
      if (clock.now() < outage.to) {
        // the run gives up after its retries: no acknowledgement ('not-acknowledged' or 'failed')
        expect(res!.status).not.toBe('acknowledged');
        failedRuns++;
      }
      if (res!.status !== 'acknowledged') expect(await agent.getLastTS()).toBe(before);
    }
    expect(failedRuns).toBeGreaterThanOrEqual(3);
    expect(failures).toBeGreaterThan(failedRuns);

    // Recovered: the next run catches up.
    clock.advance(G * 1000);
    [res] = await runActiveAgents(manager);
    expect(res).toMatchObject({ status: 'acknowledged' });
    expect(await agent.getLastTS()).toBe(closed());
    // Every change recorded in a closed bucket arrived (at least once).
    clock.advance(G * 1000);
    await runActiveAgents(manager);
    expect(recorded.filter((id) => !received.has(id))).toEqual([]);
    console.info(
      `agent outage: ${failedRuns} failed runs, ${failures} refused POSTs of ${posts}, ${recorded.length} changes delivered`,
    );
  });
});
