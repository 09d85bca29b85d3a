import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFakeClock } from '@indico/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryTrackStore,
  type HttpBatchBody,
  HttpPushAgent,
  isLivesyncError,
  runActiveAgents,
  SyncManager,
} from '../src/index.js';

const G = 100;

/** A local sink: answers each POST with the next scripted status (default 200), records bodies. */
function startSink(script: Array<number | 'hang'> = []) {
  const bodies: HttpBatchBody[] = [];
  const statuses: number[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      const next = script.shift() ?? 200;
      if (next === 'hang') return; // never answer: the client times out
      statuses.push(next);
      if (next < 300) bodies.push(JSON.parse(data) as HttpBatchBody);
      res.writeHead(next, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise<{ url: string; bodies: HttpBatchBody[]; statuses: number[]; close(): Promise<void> }>(
    (resolve) => {
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        resolve({
          url: `http://127.0.0.1:${port}/ingest`,
          bodies,
          statuses,
          close: () =>
            new Promise<void>((r) => {
              server.closeAllConnections();
              server.close(() => r());
            }),
        });
      });
    },
  );
}

describe('HttpPushAgent', () => {
  const clock = createFakeClock(Date.UTC(2026, 0, 1, 12, 0, 50));
  let manager: SyncManager;
  let sink: Awaited<ReturnType<typeof startSink>> | undefined;

  beforeEach(async () => {
    manager = new SyncManager({ store: createMemoryTrackStore(), granularity: G, clock });
    await manager.record(
      Array.from({ length: 5 }, (_, i) => ({
        ref: { kind: 'event' as const, id: String(i) },
        changes: 'created' as const,
      })),
      { timestamp: clock.now() - G * 1000 },
    );
  });
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  async function agentFor(
    script: Array<number | 'hang'>,
    extra: Partial<ConstructorParameters<typeof HttpPushAgent>[0]> = {},
  ) {
    sink = await startSink(script);
    const agent = new HttpPushAgent({ id: 'http', url: sink.url, batchSize: 2, sleep: async () => {}, ...extra });
    await manager.registerNewAgent(agent);
    await manager.activateAgent('http');
    return agent;
  }

  it('POSTs JSON batches with the window and stable record ids, then acknowledges', async () => {
    const agent = await agentFor([]);
    const [res] = await runActiveAgents(manager);
    expect(res?.status).toBe('acknowledged');
    expect(sink!.bodies.map((b) => b.records.length)).toEqual([2, 2, 1]);
    expect(sink!.bodies.map((b) => b.batch)).toEqual([0, 1, 2]);
    const till = manager.bucketOf(clock.now()) - 1;
    expect(sink!.bodies[0]!.window).toEqual({ from: null, till });
    expect(sink!.bodies[0]!.records[0]).toMatchObject({ kind: 'event', objectId: '0', change: 'created' });
    expect(await agent.getLastTS()).toBe(till);
  });

  it('retries 5xx answers and succeeds', async () => {
    await agentFor([503, 500]);
    const [res] = await runActiveAgents(manager);
    expect(res?.status).toBe('acknowledged');
    expect(sink!.statuses.slice(0, 3)).toEqual([503, 500, 200]);
    expect(sink!.bodies.flatMap((b) => b.records.map((r) => r.objectId))).toEqual(['0', '1', '2', '3', '4']);
  });

  it('retries 429 and 408 as transient', async () => {
    await agentFor([429, 408]);
    const [res] = await runActiveAgents(manager);
    expect(res?.status).toBe('acknowledged');
    expect(sink!.statuses.slice(0, 3)).toEqual([429, 408, 200]);
  });

  it('retries a timeout', async () => {
    await agentFor(['hang'], { timeoutMs: 100 });
    const [res] = await runActiveAgents(manager);
    expect(res?.status).toBe('acknowledged');
    expect(sink!.bodies).toHaveLength(3);
  });

  it('stops at a 4xx without retrying and leaves the pointer', async () => {
    const agent = await agentFor([200, 422]);
    const [res] = await runActiveAgents(manager);
    expect(res?.status).toBe('not-acknowledged');
    expect(sink!.statuses).toEqual([200, 422]);
    expect(await agent.getLastTS()).toBeNull();
  });

  it('re-sends the same record ids when a failed window is retried', async () => {
    await agentFor([200, 500, 500, 500, 500]);
    await runActiveAgents(manager);
    const firstIds = sink!.bodies[0]!.records.map((r) => r.id);
    await runActiveAgents(manager);
    expect(sink!.bodies[1]!.records.map((r) => r.id)).toEqual(firstIds);
  });

  it('rejects a relative url', () => {
    let err: unknown;
    try {
      new HttpPushAgent({ id: 'x', url: '/relative' });
    } catch (e) {
      err = e;
    }
    expect(isLivesyncError(err) && err.code).toBe('INVALID_ARGUMENT');
  });

  it('is rebuilt from the store by type with its options', async () => {
    await manager.registerNewAgent(new HttpPushAgent({ id: 'h2', url: 'http://127.0.0.1:9/x', batchSize: 7 }));
    const m2 = new SyncManager({ store: manager.store, granularity: G, clock });
    const again = await m2.getAgent('h2');
    expect(again).toBeInstanceOf(HttpPushAgent);
    expect((again as HttpPushAgent).options).toMatchObject({ url: 'http://127.0.0.1:9/x', batchSize: 7 });
  });
});
