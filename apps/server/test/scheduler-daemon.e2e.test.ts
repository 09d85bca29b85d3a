import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TaskStatus } from '@indico/scheduler';
import { type RedisServerHandle, startRedisServer } from '@indico/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Readiness } from '../src/app.js';
import { loadDemoData } from '../src/demo-data.js';
import { ensureAgents, LiveSyncRunTask } from '../src/tasks.js';
import { serve, silent, testConfig } from './helpers.js';
import { buildCli, hasRedisServer, type LongRunning, startCli, waitFor, withRedisServer } from './processes.js';

/** A livesync sink that holds its first request open (the task stays RUNNING) and accepts the others. */
async function startHoldingSink() {
  const held: ServerResponse[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      bodies.push(body);
      if (bodies.length === 1) held.push(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`,
    bodies,
    close() {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe.skipIf(!hasRedisServer())(withRedisServer('scheduler daemon killed with SIGKILL and restarted'), () => {
  let redis: RedisServerHandle;
  let sink: Awaited<ReturnType<typeof startHoldingSink>>;
  let web: Awaited<ReturnType<typeof serve>>;
  let env: Record<string, string>;
  let cli: Awaited<ReturnType<typeof buildCli>>;
  const daemons: LongRunning[] = [];

  beforeAll(async () => {
    cli = await buildCli();
    redis = await startRedisServer();
    sink = await startHoldingSink();
    env = {
      REDIS_URL: redis.url,
      REDIS_PREFIX: 'kill',
      LIVESYNC_GRANULARITY: '1',
      LIVESYNC_AGENTS: JSON.stringify([{ id: 'slow', type: 'http', url: sink.url }]),
      SCHEDULER_SLEEP_MS: '100',
      SCHEDULER_LEASE_MS: '2000',
      LOG_LEVEL: 'warn',
    };
    web = await serve(testConfig(env));
  });

  afterAll(async () => {
    cli?.remove();
    for (const d of daemons) d.kill('SIGKILL');
    await web?.close();
    await sink?.close();
    await redis?.stop();
  });

  const readyz = async () => {
    const res = await fetch(`${web.base}/readyz`);
    return { status: res.status, body: (await res.json()) as Readiness };
  };

  it('reports the gap on /readyz, and the interrupted and the queued tasks complete after the restart', async () => {
    const rt = web.rt;
    await loadDemoData(rt.catalog, { generated: 0, now: Date.now() });
    // The agent is active before the daemon starts (no initial export: the holding sink's first request must be
    // the push below); the change comes after its activation.
    await ensureAgents(rt.livesync, rt.config.LIVESYNC_AGENTS, silent);
    const a = startCli(cli.main, ['scheduler'], env);
    daemons.push(a);
    await waitFor('daemon A to be ready', async () => (await readyz()).status === 200, 20_000);
    const event = (await rt.catalog.getEvent('137346'))!;
    await rt.writer.putEvent({ ...event, title: 'Changed before the crash' });
    const changedAt = Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, changedAt + 3_200 - Date.now())));
    // One-shot push, held open by the sink: the task is RUNNING on daemon A when A dies.
    const heldRef = await rt.client.enqueue(new LiveSyncRunTask(Date.now()));
    await waitFor('the push to reach the sink', async () => sink.bodies.length === 1, 10_000);
    expect((await rt.client.getTask({ ref: heldRef })).status).toBe(TaskStatus.RUNNING);

    a.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    // No heartbeat for longer than the lease: not ready, and it says why.
    const gap = await waitFor(
      'readyz to report the missing heartbeat',
      async () => {
        const r = await readyz();
        return r.status === 503 ? r.body : null;
      },
      10_000,
    );
    expect(gap).toMatchObject({ redis: 'ok', scheduler: { fresh: false } });
    expect(gap.scheduler.lastHeartbeatAgoMs).toBeGreaterThan(2000);

    // Work spooled while no daemon runs waits for the next one.
    const queued = await Promise.all([1, 2, 3].map(() => rt.client.enqueue(new LiveSyncRunTask(Date.now()))));
    expect((await rt.client.getStatus()).spooled).toBe(3);

    const b = startCli(cli.main, ['scheduler'], env);
    daemons.push(b);
    await waitFor(
      'every task to finish on daemon B',
      async () => {
        const states = await Promise.all([heldRef, ...queued].map((ref) => rt.client.getTask({ ref })));
        return states.every((t) => t.status === TaskStatus.FINISHED);
      },
      25_000,
    );
    expect((await readyz()).status).toBe(200);
    // The interrupted push was sent again (at-least-once) and this time acknowledged.
    expect(sink.bodies.length).toBeGreaterThanOrEqual(2);
    expect(sink.bodies[1]).toContain('137346');
    expect(await (await rt.livesync.getAgent('slow')).getLastTS()).toBeGreaterThanOrEqual(
      rt.livesync.bucketOf(changedAt),
    );
    b.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  }, 60_000);
});
