/**
 * Benchmark (issue "Speed and scale"), one run, against the Redis at REDIS_URL (default 127.0.0.1:6379):
 *  1. record 200,000 changes over 50,000 objects into the Redis track, pipelined:
 *     (a) one unit of work per change (`manager.add`, 1,000 in flight), (b) units of 1,000 changes (`manager.record`);
 *     baseline: raw XADD of the same 200,000 encoded entries with ioredis pipelines of 1,000;
 *  2. one HttpPushAgent compacts the window and pushes it to a local HTTP sink (separate process) in batches of 1,000;
 *  3. Redis memory per 100,000 changes (MEMORY USAGE of the track keys vs the stream);
 *  4. the agent's peak heap growth during the run (sampled every 5 ms).
 * Writes bench/RESULTS.md. All keys live under a fresh prefix and are deleted at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import {
  type ChangeInput,
  type ChangeType,
  encodeEntry,
  HttpPushAgent,
  type ObjectKind,
  SyncManager,
} from '../src/index.js';
import { createRedisTrackStore } from '../src/redis.js';

const CHANGES = 200_000;
const OBJECTS = 50_000;
const IN_FLIGHT = 1_000;
const here = path.dirname(fileURLToPath(import.meta.url));
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function change(n: number): ChangeInput & { ts: number } {
  const obj = n % OBJECTS;
  const round = Math.floor(n / OBJECTS);
  const kind: ObjectKind = obj % 5 === 0 ? 'event' : 'contribution';
  const id = kind === 'event' ? String(obj) : `${obj - (obj % 5)}.${obj % 5}`;
  const first: ChangeType = obj % 2 === 0 ? 'created' : 'data_changed';
  const type: ChangeType =
    round === 0
      ? first
      : round === 1
        ? 'data_changed'
        : round === 2
          ? 'title_changed'
          : obj % 10 === 0
            ? 'deleted'
            : 'data_changed';
  return { ref: { kind, id }, changes: type, ts: BASE + n * 50 };
}
// 200,000 changes 50 ms apart: 10,000 s = 100 buckets of 100 s, all closed before "now"
const BASE = Math.floor(Date.now() / 100_000) * 100_000 - 4 * 3_600_000;

async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return out;
}

async function memoryOf(redis: Redis, keys: string[]): Promise<number> {
  let total = 0;
  for (const k of keys) total += Number((await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) ?? 0);
  return total;
}

async function deleteAll(redis: Redis, prefix: string) {
  const keys = await keysUnder(redis, prefix);
  for (let i = 0; i < keys.length; i += 500) await redis.unlink(...keys.slice(i, i + 500));
}

function startSink(): Promise<{
  url: string;
  child: ChildProcess;
  stats(): Promise<{ records: number; posts: number }>;
}> {
  const code = `
    const http = require('node:http');
    let records = 0, posts = 0;
    const s = http.createServer((req, res) => {
      if (req.method === 'GET') return res.end(JSON.stringify({ records, posts }));
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c) => { body += c; });
      req.on('end', () => { posts++; records += JSON.parse(body).records.length; res.end('{}'); });
    });
    s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    child.stdout!.once('data', (d: Buffer) => {
      const port = Number(String(d).trim());
      const base = `http://127.0.0.1:${port}`;
      resolve({
        url: `${base}/ingest`,
        child,
        stats: async () => (await (await fetch(base)).json()) as { records: number; posts: number },
      });
    });
  });
}

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const fmt = (n: number) => n.toLocaleString('en-US');

async function main() {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  const prefix = `bench:livesync:${randomUUID()}:`;
  const rows: string[][] = [];
  const inputs = Array.from({ length: CHANGES }, (_, n) => change(n));
  try {
    // --- baseline: raw XADD of the same encoded entries, pipelines of 1,000
    const streamKey = `${prefix}xadd`;
    let t = performance.now();
    for (let i = 0; i < CHANGES; i += IN_FLIGHT) {
      const p = redis.pipeline();
      for (const c of inputs.slice(i, i + IN_FLIGHT)) {
        const entry = { ts: c.ts, kind: c.ref.kind, id: c.ref.id, changes: [c.changes as ChangeType] };
        p.xadd(streamKey, '*', 'e', encodeEntry(entry));
      }
      await p.exec();
    }
    const xaddMs = performance.now() - t;
    const xaddMem = await memoryOf(redis, [streamKey]);
    await redis.unlink(streamKey);

    // --- (a) one unit of work per change, 1,000 in flight (ioredis pipelines them)
    const prefixA = `${prefix}a:`;
    const managerA = new SyncManager({ store: createRedisTrackStore({ redis, prefix: prefixA }), granularity: 100 });
    t = performance.now();
    for (let i = 0; i < CHANGES; i += IN_FLIGHT) {
      await Promise.all(inputs.slice(i, i + IN_FLIGHT).map((c) => managerA.add(c.ts, c)));
    }
    const perChangeMs = performance.now() - t;
    const trackMem = await memoryOf(redis, await keysUnder(redis, prefixA));

    // --- (b) units of work of 1,000 changes each (one MULTI per unit)
    const prefixB = `${prefix}b:`;
    const store = createRedisTrackStore({ redis, prefix: prefixB });
    const manager = new SyncManager({ store, granularity: 100 });
    t = performance.now();
    for (let i = 0; i < CHANGES; i += IN_FLIGHT) {
      const chunk = inputs.slice(i, i + IN_FLIGHT);
      await manager.record(chunk, { timestamp: chunk[0]!.ts });
    }
    const batchedMs = performance.now() - t;
    await deleteAll(redis, prefixB);

    rows.push([
      'raw XADD, pipelines of 1,000 (baseline)',
      fmt(rate(CHANGES, xaddMs)),
      '1.00x',
      `${Math.round(xaddMs)} ms`,
    ]);
    rows.push([
      'track: one `add` per change, 1,000 in flight',
      fmt(rate(CHANGES, perChangeMs)),
      `${(xaddMs / perChangeMs).toFixed(2)}x`,
      `${Math.round(perChangeMs)} ms`,
    ]);
    rows.push([
      'track: `record` of 1,000 changes per unit of work',
      fmt(rate(CHANGES, batchedMs)),
      `${(xaddMs / batchedMs).toFixed(2)}x`,
      `${Math.round(batchedMs)} ms`,
    ]);

    // --- agents on track (a): one entry per change, 100 buckets. Agent "last" starts at the bucket where the
    // last 50,000 changes begin (window 50,000 changes), agent "all" reads the whole track (200,000 changes).
    const sink = await startSink();
    const lastRoundBucket = managerA.bucketOf(inputs[CHANGES - OBJECTS]!.ts) - 1;
    inputs.length = 0;
    const runAgent = async (id: string, pointer: number | null) => {
      const agent = new HttpPushAgent({ id, url: sink.url, batchSize: 1000 });
      await managerA.registerNewAgent(agent);
      if (pointer !== null) await managerA.advance(id, pointer);
      const windowChanges = await managerA.getTrack().iterate(pointer, null, () => 1);
      let changes = 0;
      for await (const one of windowChanges) changes += one;
      const before = await sink.stats();
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      let peak = heapBefore;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }, 5);
      const start = performance.now();
      const till = await agent.run(Date.now());
      const ms = performance.now() - start;
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      if (till === null) throw new Error('agent run failed');
      await agent.acknowledge();
      const after = await sink.stats();
      return {
        changes,
        records: after.records - before.records,
        posts: after.posts - before.posts,
        ms,
        heap: peak - heapBefore,
      };
    };
    const small = await runAgent('last', lastRoundBucket);
    const big = await runAgent('all', null);
    sink.child.kill();
    await deleteAll(redis, prefixA);

    const memTable = [
      '| storage | bytes per 100,000 changes |',
      '| --- | ---: |',
      `| Redis STREAM (XADD baseline) | ${fmt(Math.round((xaddMem / CHANGES) * 100_000))} |`,
      `| livesync track (ZSET buckets + index) | ${fmt(Math.round((trackMem / CHANGES) * 100_000))} (${(trackMem / xaddMem).toFixed(2)}x) |`,
    ];
    const agentRow = (r: typeof big) =>
      `| ${fmt(r.changes)} | ${fmt(r.records)} in ${r.posts} POSTs | ${fmt(rate(r.records, r.ms))} | ${fmt(rate(r.changes, r.ms))} | ${Math.round(r.ms)} ms | ${(Math.max(0, r.heap) / 1024 / 1024).toFixed(1)} MB |`;
    const agentTable = [
      '| window (changes) | records pushed | records/s | changes consumed/s | wall time | peak heap growth |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      agentRow(small),
      agentRow(big),
    ];
    const md = [
      '# @indico/livesync benchmark',
      '',
      `Node ${process.version}, Redis at ${url.replace(/\/\/.*@/, '//')}, ${new Date().toISOString()}; 2 shared cores, so expect ±20%.`,
      'Command: `pnpm --filter @indico/livesync bench`.',
      '',
      '## Recording 200,000 changes over 50,000 objects',
      '',
      '| writer | changes/s | ratio vs XADD | time |',
      '| --- | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      '## Redis memory',
      '',
      ...memTable,
      '',
      '## Agent: compaction + HTTP push in batches of 1,000',
      '',
      ...agentTable,
      '',
    ].join('\n');
    process.stdout.write(`${md}\n`);
    writeFileSync(path.join(here, 'RESULTS.md'), md);
  } finally {
    await deleteAll(redis, prefix);
    redis.disconnect();
  }
}

await main();
