import { Redis } from 'ioredis';
import { runCli, USAGE } from './cli-main.js';
import { createRedisTrackStore } from './stores/redis.js';
import { SyncManager } from './sync-manager.js';

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const url = process.env.REDIS_URL;
  if (!url) {
    if (argv.includes('-h') || argv.includes('--help')) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stderr.write('indico-livesync: REDIS_URL is not set\n');
    return 2;
  }
  const granularity = Number(process.env.LIVESYNC_GRANULARITY ?? 100);
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const manager = new SyncManager({
      store: createRedisTrackStore({
        redis,
        prefix: process.env.LIVESYNC_PREFIX ?? 'indico:',
        hashTag: process.env.LIVESYNC_HASH_TAG || undefined,
      }),
      granularity,
    });
    return await runCli(argv, manager, {
      out: (l) => process.stdout.write(`${l}\n`),
      err: (l) => process.stderr.write(`${l}\n`),
      stdin: process.stdin,
    });
  } finally {
    redis.disconnect();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`indico-livesync: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
