import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestRedis, hasRedis, redisUrl, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpBatchBody, HttpPushAgent, SyncManager } from '../src/index.js';
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
    const recordedAt = Date.now() - 300_000;
    await manager.record(
      Array.from({ length: total }, (_, i) => ({
        ref: { kind: 'event' as const, id: String(i) },
        changes: 'created' as const,
      })),
      { timestamp: recordedAt },
    );

    const startAgentProcess = () => {
      const proc = spawn(
        process.execPath,
        ['--import', 'tsx', '--conditions=@indico/source', path.join(here, 'fixtures/agent-process.ts')],
        { cwd: root, env: { ...process.env, REDIS_URL: redisUrl(), LIVESYNC_PREFIX: r!.prefix }, stdio: 'ignore' },
      );
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
        proc.once('exit', (code, signal) => res({ code, signal })),
      );
      return { proc, exit };
    };

    const first = startAgentProcess();
    child = first.proc;
    await thirdBatch;
    child.kill('SIGKILL');
    expect((await first.exit).signal).toBe('SIGKILL');
    expect(await manager.getTrack().getPointerTimestamp('push')).toBeNull();

    // restart: a new process runs the agents again
    hold = false;
    const second = startAgentProcess();
    child = second.proc;
    expect((await second.exit).code).toBe(0);
    const delivered = new Set(received.flatMap((b) => b.records.map((rec) => rec.objectId)));
    expect(delivered.size).toBe(total);
    // acknowledged past the recorded bucket only after the whole window went through
    expect(await manager.getTrack().getPointerTimestamp('push')).toBeGreaterThanOrEqual(manager.bucketOf(recordedAt));
  }, 30_000);
});
