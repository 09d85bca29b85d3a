import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestRedis, hasRedis, redisUrl, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpBatchBody, HttpPushAgent, runActiveAgents, SyncManager } from '../src/index.js';
import { createRedisTrackStore } from '../src/redis.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

describe.skipIf(!hasRedis())('an agent process killed mid-window', () => {
  let r: TestRedis | undefined;
  let child: ChildProcess | undefined;
  let server: http.Server | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((res) => server!.close(() => res()));
    }
    await r?.cleanup();
  });

  it('loses nothing: after SIGKILL the pointer has not moved and a restarted run delivers everything', async () => {
    r = createTestRedis();
    const received: HttpBatchBody[] = [];
    let onThirdBatch: () => void = () => {};
    const thirdBatch = new Promise<void>((res) => {
      onThirdBatch = res;
    });
    let hold = true;
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        received.push(JSON.parse(body) as HttpBatchBody);
        if (hold && received.length === 3) {
          onThirdBatch(); // keep the request open: the agent is now mid-window
          return;
        }
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((res) => server!.listen(0, '127.0.0.1', () => res()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const store = createRedisTrackStore({ redis: r.client, prefix: r.prefix });
    const manager = new SyncManager({ store, granularity: 100 });
    await manager.registerNewAgent(new HttpPushAgent({ id: 'push', url, batchSize: 10, timeoutMs: 30_000 }));
    await manager.activateAgent('push');
    const total = 50;
    await manager.record(
      Array.from({ length: total }, (_, i) => ({
        ref: { kind: 'event' as const, id: String(i) },
        changes: 'created' as const,
      })),
      { timestamp: Date.now() - 300_000 },
    );

    child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@indico/source', path.join(here, 'fixtures/agent-process.ts')],
      { cwd: root, env: { ...process.env, REDIS_URL: redisUrl(), LIVESYNC_PREFIX: r.prefix }, stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((res) => child!.once('exit', (_c, sig) => res(sig)));
    await thirdBatch;
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    expect(await manager.getTrack().getPointerTimestamp('push')).toBeNull();
    hold = false;
    const [res] = await runActiveAgents(manager);
    expect(res?.status).toBe('acknowledged');
    const delivered = new Set(received.flatMap((b) => b.records.map((rec) => rec.objectId)));
    expect(delivered.size).toBe(total);
    expect(await manager.getTrack().getPointerTimestamp('push')).toBe(res?.till);
  }, 30_000);
});
