import { createTestRedis, hasRedis, redisUrl, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/runtime.js';
import { schedulerCommand } from '../src/subcommands.js';
import { LiveSyncRunTask } from '../src/tasks.js';
import { silent, testConfig } from './helpers.js';

// Issue 9: `indico-server scheduler ...` calls @indico/scheduler's exported CLI function in this process.
describe.skipIf(!hasRedis())('indico-server scheduler subcommands (in-process)', () => {
  let r: TestRedis;
  afterEach(async () => {
    await r.cleanup();
  });

  it('runs `show status` and `check` in this process, on the server’s Redis prefix', async () => {
    r = createTestRedis();
    const config = testConfig({ REDIS_URL: redisUrl(), REDIS_PREFIX: r.prefix.replace(/:$/, '') });
    // a waiting task under this prefix, so the status has something to count
    const rt = createRuntime(config, { logger: silent, redis: r.client });
    await rt.client.enqueue(new LiveSyncRunTask(Date.now() + 3_600_000));
    const status = await rt.client.getStatus();
    // (no daemon: the task waits in the spool)
    expect(status.spooled).toBe(1);
    await rt.close();

    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await schedulerCommand(['show', 'status'], config, io)).toBe(0);
    const text = out.join('\n');
    // the lines arrive through `io`, not a child's stdout: the command ran here
    expect(text).toContain('Spooled commands: 1');
    expect(text).toMatch(/Failed: \d+/);
    // no daemon under this prefix: check exits 1
    out.length = 0;
    expect(await schedulerCommand(['check'], config, io)).toBe(1);
    expect(await schedulerCommand(['no-such-command'], config, io)).toBe(255);
    expect(err.join('\n')).toContain('unknown command no-such-command');
  });
});
