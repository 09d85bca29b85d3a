import { AsyncLocalStorage } from 'node:async_hooks';
import { type Authenticator, createExportHandler, createSigningAuthenticator } from '@indico/export-api';
import { exportApiMiddleware } from '@indico/export-api/express';
import type { ChangeInput } from '@indico/livesync';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { filesDir } from './config.js';
import { dashboardRouter } from './dashboard.js';
import { type AccessLogLocals, createHttpLogger } from './logger.js';
import { managementRouter } from './management.js';
import { guardAuthenticator, guardCatalog, isOutage, OUTAGE_RETRY_AFTER_S } from './outage.js';
import type { Runtime } from './runtime.js';
import { createAuthFailureLimiter, securityHeaders } from './security.js';

export interface AppInfo {
  /** 'memory' when no REDIS_URL is configured. */
  store: 'memory' | 'redis';
  startedAt: number;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const frontPage = (info: AppInfo, base: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Indico reference server</title></head>
<body>
<h1>Indico reference server</h1>
<p id="status">Status: <strong>ok</strong>, store: <code>${info.store}</code></p>
<ul>
<li>Export API: <a href="/export/categ/2.json?pretty=yes">${escapeHtml(base)}/export/categ/2.json</a> (public data without a key)</li>
<li>Health: <a href="/healthz">/healthz</a>, readiness: <a href="/readyz">/readyz</a></li>
<li>Dashboard (administrators): <a href="/dashboard">/dashboard</a></li>
</ul>
</body>
</html>
`;

/** `100kb` -> 102400. */
export function parseSize(size: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(size);
  if (!m) throw new TypeError(`bad size ${size}`);
  const unit = m[2]!.toLowerCase();
  return Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

export interface Readiness {
  ready: boolean;
  redis: 'embedded' | 'ok' | 'unreachable';
  scheduler: {
    fresh: boolean;
    /** Milliseconds since the freshest daemon heartbeat, null when no daemon ever registered. */
    lastHeartbeatAgoMs: number | null;
    leaseMs: number;
    daemons: number;
  };
}

/** Redis answers PING and some scheduler daemon wrote its heartbeat within the lease. */
export async function readiness(rt: Runtime): Promise<Readiness> {
  const leaseMs = rt.config.SCHEDULER_LEASE_MS;
  const redisOk = await rt.ping(1000);
  let lastSeen: number | null = null;
  let daemons = 0;
  if (redisOk) {
    try {
      const list = await rt.schedulerStore.daemons();
      daemons = list.length;
      for (const d of list) lastSeen = Math.max(lastSeen ?? 0, d.lastSeen);
    } catch {
      // counted as not fresh
    }
  }
  const ago = lastSeen === null ? null : Math.max(0, rt.clock.now() - lastSeen);
  const fresh = ago !== null && ago <= leaseMs;
  return {
    ready: redisOk && fresh,
    redis: rt.mode === 'memory' ? 'embedded' : redisOk ? 'ok' : 'unreachable',
    scheduler: { fresh, lastHeartbeatAgoMs: ago, leaseMs, daemons },
  };
}

/** The whole HTTP surface of the server over a runtime. */
export function createApp(rt: Runtime, info: AppInfo): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('trust proxy', rt.config.TRUST_PROXY);
  app.use(securityHeaders());
  app.use(createHttpLogger(rt.logger));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', store: info.store, uptimeMs: Date.now() - info.startedAt });
  });
  app.get('/readyz', (_req, res, next) => {
    readiness(rt).then((r) => {
      res.setHeader('Cache-Control', 'no-store');
      res.status(r.ready ? 200 : 503).json(r);
    }, next);
  });

  // Shared through Redis when REDIS_URL is set (every server process counts the same failures).
  const limiter = createAuthFailureLimiter({
    redis: rt.redis,
    prefix: rt.prefix,
    limit: rt.config.AUTH_FAILURES_PER_MINUTE,
    clock: rt.clock,
  });
  const limited = limiter.middleware();

  // The export API: signature checks by @indico/http-signing, resources by @indico/export-api.
  const requestLocals = new AsyncLocalStorage<AccessLogLocals>();
  const signing = createSigningAuthenticator({
    keyStore: rt.keyStore,
    mode: rt.config.API_MODE,
    ttl: rt.config.SIGNATURE_TTL,
    allowPersistent: rt.config.PERSISTENT_SIGNATURES,
    ...(rt.config.REPLAY_PROTECTION ? { replayStore: rt.replayStore } : {}),
    clock: rt.clock,
    resolveUser: async (userId) => {
      const u = await rt.catalog.getUser(userId);
      return { id: userId, isAdmin: u?.isAdmin === true, groups: u?.groups ?? [] };
    },
  });
  const authenticate: Authenticator = async (input) => {
    const outcome = await signing(input);
    const locals = requestLocals.getStore();
    if (locals && outcome.user) locals.userId = outcome.user.id;
    return outcome;
  };
  const handler = createExportHandler({
    // Redis unreachable: 503 + Retry-After in the export API's error envelope, not a 500 (outage.ts).
    catalog: guardCatalog(rt.catalog, rt.redis),
    cache: rt.cache,
    cacheTtlMs: rt.config.CACHE_TTL * 1000,
    baseUrl: rt.config.BASE_URL ?? `http://${rt.config.HOST}:${rt.config.PORT}`,
    serverTimezone: rt.config.DEFAULT_TIMEZONE,
    authenticate: guardAuthenticator(authenticate, rt.redis),
    clock: rt.clock,
    logger: rt.logger.child({ component: 'export-api' }),
    files: filesDir(rt.config),
    // Registrant pay / check-in and room bookings: the event's data changed for livesync (after the write
    // committed; the package reports it once its own atomic write succeeded). Reservations have no livesync kind.
    onChange: async (changes) => {
      const events = changes.filter((c) => c.ref.kind === 'event');
      if (events.length === 0) return;
      const inputs = await Promise.all(
        events.map(async (c): Promise<ChangeInput> => {
          const event = await rt.catalog.getEvent(c.ref.id);
          const path = event ? (await rt.catalog.getCategoryPath(event.categoryId)).map((x) => x.id) : [];
          return { ref: { kind: 'event', id: c.ref.id, categoryPath: path }, changes: c.changes };
        }),
      );
      await rt.livesync.record(inputs);
    },
  });
  const exportApi = exportApiMiddleware(handler, { maxBodyBytes: parseSize(rt.config.BODY_LIMIT) });
  const withLocals = (req: Request, res: Response, next: NextFunction) => {
    const locals = res.locals as AccessLogLocals;
    const ak = req.query.ak ?? req.query.apikey;
    if (typeof ak === 'string' && ak) locals.keyId = ak.slice(0, 8);
    requestLocals.run(locals, () => exportApi(req, res, next));
  };
  app.use(
    ['/export', '/api'],
    limited,
    (req, _res, next) => {
      // Mounted routers strip their path; the export middleware routes on the full one.
      req.url = req.originalUrl;
      next();
    },
    withLocals,
  );

  app.use('/manage', limited, managementRouter(rt));
  app.use('/dashboard', limited, dashboardRouter(rt));

  const base = rt.config.BASE_URL ?? '';
  app.get('/', (_req, res) => {
    res.type('html').send(frontPage(info, base));
  });
  app.use((_req, res) => {
    res.status(404).json({ message: 'Not found' });
  });
  // No stack traces in responses: log the error, answer a fixed message.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status =
      (err as { status?: number; statusCode?: number }).status ?? (err as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ message: status === 413 ? 'Payload Too Large' : 'Bad request' });
      return;
    }
    if (isOutage(err, rt.redis) && !res.headersSent) {
      req.log?.warn({ err: (err as Error).message }, 'redis unreachable');
      res.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_S));
      res.status(503).json({ message: 'Service temporarily unavailable; retry later' });
      return;
    }
    req.log?.error({ err }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).json({ message: 'Internal error' });
  });
  return app;
}
