import { Redis } from 'ioredis';
import { type CliIO, runCli, USAGE } from './cli-main.js';
import { createRedisTrackStore } from './stores/redis.js';
import { SyncManager } from './sync-manager.js';

export { type CliIO, runCli, USAGE } from './cli-main.js';

/** What `main` reads and writes instead of the process's own environment and streams. */
export interface CliMainIO extends CliIO {
  /** `REDIS_URL` (required), `LIVESYNC_PREFIX`, `LIVESYNC_HASH_TAG`, `LIVESYNC_GRANULARITY`. */
  env: Record<string, string | undefined>;
}

/**
 * The `indico-livesync` command: opens its own Redis connection from `io.env`, runs `argv` (without the
 * program name) and closes the connection. Resolves with the exit code (0 ok, 1 failure, 2 usage); every line
 * goes through `io`. Importing this module runs nothing: the bin is a separate file.
 */
export async function main(argv: readonly string[], io: CliMainIO): Promise<number> {
  const args = [...argv];
  const url = io.env.REDIS_URL;
  if (!url) {
    if (args.includes('-h') || args.includes('--help')) {
      io.out(USAGE);
      return 0;
    }
    io.err('indico-livesync: REDIS_URL is not set');
    return 2;
  }
  const granularity = Number(io.env.LIVESYNC_GRANULARITY ?? 100);
  const redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
  // ioredis reports why a connection failed only in 'error' events ("Connection is closed" otherwise)
  let connectionError: unknown = null;
  redis.on('error', (e: unknown) => {
    connectionError = e;
  });
  try {
    await redis.connect();
    const manager = new SyncManager({
      store: createRedisTrackStore({
        redis,
        prefix: io.env.LIVESYNC_PREFIX ?? 'indico:',
        hashTag: io.env.LIVESYNC_HASH_TAG || undefined,
      }),
      granularity,
    });
    return await runCli(args, manager, io);
  } catch (err) {
    io.err(`indico-livesync: ${String(connectionError ?? err)}`);
    return 1;
  } finally {
    redis.disconnect();
  }
}
