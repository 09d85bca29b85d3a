import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createTestRedis, hasRedis, redisUrl, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/runtime.js';
import { livesyncCommand, schedulerCommand } from '../src/subcommands.js';
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

// `indico-server livesync ...` calls @indico/livesync's exported CLI function (`@indico/livesync/cli`) here.
describe.skipIf(!hasRedis())('indico-server livesync subcommands (in-process)', () => {
  let r: TestRedis;
  let dir: string;
  afterEach(async () => {
    await r.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists, adds and exports on the server’s track (prefix and {export} hash tag), output through io', async () => {
    r = createTestRedis();
    dir = mkdtempSync(path.join(os.tmpdir(), 'server-livesync-'));
    const config = testConfig({ REDIS_URL: redisUrl(), REDIS_PREFIX: r.prefix.replace(/:$/, '') });
    // a change recorded by the server itself, as a management write would
    const rt = createRuntime(config, { logger: silent, redis: r.client });
    await rt.livesync.record([{ ref: { kind: 'event', id: 'ev-42', categoryPath: ['0'] }, changes: 'created' }]);
    await rt.close();

    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l), stdin: Readable.from([]) };
    expect(await livesyncCommand(['list'], config, io)).toBe(0);
    // the lines arrive through `io`, not a child's stdout: the command ran here, on the server's keys
    expect(out.join('\n')).toMatch(/<event ev-42> \[created\]/);

    out.length = 0;
    const file = path.join(dir, 'out.jsonl');
    expect(await livesyncCommand(['agent', 'add', 'f', '--type', 'file', '--path', file], config, io)).toBe(0);
    expect(await livesyncCommand(['agent', 'list'], config, io)).toBe(0);
    expect(out.at(-1)).toMatch(/^f\tfile\t/);
    // `agent export` reads the objects from io.stdin
    const objects = Readable.from([`${JSON.stringify({ kind: 'event', id: 'ev-42' })}\n`]);
    expect(await livesyncCommand(['agent', 'export', 'f'], config, { ...io, stdin: objects })).toBe(0);
    expect(out.at(-1)).toMatch(/^livesync: export done/);
    // agents are stored under the server's prefix and hash tag
    expect(await r.client.hkeys(`${r.prefix}{export}:agents`)).toEqual(['f']);

    expect(await livesyncCommand(['no-such-command'], config, io)).toBe(2);
    expect(err.join('\n')).toContain("unknown command 'no-such-command'");
    expect(err.join('\n')).toContain('usage: indico-livesync');
  });

  it('answers 1 with the reason when Redis cannot be reached', async () => {
    r = createTestRedis();
    dir = mkdtempSync(path.join(os.tmpdir(), 'server-livesync-'));
    const config = testConfig({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_PREFIX: 'unreachable' });
    const err: string[] = [];
    expect(await livesyncCommand(['list'], config, { out: () => {}, err: (l) => err.push(l) })).toBe(1);
    expect(err.join('\n')).toMatch(/^indico-livesync: .*ECONNREFUSED/);
  });
});
