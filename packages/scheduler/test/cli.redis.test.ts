import { fileURLToPath } from 'node:url';
import { createTestRedis, hasRedis, redisUrl, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { Client, TaskStatus } from '../src/index.js';
import { createRedisStore } from '../src/redis.js';
import { registry, WorkerEcho } from './fixtures/worker-module.js';

const moduleFile = fileURLToPath(new URL('./fixtures/worker-module.ts', import.meta.url));

describe.skipIf(!hasRedis())('indico-scheduler CLI', () => {
  let r: TestRedis | null = null;
  afterEach(async () => {
    await r?.cleanup();
  });

  function setup(alive = new Set<number>()) {
    r = createTestRedis();
    const store = createRedisStore({ redis: r.client, prefix: `${r.prefix}indico:` });
    const client = new Client({ store, registry });
    const out: string[] = [];
    const err: string[] = [];
    const cli = (...argv: string[]) =>
      main(argv, {
        env: {
          REDIS_URL: redisUrl(),
          INDICO_SCHEDULER_PREFIX: `${r!.prefix}indico:`,
          INDICO_SCHEDULER_MODULE: moduleFile,
        },
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        hostname: 'cli-host',
        isProcessAlive: (pid) => alive.has(pid),
      });
    return { store, client, out, err, cli };
  }

  it('shows status and spool, and clears the spool', async () => {
    // spec: scheduler §1.18 show status / show spool / cmd clear_spool
    const { client, out, cli } = setup();
    const ref = await client.enqueue(new WorkerEcho(Date.now(), { params: { value: 1 } }));
    await client.shutdown('later');
    expect(await cli('show', 'status')).toBe(0);
    expect(out).toContain('Scheduler is currently NOT running');
    expect(out).toContain('Spooled commands: 2');
    out.length = 0;
    expect(await cli('show', 'spool')).toBe(0);
    expect(out).toEqual([`add [WorkerEcho:${ref}]`, 'shutdown']);
    out.length = 0;
    expect(await cli('cmd', 'clear_spool')).toBe(0);
    expect(out).toEqual(['2 operations removed']);
  });

  it('refuses to start while a daemon is alive unless forced, and check reports pid / dead pid / other host', async () => {
    // spec: scheduler §1.21 scenario 21, §1.18 start / check
    const alive = new Set([111]);
    const { store, client, out, err, cli } = setup(alive);
    await store.touchDaemon({ id: 'd1', hostname: 'cli-host', pid: 111, startedAt: Date.now() }, Date.now());
    expect(await cli('start', '-s')).toBe(1);
    expect(err).toContain('The daemon seems to be already running (consider -f?)');
    expect(await cli('check', '-q')).toBe(0);
    expect(out).toContain('111');
    alive.clear();
    out.length = 0;
    expect(await cli('check', '-q')).toBe(1);
    expect(out).toContain('Marking dead scheduler as not running');
    expect((await client.getStatus()).state).toBe(false);
    await store.touchDaemon({ id: 'd2', hostname: 'elsewhere', pid: 222, startedAt: Date.now() }, Date.now());
    expect(await cli('check', '-q')).toBe(2);
  });

  it('starts in the foreground, stops on `stop`, and `run TASKID` bypasses states', async () => {
    // spec: scheduler §1.18 start -s / stop / run
    const { client, out, cli } = setup();
    const started = cli('start', '-s');
    const deadline = Date.now() + 20_000;
    while (!(await client.getStatus()).state) {
      if (Date.now() > deadline) throw new Error('daemon did not start');
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(await cli('stop')).toBe(0);
    expect(out).toContain('DONE!');
    expect(await started).toBe(0);
    expect((await client.getStatus()).state).toBe(false);

    await client.enqueue(new WorkerEcho(Date.now() + 3_600_000, { params: { value: 2 } }));
    await client.enqueue(new WorkerEcho(Date.now() + 3_600_000, { params: { value: 3 } }));
    const started2 = cli('start', '-s');
    while ((await client.getStatus()).waiting < 2) await new Promise((res) => setTimeout(res, 50));
    await client.shutdown('done');
    expect(await started2).toBe(0);
    out.length = 0;
    expect(await cli('run', '1')).toBe(0);
    expect(out.some((l) => l.includes('echo from worker') && l.includes('"value":3'))).toBe(true);
    expect((await client.getTask(1)).status).toBe(TaskStatus.QUEUED);
  }, 60_000);
});
