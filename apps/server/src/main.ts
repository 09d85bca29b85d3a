import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type ApiKeyRecord, buildIndicoRequest } from '@indico/http-signing';
import { type Logger, pino } from 'pino';
import { exportCatalog, ImportError, importCatalog, objectRefs, parseDump } from './catalog-io.js';
import { ConfigError, filesDir, loadConfig, type ServerConfig } from './config.js';
import { hasData, loadDemoData } from './demo-data.js';
import { createLogger } from './logger.js';
import { currentMasterUrl } from './redis-connection.js';
import { createRuntime, type Runtime } from './runtime.js';
import { startServer, startTaskRunner } from './server.js';
import { livesyncCommand, schedulerCommand } from './subcommands.js';

const usage = `Usage: indico-server <command> [options]

Commands:
  start                         serve HTTP on $HOST:$PORT (default 127.0.0.1:8000); without REDIS_URL:
                                in-memory stores, demo data and the scheduler in this process
  scheduler                     run the scheduler daemon in the foreground (needs REDIS_URL)
  scheduler <args...>           the indico-scheduler CLI (show status, show spool, check, stop, run ID, ...)
  livesync <args...>            the indico-livesync CLI (list, agent list, agent run, trim, ...)
  seed [--force]                load the demo data into Redis (only into an empty catalog unless --force)
  import FILE.json              load categories, events, contributions, sessions, breaks and users
  export FILE.json              write them (use - for stdout)
  objects                       every event and contribution as JSON lines {"kind","id"}, the input of
                                'livesync agent export ID' (full export when activating an agent)
  apikey create --user ID [--persistent] [--json]
  apikey list [--json]
  apikey block|unblock|regenerate (KEY | --user ID) [--json]
  dashboard-url --user ID       print a signed link that opens the dashboard (valid SIGNATURE_TTL seconds)
  help                          show this text

Configuration comes from environment variables (see apps/server/README.md).`;

class UsageError extends Error {}

/** CLI commands log to stderr so that stdout carries only their output. */
function cliLogger(config: ServerConfig): Logger {
  return pino({ level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL }, pino.destination(2));
}

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>, needsRedis = true): Promise<T> {
  const config = loadConfig();
  if (needsRedis && !config.REDIS_URL) {
    throw new UsageError('this command works on the shared stores: set REDIS_URL (embedded mode keeps nothing)');
  }
  const rt = createRuntime(config, { logger: cliLogger(config) });
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

function onSignals(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}

async function start(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const running = await startServer(config, { logger });
  onSignals(async (signal) => {
    logger.info({ signal }, 'shutting down');
    const hard = setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 5_000);
    hard.unref();
    await running.close();
    logger.info('stopped');
  });
}

async function schedulerDaemon(): Promise<void> {
  const config = loadConfig();
  if (!config.REDIS_URL)
    throw new UsageError('the scheduler daemon needs REDIS_URL (embedded mode runs it inside `start`)');
  const logger = createLogger(config.LOG_LEVEL);
  const rt = createRuntime(config, { logger });
  const scheduler = await startTaskRunner(rt);
  logger.info({ pid: process.pid }, 'scheduler daemon started');
  onSignals(async (signal) => {
    logger.info({ signal }, 'scheduler daemon stopping');
    await scheduler.stop(`signal ${signal}`);
    await rt.close();
  });
}

function keyView(r: ApiKeyRecord) {
  return {
    ak: r.key,
    user: r.userId,
    blocked: r.blocked,
    persistent: r.persistentAllowed,
    created: new Date(r.createdAt).toISOString(),
    uses: r.useCount,
    lastUsed: r.lastUse ? new Date(r.lastUse.at).toISOString() : null,
  };
}

async function apikey(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { user: { type: 'string' }, persistent: { type: 'boolean' }, json: { type: 'boolean' } },
    allowPositionals: true,
  });
  const [action, keyArg] = positionals;
  return withRuntime(async (rt) => {
    const out = (text: string) => process.stdout.write(`${text}\n`);
    if (action === 'create') {
      if (!values.user) throw new UsageError('apikey create needs --user ID');
      if (!(await rt.catalog.getUser(values.user))) {
        process.stderr.write(
          `warning: user ${values.user} is not in the catalog; the key works, its requests see public data\n`,
        );
      }
      const r = await rt.keyStore.create(values.user, { persistentAllowed: values.persistent === true });
      if (values.json) out(JSON.stringify({ ak: r.key, secret: r.secret }));
      else
        out(
          `API key for user ${r.userId}\n  ak:     ${r.key}\n  secret: ${r.secret}\n(the secret is shown once; keep it safe)`,
        );
      return 0;
    }
    if (action === 'list') {
      const keys = await rt.keys.list();
      if (values.json) out(JSON.stringify(keys.map(keyView)));
      else if (keys.length === 0) out('no API keys');
      else
        for (const k of keys.map(keyView))
          out(`${k.ak}  user=${k.user}  ${k.blocked ? 'BLOCKED' : 'ok'}  uses=${k.uses}  last=${k.lastUsed ?? '-'}`);
      return 0;
    }
    if (action === 'block' || action === 'unblock' || action === 'regenerate') {
      let key = keyArg;
      if (!key && values.user) key = (await rt.keyStore.getByUser(values.user))?.key;
      if (!key) throw new UsageError(`apikey ${action} needs a KEY or --user ID (with a key)`);
      const r =
        action === 'regenerate'
          ? await rt.keyStore.regenerate(key)
          : await rt.keyStore.setBlocked(key, action === 'block');
      if (values.json) out(JSON.stringify(action === 'regenerate' ? { ak: r.key, secret: r.secret } : keyView(r)));
      else if (action === 'regenerate') out(`new key for user ${r.userId}\n  ak:     ${r.key}\n  secret: ${r.secret}`);
      else out(`${r.key} ${r.blocked ? 'blocked' : 'unblocked'}`);
      return 0;
    }
    throw new UsageError(`unknown apikey action ${action ?? '(none)'}`);
  });
}

async function dashboardUrl(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { user: { type: 'string' } } });
  if (!values.user) throw new UsageError('dashboard-url needs --user ID');
  const user = values.user;
  return withRuntime(async (rt) => {
    const key = await rt.keyStore.getByUser(user);
    if (!key) throw new UsageError(`user ${user} has no API key (indico-server apikey create --user ${user})`);
    const base = rt.config.BASE_URL ?? `http://${rt.config.HOST}:${rt.config.PORT}`;
    const url = buildIndicoRequest('/dashboard', {}, { apiKey: key.key, secretKey: key.secret });
    process.stdout.write(`${base.replace(/\/$/, '')}${url}\n`);
    return 0;
  });
}

async function seed(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { force: { type: 'boolean' } } });
  return withRuntime(async (rt) => {
    if (!values.force && (await hasData(rt.catalog))) {
      process.stderr.write('the catalog already has data; nothing loaded (use --force to load the demo data anyway)\n');
      return 0;
    }
    await loadDemoData(rt.catalog, {
      generated: rt.config.DEMO_EVENTS,
      now: rt.clock.now(),
      filesDir: filesDir(rt.config),
    });
    process.stdout.write(`demo data loaded (seed examples + ${rt.config.DEMO_EVENTS} generated events)\n`);
    return 0;
  });
}

async function importExport(command: 'import' | 'export', file: string | undefined): Promise<number> {
  if (!file) throw new UsageError(`${command} needs a FILE.json`);
  return withRuntime(async (rt) => {
    if (command === 'export') {
      const userIds = (await rt.keys.list()).map((k) => k.userId);
      const dump = await exportCatalog(rt.catalog, { userIds });
      const text = `${JSON.stringify(dump, null, 1)}\n`;
      if (file === '-') process.stdout.write(text);
      else writeFileSync(file, text);
      process.stderr.write(
        `exported ${dump.categories.length} categories, ${dump.events.length} events, ${dump.users.length} users\n`,
      );
      return 0;
    }
    const counts = await importCatalog(rt.writer, parseDump(readFileSync(file === '-' ? 0 : file, 'utf8')));
    process.stdout.write(
      `imported ${Object.entries(counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}\n`,
    );
    return 0;
  });
}

async function delegated(pkg: '@indico/scheduler' | '@indico/livesync', argv: string[]): Promise<number> {
  const config = loadConfig();
  if (!config.REDIS_URL) throw new UsageError(`${pkg} commands need REDIS_URL`);
  // The package CLIs take one address: a sentinel URL becomes the current master's (right until a failover).
  const resolved = { ...config, REDIS_URL: await currentMasterUrl(config.REDIS_URL) };
  if (pkg === '@indico/livesync') return livesyncCommand(argv, resolved);
  return schedulerCommand(argv, resolved, {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
}

/** Runs one command; resolves with an exit code, or undefined for the long-running ones. */
export async function main(argv: string[]): Promise<number | undefined> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'start':
      await start();
      return undefined;
    case 'scheduler':
      if (rest.length === 0 || rest[0] === 'daemon') {
        await schedulerDaemon();
        return undefined;
      }
      return delegated('@indico/scheduler', rest);
    case 'livesync':
      return delegated('@indico/livesync', rest);
    case 'seed':
      return seed(rest);
    case 'import':
    case 'export':
      return importExport(command, rest[0]);
    case 'objects':
      return withRuntime(async (rt) => {
        for await (const ref of objectRefs(rt.catalog)) process.stdout.write(`${JSON.stringify(ref)}\n`);
        return 0;
      });
    case 'apikey':
      return apikey(rest);
    case 'dashboard-url':
      return dashboardUrl(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${usage}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else if (err instanceof UsageError) process.stderr.write(`${err.message}\n\n${usage}\n`);
    else if (err instanceof ImportError) process.stderr.write(`import failed: ${err.message}\n`);
    else process.stderr.write(`${(err as Error)?.message ?? String(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
