import { type ChildProcess, fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createTestRedis, hasRedis, redisUrl, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { Client, Scheduler, TaskStatus } from '../src/index.js';
import { createRedisStore } from '../src/redis.js';
import { CrashProbe, probeRegistry } from './fixtures/probe.js';

const daemonScript = fileURLToPath(new URL('./fixtures/daemon.ts', import.meta.url));

/** Waits for a condition checked every 50 ms (no fixed sleeps), failing after `timeoutMs`. */
async function until(check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startDaemon(r: TestRedis, env: Record<string, string>): ChildProcess {
  return fork(daemonScript, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, REDIS_URL: redisUrl(), PREFIX: r.prefix, RAN_KEY: r.key('ran'), ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe.skipIf(!hasRedis())('daemon processes against one Redis', () => {
  const children: ChildProcess[] = [];
  let r: TestRedis | null = null;
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await exited(c);
    }
    await r?.cleanup();
  });

  it('recovers the running tasks of a daemon killed with SIGKILL and completes them (at-least-once)', async () => {
    // spec: scheduler §1.13, §1.21 scenario 18 — kill -9 mid-task, restart, every stranded task runs again.
    r = createTestRedis();
    const store = createRedisStore({ redis: r.client, prefix: r.prefix });
    const client = new Client({ store, registry: probeRegistry });
    for (let n = 0; n < 3; n++) await client.enqueue(new CrashProbe(Date.now(), { params: { n } }));

    const child = startDaemon(r, { BLOCK: '1', LEASE: '600000' });
    children.push(child);
    const started = new Set<number>();
    child.on('message', (m: { started?: number }) => {
      if (typeof m.started === 'number') started.add(m.started);
    });
    await until(() => started.size === 3);
    expect((await client.getStatus()).running).toBe(3);

    child.kill('SIGKILL');
    await exited(child);
    expect((await client.getStatus()).running).toBe(3); // stranded: nobody finished them

    // Restart on the same host: the dead pid is noticed at once (no need to wait for the 10 min lease).
    const sched = new Scheduler({
      store,
      registry: probeRegistry,
      services: { redis: r.client, ranKey: r.key('ran'), block: false },
      sleepInterval: 100,
      hostname: os.hostname(),
    });
    const finished: number[] = [];
    sched.on('task:finished', (e) => finished.push(e.taskId));
    void sched.run();
    await until(() => finished.length === 3);
    await sched.close();

    const status = await client.getStatus();
    expect(status).toMatchObject({ running: 0, waiting: 0, finished: 3, failed: 0 });
    for (const id of [0, 1, 2]) {
      const task = await client.getTask(id);
      expect(task.status).toBe(TaskStatus.FINISHED);
      expect(task.runs).toBe(2);
    }
    const ran = await r.client.lrange(r.key('ran'), 0, -1);
    const byTask = (id: number) => ran.filter((x) => x.startsWith(`${id}:`));
    for (const id of [0, 1, 2]) {
      expect(byTask(id)).toHaveLength(2);
      expect(byTask(id)[0]).toBe(`${id}:${child.pid}`);
    }
  }, 60_000);

  it('runs every task exactly once with two daemons sharing one Redis', async () => {
    // spec: issue "Several daemons against one Redis are safe: each due task runs once (leases)"
    r = createTestRedis();
    const store = createRedisStore({ redis: r.client, prefix: r.prefix });
    const client = new Client({ store, registry: probeRegistry });
    const a = startDaemon(r, { CONCURRENCY: '4' });
    const b = startDaemon(r, { CONCURRENCY: '4' });
    children.push(a, b);
    const ready = (c: ChildProcess) =>
      new Promise<void>((res) => c.on('message', (m: { ready?: boolean }) => m.ready && res()));
    await Promise.all([ready(a), ready(b)]);
    const now = Date.now();
    const total = 300;
    const tasks = Array.from({ length: total }, (_, n) => new CrashProbe(now + (n % 10) * 100, { params: { n } }));
    await client.enqueueMany(tasks);
    await until(async () => (await client.getStatus()).finished === total);

    const ran = await r.client.lrange(r.key('ran'), 0, -1);
    const ids = ran.map((x) => Number(x.split(':')[0]));
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    const pids = new Set(ran.map((x) => Number(x.split(':')[1])));
    expect(pids).toEqual(new Set([a.pid, b.pid]));

    await client.shutdown('test over');
    await client.shutdown('test over');
    await Promise.all([exited(a), exited(b)]);
    expect((await client.getStatus()).state).toBe(false);
  }, 60_000);
});
