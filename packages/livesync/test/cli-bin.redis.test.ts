import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { main } from '@indico/livesync/cli';
import { createTestRedis, hasRedis, redisUrl, type TestRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncManager } from '../src/index.js';
import { createRedisTrackStore } from '../src/redis.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

describe.skipIf(!hasRedis())('indico-livesync bin over Redis', () => {
  let r: TestRedis | undefined;
  afterEach(() => r?.cleanup());

  const cli = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
    try {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', '--conditions=@indico/source', path.join(here, '../src/bin.ts'), ...args],
        { cwd: root, env: { ...process.env, ...env } },
      );
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('reads REDIS_URL and LIVESYNC_PREFIX, and shares state with a SyncManager on the same keys', async () => {
    r = createTestRedis();
    const env = { REDIS_URL: redisUrl(), LIVESYNC_PREFIX: r.prefix };
    expect((await cli(env, 'agent', 'add', 'h', '--type', 'http', '--url', 'http://127.0.0.1:9/in')).code).toBe(0);
    const manager = new SyncManager({ store: createRedisTrackStore({ redis: r.client, prefix: r.prefix }) });
    expect([...(await manager.getAllAgents()).keys()]).toEqual(['h']);
    // spec §2.15 scenario 1: epoch 1297082086 lands in bucket 12970820 and `list` prints it first
    await manager.add(1297082086 * 1000, { ref: { kind: 'event', id: '5' }, changes: 'created' });
    const listed = await cli(env, 'list');
    expect(listed.stdout).toMatch(/^12970820 <event 5> \[created\] /);
  }, 20_000);

  it('refuses to start without REDIS_URL', async () => {
    const res = await cli({ REDIS_URL: '' }, 'list');
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/REDIS_URL/);
  }, 20_000);
});

// The `./cli` subpath: the same command as a function, for a host process (indico-server livesync ...).
describe.skipIf(!hasRedis())('@indico/livesync/cli main()', () => {
  let r: TestRedis | undefined;
  afterEach(() => r?.cleanup());

  it('runs a command on the Redis of io.env, with the prefix and hash tag given there, output through io', async () => {
    r = createTestRedis();
    const store = createRedisTrackStore({ redis: r.client, prefix: r.prefix, hashTag: 'other' });
    const manager = new SyncManager({ store });
    await manager.add(1297082086 * 1000, { ref: { kind: 'event', id: '5' }, changes: 'created' });
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const env = { REDIS_URL: redisUrl(), LIVESYNC_PREFIX: r.prefix, LIVESYNC_HASH_TAG: 'other' };
    expect(await main(['list'], { env, ...io })).toBe(0);
    expect(out).toEqual([expect.stringMatching(/^12970820 <event 5> \[created\] /)]);
    // the default hash tag is another track: empty
    out.length = 0;
    expect(await main(['list'], { env: { ...env, LIVESYNC_HASH_TAG: undefined }, ...io })).toBe(0);
    expect(out).toEqual([]);
    expect(await main(['bogus'], { env, ...io })).toBe(2);
    expect(err[0]).toBe("indico-livesync: unknown command 'bogus'");
  });

  it('answers usage without REDIS_URL for --help, 2 otherwise, and 1 when Redis is unreachable', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await main(['--help'], { env: {}, ...io })).toBe(0);
    expect(out[0]).toMatch(/^usage: indico-livesync/);
    expect(await main(['list'], { env: {}, ...io })).toBe(2);
    expect(err.at(-1)).toBe('indico-livesync: REDIS_URL is not set');
    expect(await main(['list'], { env: { REDIS_URL: 'redis://127.0.0.1:1' }, ...io })).toBe(1);
    expect(err.at(-1)).toMatch(/ECONNREFUSED/);
  });
});
