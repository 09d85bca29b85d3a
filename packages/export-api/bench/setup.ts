/**
 * Benchmark data (shared by bench/server.ts and bench/profile.ts): a private redis-server (unless REDIS_URL is
 * set), 10,000 events in 50 categories in the Redis catalog, and the export handler over it.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { Redis } from 'ioredis';
import { createExportHandler, type EventRecord, type ExportHandler } from '../src/index.js';
import { createRedisCatalog, createRedisResultCache, type RedisCatalog } from '../src/redis.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1, 10);
const CATEGORIES = 50;
const EVENTS = 10_000;

/** A private redis-server on a free loopback port, so other Redis users of the machine do not skew the run. */
async function privateRedis(): Promise<{ url: string; stop(): void }> {
  const port = await new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {}); // refused until the server listens: expected while polling
    const ok = await probe.connect().then(
      () => probe.ping(),
      () => null,
    );
    probe.disconnect();
    if (ok === 'PONG') return { url, stop: () => child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  throw new Error('redis-server did not start');
}

export interface BenchSetup {
  handler: ExportHandler;
  /** The same data and handler options over a catalog without `trackListings` (every listing reads the bodies). */
  handlerUntracked: ExportHandler;
  catalog: RedisCatalog;
  path: string;
  query: string;
  count: number;
  bytes: Buffer;
  /** Redis' own CPU per command, from INFO commandstats (microseconds per call, by command). */
  redisUsecPerCall(): Promise<Record<string, number>>;
  /** Deletes the keys, closes the client and stops the private redis-server. */
  stop(): Promise<void>;
}

export async function setupBench(): Promise<BenchSetup> {
  const own = process.env.REDIS_URL ? null : await privateRedis();
  try {
    const client = new Redis(process.env.REDIS_URL ?? own!.url, { maxRetriesPerRequest: 1 });
    const prefix = `bench:${randomUUID()}:`;
    // trackListings: listings skip the bodies this process holds until Redis reports a change (see README)
    const catalog = createRedisCatalog({ client, prefix, trackListings: true });
    await catalog.putCategory({ id: '0', name: 'Home', parentId: null });
    for (let c = 1; c <= CATEGORIES; c++)
      await catalog.putCategory({ id: String(c), name: `Category ${c}`, parentId: '0' });
    const batch: Promise<void>[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const cat = (i % CATEGORIES) + 1;
      const day = Math.floor(i / CATEGORIES); // event `day` of each category: one per day, 200 days
      const e: EventRecord = {
        id: String(100000 + i),
        title: `Event ${i} of category ${cat}`,
        description: '<p>An event with a short description.</p>',
        type: i % 3 === 0 ? 'conference' : 'meeting',
        startDate: T0 + day * DAY,
        endDate: T0 + day * DAY + 2 * 3600_000,
        timezone: 'Europe/Zurich',
        categoryId: String(cat),
        location: 'CERN',
        room: `40-S2-${String(i % 90).padStart(3, '0')}`,
        address: 'Route de Meyrin',
        creator: { id: '1', fullName: 'Bench Creator', affiliation: 'CERN', email: 'creator@example.org' },
        chairs: [{ id: '2', fullName: 'Bench Chair', affiliation: 'CERN', email: 'chair@example.org' }],
        creationDate: T0 - 30 * DAY,
        modificationDate: T0 - DAY,
      };
      batch.push(catalog.putEvent(e));
      if (batch.length >= 250) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);

    const handler = createExportHandler({
      catalog,
      cache: createRedisResultCache({ client, prefix }),
      baseUrl: 'https://indico.example.org',
      serverTimezone: 'Europe/Zurich',
    });
    const untracked = createRedisCatalog({ client, prefix });
    const handlerUntracked = createExportHandler({
      catalog: untracked,
      cache: createRedisResultCache({ client, prefix }),
      baseUrl: 'https://indico.example.org',
      serverTimezone: 'Europe/Zurich',
    });
    // 100 days of category 7: one event per day, so the window returns 100 of its 200 events.
    const path = '/export/categ/7.json';
    const query = 'from=2026-01-01&to=2026-04-10';
    const sample = await handler({ method: 'GET', path, query });
    const count = JSON.parse(sample.body).count as number;
    const bytes = Buffer.from(sample.body);
    await client.config('RESETSTAT'); // commandstats from here on: the requests only
    const results = (body: string) => JSON.stringify(JSON.parse(body).results);
    const untrackedBody = (await handlerUntracked({ method: 'GET', path, query: `${query}&nocache=yes` })).body;
    if (results(untrackedBody) !== results(sample.body)) {
      throw new Error('bench bug: the untracked catalog answers different bytes');
    }
    return {
      handler,
      handlerUntracked,
      catalog,
      path,
      query,
      count,
      bytes,
      async redisUsecPerCall() {
        const out: Record<string, number> = {};
        for (const m of (await client.info('commandstats')).matchAll(/cmdstat_(\w+):calls=(\d+),usec=(\d+)/g)) {
          out[m[1]!] = Number(m[3]) / Number(m[2]);
        }
        return out;
      },
      async stop() {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await client.del(...keys);
        } while (cursor !== '0');
        await catalog.close();
        await untracked.close();
        client.disconnect();
        own?.stop();
      },
    };
  } catch (e) {
    own?.stop();
    throw e;
  }
}
