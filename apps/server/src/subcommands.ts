import type { ServerConfig } from './config.js';
import { ownModule, runPackageCli } from './delegate.js';
import { TRACK_HASH_TAG } from './runtime.js';

export interface SubcommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** The environment the package CLIs read, derived from this server's configuration. */
export function packageCliEnv(config: ServerConfig): Record<string, string> {
  if (!config.REDIS_URL) throw new TypeError('package CLI commands need REDIS_URL');
  const prefix = `${config.REDIS_PREFIX}:`;
  return {
    REDIS_URL: config.REDIS_URL,
    INDICO_SCHEDULER_PREFIX: prefix,
    INDICO_SCHEDULER_MODULE: ownModule('scheduler-module'),
    LIVESYNC_PREFIX: prefix,
    LIVESYNC_HASH_TAG: TRACK_HASH_TAG,
    LIVESYNC_GRANULARITY: String(config.LIVESYNC_GRANULARITY),
  };
}

/** `start` / `restart` without `-s`: the scheduler CLI forks `process.argv[1]` to run in the background. */
function forksItself(argv: readonly string[]): boolean {
  const command = argv.find((a) => !a.startsWith('-'));
  return (command === 'start' || command === 'restart') && !argv.includes('-s') && !argv.includes('--standalone');
}

/**
 * `indico-server scheduler <args>`: the `main` that @indico/scheduler exports on `@indico/scheduler/cli`,
 * called in this process. Except `start` / `restart` in the background: the package's CLI forks its own
 * entry file (`process.argv[1]`), which here would be indico-server, so those still spawn the package bin.
 */
export async function schedulerCommand(argv: string[], config: ServerConfig, io: SubcommandIo): Promise<number> {
  const env = packageCliEnv(config);
  if (forksItself(argv)) return runPackageCli('@indico/scheduler', argv, env);
  const { main } = await importSchedulerCli();
  const command = argv.find((a) => !a.startsWith('-'));
  try {
    const code = await main(argv, { env: { ...process.env, ...env }, out: io.out, err: io.err });
    return code < 0 ? 255 : code;
  } finally {
    // `start -s` and `run` loaded the task module, which opened its own runtime: close it so the process ends.
    if (command === 'start' || command === 'run') {
      const mod = (await import(env.INDICO_SCHEDULER_MODULE!)) as { close?: () => Promise<void> };
      await mod.close?.();
    }
  }
}

/**
 * The package's cli module runs its own `main(process.argv)` when it believes it is the entry file
 * (`import.meta.url` equal to `process.argv[1]`), which is true once a bundler inlines it into this server's
 * single file. Hiding argv[1] while the module evaluates keeps that from happening.
 */
async function importSchedulerCli(): Promise<typeof import('@indico/scheduler/cli')> {
  const entry = process.argv[1];
  process.argv[1] = '';
  try {
    return await import('@indico/scheduler/cli');
  } finally {
    process.argv[1] = entry!;
  }
}

const stdio: SubcommandIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

/**
 * `indico-server livesync <args>`: the `main` that @indico/livesync exports on `@indico/livesync/cli`, called
 * in this process with this server's Redis URL, prefix, hash tag and granularity (it opens and closes its own
 * connection). Importing that module runs nothing (the package's bin is a separate file). `agent export`
 * without `--input` reads `stdin`.
 */
export async function livesyncCommand(
  argv: string[],
  config: ServerConfig,
  io: SubcommandIo & { stdin?: NodeJS.ReadableStream } = { ...stdio, stdin: process.stdin },
): Promise<number> {
  const env = packageCliEnv(config);
  const { main } = await import('@indico/livesync/cli');
  return main(argv, { env: { ...process.env, ...env }, out: io.out, err: io.err, stdin: io.stdin });
}
