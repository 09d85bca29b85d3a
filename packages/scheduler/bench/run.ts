/**
 * @indico/scheduler vs BullMQ (and bee-queue) on one private Redis with default settings (hz 10), in one run.
 * Prints Markdown and writes bench/RESULTS.md. BENCH_TASKS (default 20000, as the issue asks; about 4 minutes in
 * all on an idle 2-core machine) sets the throughput runs, repeated BENCH_ROUNDS times
 * (default 5, interleaved; the best round per system and concurrency is reported, to damp interference: BullMQ's
 * rounds alone range over ±30 % on this VM);
 * BENCH_REDIS_URL uses an existing server instead of starting a private one. It runs the built package (dist/, what
 * users install; `pnpm bench` builds it first), as BullMQ and bee-queue run their published JavaScript.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Client,
  OneShotTask,
  PeriodicTask,
  Scheduler,
  type SchedulerStore,
  type TaskContext,
  TaskRegistry,
} from '@indico/scheduler';
import { createRedisStore } from '@indico/scheduler/redis';
import BeeQueue from 'bee-queue';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';

const N = Number(process.env.BENCH_TASKS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCIES = (process.env.BENCH_CONCURRENCIES ?? '1,10,50').split(',').map(Number);
/** BENCH_THROUGHPUT_ONLY=1: section 1 only, printed to stderr; RESULTS.md is left alone (for quick A/B runs). */
const THROUGHPUT_ONLY = process.env.BENCH_THROUGHPUT_ONLY === '1';
const PUNCTUAL_TASKS = 2_000;
const PERIODIC_SECONDS = 30;
const MEMORY_TASKS = 100_000;

// ---------- Redis server and INFO sampling ----------

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.BENCH_REDIS_URL) return { url: process.env.BENCH_REDIS_URL, stop: async () => {} };
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sched-bench-'));
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Sample {
  cpuUs: number;
  reads: number;
  commands: number;
  memory: number;
}

function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

let admin: Redis;
async function sample(): Promise<Sample> {
  const info = parseInfo(await admin.info('all'));
  let commands = 0;
  for (const [k, v] of Object.entries(info)) {
    if (!k.startsWith('cmdstat_')) continue;
    const name = k.slice(8);
    // Scripts are counted through the commands they run; admin traffic is excluded.
    if (['eval', 'evalsha', 'info', 'config', 'client', 'hello', 'ping', 'select', 'script'].includes(name)) continue;
    commands += Number(/calls=(\d+)/.exec(v)?.[1] ?? 0);
  }
  return {
    cpuUs: (Number(info.used_cpu_user) + Number(info.used_cpu_sys)) * 1e6,
    reads: Number(info.total_reads_processed),
    commands,
    memory: Number(info.used_memory),
  };
}

interface Cost {
  roundTrips: number;
  commands: number;
  cpuUs: number;
}

function cost(a: Sample, b: Sample, n: number, infoCalls = 1): Cost {
  return {
    // each INFO sample is one read of its own
    roundTrips: (b.reads - a.reads - infoCalls) / n,
    commands: (b.commands - a.commands) / n,
    cpuUs: (b.cpuUs - a.cpuUs) / n,
  };
}

async function deletePrefix(prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    if (keys.length) await admin.unlink(...keys);
  } while (cursor !== '0');
}

const pct = (values: number[], p: number) => {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const gc = () => (globalThis as { gc?: () => void }).gc?.();

// ---------- our tasks ----------

class Noop extends OneShotTask<null> {
  static override typeId = 'Noop';
  run(): void {}
}

const lateness: number[] = [];
class Punctual extends OneShotTask<{ due: number }> {
  static override typeId = 'Punctual';
  run(): void {
    lateness.push(Date.now() - this.params.due);
  }
}

const periodicRuns: Array<{ slot: number; at: number }> = [];
class Every extends PeriodicTask<null> {
  static override typeId = 'Every';
  run(_ctx: TaskContext): void {
    periodicRuns.push({ slot: this.getStartOn()!, at: Date.now() });
  }
}

const registry = new TaskRegistry().register(Noop).register(Punctual).register(Every);

function ours(url: string, prefetch?: number) {
  const redis = new Redis(url);
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const store: SchedulerStore = createRedisStore({ redis, prefix });
  const client = new Client({ store, registry });
  const scheduler = (concurrency: number) =>
    new Scheduler({
      store,
      registry,
      concurrency,
      batchSize: 5000,
      sleepInterval: 1000,
      history: { maxAge: 1e12, maxCount: 1e9 },
      pruneInterval: 1e9,
      ...(prefetch === undefined ? {} : { prefetch }),
    });
  return {
    store,
    client,
    scheduler,
    async close() {
      await store.close();
      await deletePrefix(prefix);
      redis.disconnect();
    },
  };
}

async function enqueueChunks(client: Client, make: (i: number) => OneShotTask, n: number) {
  for (let i = 0; i < n; i += 1000) {
    const chunk = [];
    for (let j = i; j < Math.min(n, i + 1000); j++) chunk.push(make(j));
    await client.enqueueMany(chunk);
  }
}

// ---------- 1 + 3: throughput and Redis cost ----------

interface Throughput {
  system: string;
  concurrency: number;
  addMs: number;
  processMs: number;
  rate: number;
  add: Cost;
  process: Cost;
}

const NO_PREFETCH = '@indico/scheduler, prefetch 0';

/** Without prefetch: every claim waits for a free slot (the default claims ahead while runs are short). */
function oursNoPrefetch(url: string, c: number): Promise<Throughput> {
  return oursThroughput(url, c, 0);
}

async function oursThroughput(url: string, c: number, prefetch?: number): Promise<Throughput> {
  const o = ours(url, prefetch);
  const now = Date.now();
  const s0 = await sample();
  const t0 = performance.now();
  await enqueueChunks(o.client, () => new Noop(now), N);
  const t1 = performance.now();
  const s1 = await sample();
  const sched = o.scheduler(c);
  let done = 0;
  const all = new Promise<void>((resolve) =>
    sched.on('task:finished', () => {
      if (++done === N) resolve();
    }),
  );
  const s1b = await sample();
  const t2 = performance.now();
  void sched.run();
  await all;
  const t3 = performance.now();
  const s2 = await sample();
  await sched.stop();
  const finished = (await o.client.getStatus()).finished;
  if (finished !== N) throw new Error(`ours: ${finished} finished of ${N}`);
  await o.close();
  return {
    system: prefetch === 0 ? NO_PREFETCH : '@indico/scheduler',
    concurrency: c,
    addMs: t1 - t0,
    processMs: t3 - t2,
    rate: N / ((t3 - t2) / 1000),
    add: cost(s0, s1, N),
    process: cost(s1b, s2, N),
  };
}

async function bullThroughput(url: string, c: number): Promise<Throughput> {
  const { port } = new URL(url);
  const connection = { host: '127.0.0.1', port: Number(port) };
  const name = `bench-${randomBytes(4).toString('hex')}`;
  const prefix = `bull:${name}`;
  const queue = new Queue(name, { connection, prefix });
  await queue.waitUntilReady();
  const s0 = await sample();
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1000) {
    const jobs = [];
    for (let j = i; j < Math.min(N, i + 1000); j++) jobs.push({ name: 'noop', data: { j } });
    await queue.addBulk(jobs);
  }
  const t1 = performance.now();
  const s1 = await sample();
  let done = 0;
  let resolve!: () => void;
  const all = new Promise<void>((r) => {
    resolve = r;
  });
  const worker = new Worker(name, async () => {}, { connection, prefix, concurrency: c, autorun: false });
  worker.on('completed', () => {
    if (++done === N) resolve();
  });
  await worker.waitUntilReady();
  const s1b = await sample();
  const t2 = performance.now();
  void worker.run();
  await all;
  const t3 = performance.now();
  const s2 = await sample();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await deletePrefix(prefix);
  return {
    system: 'BullMQ',
    concurrency: c,
    addMs: t1 - t0,
    processMs: t3 - t2,
    rate: N / ((t3 - t2) / 1000),
    add: cost(s0, s1, N),
    process: cost(s1b, s2, N),
  };
}

async function beeThroughput(url: string, c: number): Promise<Throughput> {
  const { port } = new URL(url);
  const prefix = `bq-${randomBytes(4).toString('hex')}`;
  const queue = new BeeQueue('bench', {
    redis: { host: '127.0.0.1', port: Number(port) },
    prefix,
    removeOnSuccess: true,
    sendEvents: false,
    getEvents: false,
    storeJobs: false,
    activateDelayedJobs: false,
  });
  await queue.ready();
  const s0 = await sample();
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1000) {
    const jobs = [];
    for (let j = i; j < Math.min(N, i + 1000); j++) jobs.push(queue.createJob({ j }));
    await queue.saveAll(jobs);
  }
  const t1 = performance.now();
  const s1 = await sample();
  let done = 0;
  let resolve!: () => void;
  const all = new Promise<void>((r) => {
    resolve = r;
  });
  queue.on('succeeded', () => {
    if (++done === N) resolve();
  });
  const s1b = await sample();
  const t2 = performance.now();
  queue.process(c, async () => {});
  await all;
  const t3 = performance.now();
  const s2 = await sample();
  await queue.close();
  await deletePrefix(prefix);
  return {
    system: 'bee-queue',
    concurrency: c,
    addMs: t1 - t0,
    processMs: t3 - t2,
    rate: N / ((t3 - t2) / 1000),
    add: cost(s0, s1, N),
    process: cost(s1b, s2, N),
  };
}

// ---------- 2: punctuality ----------

interface Punctuality {
  system: string;
  p50: number;
  p99: number;
  max: number;
  early: number;
}

function summarize(system: string, values: number[]): Punctuality {
  return {
    system,
    p50: pct(values, 50),
    p99: pct(values, 99),
    max: Math.max(...values),
    early: values.filter((v) => v < 0).length,
  };
}

async function oursPunctuality(url: string): Promise<Punctuality> {
  const o = ours(url);
  lateness.length = 0;
  const base = Date.now() + 2000;
  const sched = o.scheduler(10);
  void sched.run();
  await enqueueChunks(o.client, (i) => new Punctual(base + i * 5, { params: { due: base + i * 5 } }), PUNCTUAL_TASKS);
  while (lateness.length < PUNCTUAL_TASKS) await new Promise((r) => setTimeout(r, 100));
  await sched.stop();
  await o.close();
  return summarize('@indico/scheduler', lateness);
}

async function bullPunctuality(url: string): Promise<Punctuality> {
  const { port } = new URL(url);
  const connection = { host: '127.0.0.1', port: Number(port) };
  const name = `punct-${randomBytes(4).toString('hex')}`;
  const prefix = `bull:${name}`;
  const queue = new Queue(name, { connection, prefix });
  const late: number[] = [];
  const worker = new Worker(
    name,
    async (job) => {
      late.push(Date.now() - (job.data as { due: number }).due);
    },
    { connection, prefix, concurrency: 10 },
  );
  await worker.waitUntilReady();
  const base = Date.now() + 2000;
  for (let i = 0; i < PUNCTUAL_TASKS; i += 1000) {
    const now = Date.now();
    const jobs = [];
    for (let j = i; j < Math.min(PUNCTUAL_TASKS, i + 1000); j++) {
      const due = base + j * 5;
      jobs.push({ name: 'p', data: { due }, opts: { delay: due - now } });
    }
    await queue.addBulk(jobs);
  }
  while (late.length < PUNCTUAL_TASKS) await new Promise((r) => setTimeout(r, 100));
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await deletePrefix(prefix);
  return summarize('BullMQ', late);
}

// ---------- 4: periodic precision ----------

interface Periodic {
  system: string;
  p50: number;
  p95: number;
  missing: number;
  duplicates: number;
  driftMs: number;
}

function periodicStats(system: string, runs: Array<{ slot: number; at: number }>, first: number): Periodic {
  const inWindow = runs.filter((r) => r.slot >= first && r.slot < first + PERIODIC_SECONDS * 1000);
  const bySlot = new Map<number, number>();
  for (const r of inWindow) {
    const k = Math.round((r.slot - first) / 1000);
    bySlot.set(k, (bySlot.get(k) ?? 0) + 1);
  }
  let missing = 0;
  let duplicates = 0;
  for (let k = 0; k < PERIODIC_SECONDS; k++) {
    const n = bySlot.get(k) ?? 0;
    if (n === 0) missing++;
    if (n > 1) duplicates += n - 1;
  }
  // drift: start time of the last run vs the first, compared with the nominal grid
  const sorted = [...inWindow].sort((a, b) => a.at - b.at);
  const drift =
    sorted.length > 1
      ? sorted[sorted.length - 1]!.at - sorted[0]!.at - (sorted[sorted.length - 1]!.slot - sorted[0]!.slot)
      : Number.NaN;
  const late = inWindow.map((r) => r.at - r.slot);
  return { system, p50: pct(late, 50), p95: pct(late, 95), missing, duplicates, driftMs: drift };
}

async function periodicBoth(url: string): Promise<Periodic[]> {
  const first = Math.ceil(Date.now() / 1000) * 1000 + 3000;
  // ours
  const o = ours(url);
  periodicRuns.length = 0;
  const sched = o.scheduler(10);
  void sched.run();
  await o.client.enqueue(new Every('SECONDLY', { dtstart: first }));
  // BullMQ
  const { port } = new URL(url);
  const connection = { host: '127.0.0.1', port: Number(port) };
  const name = `every-${randomBytes(4).toString('hex')}`;
  const prefix = `bull:${name}`;
  const queue = new Queue(name, { connection, prefix });
  const bullRuns: Array<{ slot: number; at: number }> = [];
  const worker = new Worker(
    name,
    async (job) => {
      // the instant the job scheduler planned this iteration for: creation time + the delay it was created with
      // (job.delay is reset to 0 once the job is promoted; the id carries the previous slot)
      const slot = job.timestamp + (job.opts.delay ?? 0);
      bullRuns.push({ slot, at: Date.now() });
    },
    { connection, prefix, concurrency: 10 },
  );
  await worker.waitUntilReady();
  await queue.upsertJobScheduler('tick', { every: 1000, startDate: first }, { name: 'tick' });
  const end = first + PERIODIC_SECONDS * 1000 + 1500;
  while (Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  await sched.stop();
  await o.close();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await deletePrefix(prefix);
  return [periodicStats('@indico/scheduler', periodicRuns, first), periodicStats('BullMQ', bullRuns, first)];
}

// ---------- 5: memory ----------

async function memoryOurs(url: string): Promise<number> {
  const o = ours(url);
  const later = Date.now() + 3_600_000;
  const m0 = (await sample()).memory;
  await enqueueChunks(o.client, () => new Noop(later), MEMORY_TASKS);
  for (;;) {
    const out = await o.store.step({ now: Date.now(), owner: 'bench', results: [], claim: 0, spool: 10_000 });
    if (!out.spoolPending) break;
  }
  const m1 = (await sample()).memory;
  const waiting = (await o.client.getStatus()).waiting;
  if (waiting !== MEMORY_TASKS) throw new Error(`ours: ${waiting} waiting`);
  await o.close();
  return m1 - m0;
}

async function memoryBull(url: string): Promise<number> {
  const { port } = new URL(url);
  const connection = { host: '127.0.0.1', port: Number(port) };
  const name = `mem-${randomBytes(4).toString('hex')}`;
  const prefix = `bull:${name}`;
  const queue = new Queue(name, { connection, prefix });
  await queue.waitUntilReady();
  const m0 = (await sample()).memory;
  for (let i = 0; i < MEMORY_TASKS; i += 1000) {
    const jobs = [];
    for (let j = i; j < Math.min(MEMORY_TASKS, i + 1000); j++) jobs.push({ name: 'noop', data: null });
    await queue.addBulk(jobs);
  }
  const m1 = (await sample()).memory;
  await queue.obliterate({ force: true });
  await queue.close();
  await deletePrefix(prefix);
  return m1 - m0;
}

async function memoryBee(url: string): Promise<number> {
  const { port } = new URL(url);
  const prefix = `bqm-${randomBytes(4).toString('hex')}`;
  const queue = new BeeQueue('mem', {
    redis: { host: '127.0.0.1', port: Number(port) },
    prefix,
    isWorker: false,
    getEvents: false,
    sendEvents: false,
  });
  await queue.ready();
  const m0 = (await sample()).memory;
  for (let i = 0; i < MEMORY_TASKS; i += 1000) {
    const jobs = [];
    for (let j = i; j < Math.min(MEMORY_TASKS, i + 1000); j++) jobs.push(queue.createJob(null));
    await queue.saveAll(jobs);
  }
  const m1 = (await sample()).memory;
  await queue.close();
  await deletePrefix(prefix);
  return m1 - m0;
}

// ---------- report ----------

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}x` : 'n/a');

async function main() {
  const started = Date.now();
  const server = await startRedis();
  admin = new Redis(server.url);
  const hz = (await admin.config('GET', 'hz')) as unknown as string[];
  const lines: string[] = [];
  const log = (s = '') => {
    lines.push(s);
    process.stdout.write(`${s}\n`);
  };
  log('# @indico/scheduler benchmark');
  log();
  log(
    `Node ${process.version}, ${os.cpus().length} cores (shared with other jobs), Redis ${parseInfo(await admin.info('server')).redis_version} ` +
      `private instance, default settings (hz ${hz[1] ?? '?'}). ${N.toLocaleString('en-US')} tasks per throughput run, best of ${ROUNDS} interleaved rounds. ` +
      `Ours keeps every finished task in its history; BullMQ keeps completed jobs (default); bee-queue removes them (removeOnSuccess).`,
  );
  log();

  const tp: Throughput[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of CONCURRENCIES) {
      for (const run of THROUGHPUT_ONLY
        ? [oursThroughput, oursNoPrefetch, bullThroughput]
        : [oursThroughput, oursNoPrefetch, bullThroughput, beeThroughput]) {
        gc();
        const r = await run(server.url, c);
        process.stderr.write(`  round ${round + 1} ${r.system} c=${c}: ${f0(r.rate)}/s\n`);
        const i = tp.findIndex((t) => t.system === r.system && t.concurrency === c);
        if (i < 0) tp.push(r);
        else if (r.rate > tp[i]!.rate) tp[i] = r;
      }
    }
  }
  if (THROUGHPUT_ONLY) {
    for (const c of CONCURRENCIES) {
      const [a, b, z] = ['@indico/scheduler', 'BullMQ', NO_PREFETCH].map(
        (s) => tp.find((t) => t.system === s && t.concurrency === c)!,
      );
      const cpu = (t: Throughput) => `Redis CPU/task: add ${f1(t.add.cpuUs)} µs, process ${f1(t.process.cpuUs)} µs`;
      process.stderr.write(
        `c=${c}: ours ${f0(a!.rate)}/s (${cpu(a!)}), BullMQ ${f0(b!.rate)}/s (${cpu(b!)}), ratio ${ratio(a!.rate, b!.rate)}; prefetch 0: ${f0(z!.rate)}/s, ${ratio(z!.rate, b!.rate)}\n`,
      );
    }
    await admin.quit();
    await server.stop();
    return;
  }
  log('## 1. Throughput (process N due one-shot no-op tasks with one daemon / worker)');
  log();
  log(
    '| concurrency | @indico/scheduler tasks/s | BullMQ jobs/s | bee-queue jobs/s | ours / BullMQ | ours / bee-queue | ours with prefetch 0: tasks/s, / BullMQ | enqueue ms (ours / BullMQ / bee) |',
  );
  log('|---|---|---|---|---|---|---|---|');
  for (const c of CONCURRENCIES) {
    const [a, b, q, z] = ['@indico/scheduler', 'BullMQ', 'bee-queue', NO_PREFETCH].map((s) =>
      tp.find((t) => t.system === s && t.concurrency === c),
    ) as Throughput[];
    log(
      `| ${c} | ${f0(a!.rate)} | ${f0(b!.rate)} | ${f0(q!.rate)} | ${ratio(a!.rate, b!.rate)} | ${ratio(a!.rate, q!.rate)} | ${f0(z!.rate)}, ${ratio(z!.rate, b!.rate)} | ${f0(a!.addMs)} / ${f0(b!.addMs)} / ${f0(q!.addMs)} |`,
    );
  }
  log();
  log(
    '## 3. Redis cost per task (INFO deltas: round trips = total_reads_processed, commands incl. those run inside Lua, CPU = used_cpu_user+sys)',
  );
  log();
  log(
    '| system | concurrency | add: round trips / commands / CPU µs | process: round trips / commands / CPU µs | total CPU µs | CPU vs BullMQ |',
  );
  log('|---|---|---|---|---|---|');
  for (const t of tp) {
    const bull = tp.find((x) => x.system === 'BullMQ' && x.concurrency === t.concurrency)!;
    const total = t.add.cpuUs + t.process.cpuUs;
    log(
      `| ${t.system} | ${t.concurrency} | ${f2(t.add.roundTrips)} / ${f1(t.add.commands)} / ${f1(t.add.cpuUs)} | ${f2(t.process.roundTrips)} / ${f1(t.process.commands)} / ${f1(t.process.cpuUs)} | ${f1(total)} | ${ratio(total, bull.add.cpuUs + bull.process.cpuUs)} |`,
    );
  }
  log();

  gc();
  const punct = [await oursPunctuality(server.url), await bullPunctuality(server.url)];
  log(`## 2. Punctuality (${PUNCTUAL_TASKS} tasks due at distinct instants over 10 s, concurrency 10)`);
  log();
  log('| system | p50 ms | p99 ms | max ms | early runs |');
  log('|---|---|---|---|---|');
  for (const p of punct) log(`| ${p.system} | ${f1(p.p50)} | ${f1(p.p99)} | ${f1(p.max)} | ${p.early} |`);
  log(`| ratio p99 (ours / BullMQ) | | ${ratio(punct[0]!.p99, punct[1]!.p99)} | | |`);
  log();

  gc();
  const per = await periodicBoth(server.url);
  log(`## 4. Periodic precision (every second for ${PERIODIC_SECONDS} s; both running at the same time)`);
  log();
  log('| system | lateness p50 ms | p95 ms | missing slots | duplicate slots | drift ms |');
  log('|---|---|---|---|---|---|');
  for (const p of per)
    log(`| ${p.system} | ${f1(p.p50)} | ${f1(p.p95)} | ${p.missing} | ${p.duplicates} | ${f1(p.driftMs)} |`);
  log();

  gc();
  const mem = {
    ours: await memoryOurs(server.url),
    bull: await memoryBull(server.url),
    bee: await memoryBee(server.url),
  };
  const per100k = (b: number) =>
    `${(((b / MEMORY_TASKS) * 100_000) / 1048576).toFixed(1)} MB (${f0(b / MEMORY_TASKS)} B/task)`;
  log(`## 5. Redis memory per 100,000 waiting tasks`);
  log();
  log('| @indico/scheduler | BullMQ | bee-queue | ours / BullMQ |');
  log('|---|---|---|---|');
  log(`| ${per100k(mem.ours)} | ${per100k(mem.bull)} | ${per100k(mem.bee)} | ${ratio(mem.ours, mem.bull)} |`);
  log();
  log(`Total bench time ${((Date.now() - started) / 1000).toFixed(0)} s.`);

  admin.disconnect();
  await server.stop();
  const here = path.dirname(fileURLToPath(import.meta.url));
  writeFileSync(path.join(here, 'RESULTS.md'), `${lines.join('\n')}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
