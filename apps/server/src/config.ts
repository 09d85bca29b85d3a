import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { redisUrlSchema } from './redis-connection.js';

const boolean = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], {
    message: 'expected one of true/false/yes/no/1/0/on/off',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not an IANA time zone (e.g. Europe/Zurich)' },
);

/** Indico's API modes: the name or the number Indico uses. */
export const apiModes = ['KEY', 'ONLYKEY', 'SIGNED', 'ONLYKEY_SIGNED', 'ALL_SIGNED'] as const;
export type ApiModeName = (typeof apiModes)[number];
const apiMode = z
  .string()
  .transform((v) => (/^[0-4]$/.test(v) ? apiModes[Number(v)] : v.toUpperCase()))
  .pipe(z.enum(apiModes, { message: `expected one of ${apiModes.join(', ')} or 0-4` }));

const agent = z.discriminatedUnion('type', [
  z.object({
    id: z.string().regex(/^[\w.-]{1,64}$/, 'agent id: letters, digits, _ . - (at most 64)'),
    type: z.literal('http'),
    url: z.url(),
    batchSize: z.number().int().min(1).max(10_000).default(1000),
    excludedCategories: z.array(z.string()).default([]),
  }),
  z.object({
    id: z.string().regex(/^[\w.-]{1,64}$/, 'agent id: letters, digits, _ . - (at most 64)'),
    type: z.literal('file'),
    path: z.string().min(1),
    batchSize: z.number().int().min(1).max(10_000).default(1000),
    excludedCategories: z.array(z.string()).default([]),
  }),
]);
export type AgentConfig = z.infer<typeof agent>;

const agents = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'not valid JSON (expected an array of agent objects)' });
      return z.NEVER;
    }
  })
  .pipe(z.array(agent));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Absent: embedded in-memory stores for everything (with demo data). redis://, rediss:// or redis-sentinel://. */
  REDIS_URL: redisUrlSchema.optional(),
  /** Key prefix (hash tag included by each package) for everything this server keeps in Redis. */
  REDIS_PREFIX: z.string().min(1).default('indico'),
  BASE_URL: z.url().optional(),
  API_MODE: apiMode.default('KEY'),
  SIGNATURE_TTL: z.coerce.number().int().min(1).max(86_400).default(600),
  PERSISTENT_SIGNATURES: boolean.default(false),
  REPLAY_PROTECTION: boolean.default(false),
  CACHE_TTL: z.coerce.number().int().min(0).max(86_400).default(600),
  DEFAULT_TIMEZONE: timeZone.default('UTC'),
  LIVESYNC_GRANULARITY: z.coerce.number().int().min(1).max(86_400).default(60),
  LIVESYNC_AGENTS: agents.default([]),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 100kb or 1mb')
    .default('100kb'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** Failed authentications allowed per IP per minute before 429. */
  AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
  DEMO_DATA: boolean.optional(),
  /** Minutes between LiveSyncUpdateTask runs (Indico's default is 15). */
  LIVESYNC_INTERVAL: z.coerce.number().int().min(1).max(1440).default(15),
  /**
   * Minutes between LiveSyncTrimTask runs, which drop the track's buckets every agent has acknowledged (all
   * closed buckets but the last when there is no agent); 0: not scheduled.
   */
  LIVESYNC_TRIM_INTERVAL: z.coerce.number().int().min(0).max(10_080).default(60),
  /** Longest idle wait of the scheduler loop; it also bounds how often the daemon heartbeat is written. */
  SCHEDULER_SLEEP_MS: z.coerce.number().int().min(10).max(600_000).default(5_000),
  /** A daemon not seen for this long is dead: /readyz fails and its running tasks are relaunched. */
  SCHEDULER_LEASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  SCHEDULER_MAX_TRIES: z.coerce.number().int().min(1).max(100).default(5),
  SCHEDULER_RETRY_BACKOFF_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** Finished/failed history kept by the scheduler (days and entries per index). */
  SCHEDULER_HISTORY_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  SCHEDULER_HISTORY_MAX: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** Signs dashboard session cookies; random per process when unset (sessions then end on restart). */
  SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  /**
   * Express `trust proxy`: unset/false (client IP = socket peer), true, a hop count, or a comma-separated list
   * of proxy addresses/subnets. Needed behind a reverse proxy for per-IP limits and HTTPS detection.
   */
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d{1,2}|[\w.:/,\s-]+)$/, 'true, false, a hop count or a list of addresses')
    .transform((v): boolean | number | string =>
      v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v,
    )
    .default(false),
  /**
   * Directory of the stored files served as `.bin` resources (`<event id>/<file name>`); default
   * `<OS temp dir>/indico-server-files`. The demo data writes its example files there.
   */
  FILES_DIR: z.string().min(1, 'a directory path').optional(),
  /** Number of generated demo events besides the seed's examples. */
  DEMO_EVENTS: z.coerce.number().int().min(0).max(100_000).default(60),
});

export type ServerConfig = z.infer<typeof schema>;

/** Where `.bin` files are read from (FILES_DIR, or a directory under the OS temp dir). */
export function filesDir(config: Pick<ServerConfig, 'FILES_DIR'>): string {
  return path.resolve(config.FILES_DIR ?? path.join(tmpdir(), 'indico-server-files'));
}

/** Thrown with one line per offending variable, naming it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; unknown variables are ignored, bad values stop start-up with a message per variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const relevant = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = schema.safeParse(relevant);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => {
    const variable = String(i.path[0]);
    const rest = i.path.length > 1 ? ` at ${i.path.slice(1).join('.')}` : '';
    return `  ${variable}${rest}: ${i.message}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** Every variable the server reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);
