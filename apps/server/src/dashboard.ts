import type { ApiKeyRecord } from '@indico/http-signing';
import { type IndexEntry, type SchedulerStatus, TaskStatus, taskStatusName } from '@indico/scheduler';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import {
  AdminAuthError,
  parseCookies,
  type Session,
  SessionSigner,
  verifyAdminRequest,
  verifyKeyLogin,
} from './admin-auth.js';
import type { AccessLogLocals } from './logger.js';
import type { Runtime } from './runtime.js';
import { LiveSyncRunTask } from './tasks.js';

export const SESSION_COOKIE = 'indico_dashboard';
const LIST_LIMIT = 25;

export interface AgentRow {
  id: string;
  type: string;
  active: boolean;
  /** Last delivered bucket, or null. */
  pointer: number | null;
  /** Seconds between the pointer's bucket end and now (null when the pointer is null). */
  lagSeconds: number | null;
}

export interface DashboardData {
  now: number;
  mode: 'memory' | 'redis';
  status: SchedulerStatus;
  waiting: IndexEntry[];
  running: IndexEntry[];
  failed: IndexEntry[];
  finished: IndexEntry[];
  agents: AgentRow[];
  keys: Array<
    Pick<ApiKeyRecord, 'key' | 'userId' | 'blocked' | 'useCount' | 'createdAt'> & { lastUsed: number | null }
  >;
}

export async function collectDashboard(rt: Runtime): Promise<DashboardData> {
  const now = rt.clock.now();
  const page = { limit: LIST_LIMIT };
  const [status, waiting, running, failed, finished, agentMap, keys] = await Promise.all([
    rt.client.getStatus(),
    rt.client.listWaiting(page),
    rt.client.listRunning(page),
    rt.client.listFailed(page),
    rt.client.listFinished(page),
    rt.livesync.getAllAgents(),
    rt.keys.list(),
  ]);
  const g = rt.livesync.getGranularity();
  const agents: AgentRow[] = [];
  for (const a of agentMap.values()) {
    const pointer = await a.getLastTS();
    agents.push({
      id: a.id,
      type: a.type,
      active: a.active,
      pointer,
      lagSeconds: pointer === null ? null : Math.max(0, Math.round(now / 1000 - (pointer + 1) * g)),
    });
  }
  return {
    now,
    mode: rt.mode,
    status,
    waiting,
    running,
    failed,
    finished,
    agents,
    keys: keys.map((k) => ({
      key: `${k.key.slice(0, 8)}…`,
      userId: k.userId,
      blocked: k.blocked,
      useCount: k.useCount,
      createdAt: k.createdAt,
      lastUsed: k.lastUse?.at ?? null,
    })),
  };
}

const esc = (v: unknown) =>
  String(v ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const when = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace('.000Z', 'Z') : '—');

function taskRows(entries: IndexEntry[], csrf: string, retry: boolean): string {
  if (entries.length === 0) return '<tr><td colspan="6" class="empty">none</td></tr>';
  return entries
    .map((e) => {
      const t = e.task;
      const status = e.occurrence ? e.occurrence.status : t?.status;
      const error = e.occurrence?.error ?? t?.lastError ?? '';
      const canRetry = retry && t && t.id !== null && !e.occurrence && t.status === TaskStatus.FAILED;
      const button = canRetry
        ? `<form method="post" action="/dashboard/tasks/${t.id}/retry"><input type="hidden" name="csrf" value="${esc(csrf)}"><button type="submit" class="retry" data-task="${t.id}">Run again</button></form>`
        : '';
      return `<tr data-uid="${esc(e.uid)}"><td>${esc(e.uid)}</td><td>${esc(t?.typeId ?? '?')}</td><td>${esc(
        status === undefined ? '?' : taskStatusName(status),
      )}</td><td>${when(e.score)}</td><td class="error">${esc(error)}</td><td>${button}</td></tr>`;
    })
    .join('');
}

/** The part of the page that refreshes itself. */
export function renderDashboardBody(d: DashboardData, csrf: string): string {
  const s = d.status;
  const count = (name: string, value: number) =>
    `<div class="count"><span class="n" id="count-${name}">${value}</span><span class="l">${name}</span></div>`;
  const daemons = s.daemons.length
    ? s.daemons
        .map(
          (x) =>
            `<li>${esc(x.hostname)} pid ${x.pid}: ${x.alive ? 'alive' : 'not seen'} (last seen ${when(x.lastSeen)})</li>`,
        )
        .join('')
    : '<li>no daemon has registered</li>';
  const table = (title: string, id: string, entries: IndexEntry[], retry = false) =>
    `<section><h2>${title}</h2><table id="tasks-${id}"><thead><tr><th>task</th><th>type</th><th>status</th><th>time</th><th>error</th><th></th></tr></thead><tbody>${taskRows(entries, csrf, retry)}</tbody></table></section>`;
  const agents = d.agents.length
    ? d.agents
        .map(
          (a) =>
            `<tr data-agent="${esc(a.id)}"><td>${esc(a.id)}</td><td>${esc(a.type)}</td><td>${a.active ? 'active' : 'inactive'}</td><td class="pointer">${a.pointer ?? 'none'}</td><td class="lag">${a.lagSeconds === null ? '—' : `${a.lagSeconds} s`}</td></tr>`,
        )
        .join('')
    : '<tr><td colspan="5" class="empty">no agents configured</td></tr>';
  const keys = d.keys.length
    ? d.keys
        .map(
          (k) =>
            `<tr><td><code>${esc(k.key)}</code></td><td>${esc(k.userId)}</td><td>${k.blocked ? 'blocked' : 'ok'}</td><td class="uses">${k.useCount}</td><td>${when(k.lastUsed)}</td></tr>`,
        )
        .join('')
    : '<tr><td colspan="5" class="empty">no API keys</td></tr>';
  return `<p class="meta">Store: <code>${d.mode}</code> · scheduler ${s.state ? '<strong class="ok">running</strong>' : '<strong class="bad">not running</strong>'} · updated <span id="updated">${when(d.now)}</span></p>
<section><h2>Scheduler</h2><div class="counts">${count('spooled', s.spooled)}${count('waiting', s.waiting)}${count('running', s.running)}${count('failed', s.failed)}${count('finished', s.finished)}${count('dead-letter', s.deadLetter)}</div><ul class="daemons">${daemons}</ul></section>
${table('Failed tasks', 'failed', d.failed, true)}
${table('Running tasks', 'running', d.running)}
${table('Waiting tasks', 'waiting', d.waiting)}
${table('Finished tasks', 'finished', d.finished)}
<section><h2>Livesync agents</h2><form method="post" action="/dashboard/livesync/run"><input type="hidden" name="csrf" value="${esc(csrf)}"><button type="submit" id="push-now">Push changes now</button></form><table id="agents"><thead><tr><th>agent</th><th>type</th><th>state</th><th>pointer (bucket)</th><th>lag</th></tr></thead><tbody>${agents}</tbody></table></section>
<section><h2>API keys</h2><table id="keys"><thead><tr><th>key</th><th>user</th><th>state</th><th>uses</th><th>last used</th></tr></thead><tbody>${keys}</tbody></table></section>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1rem;color:#222}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.5rem}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f4f4f4}
.counts{display:flex;gap:1rem}.count{border:1px solid #ccc;border-radius:6px;padding:.5rem 1rem;text-align:center;min-width:5rem}
.count .n{display:block;font-size:1.6rem;font-weight:600}.count .l{color:#666}.error{color:#a00;max-width:30rem;overflow-wrap:anywhere}
.empty{color:#888}.ok{color:#070}.bad{color:#a00}form{margin:0}.meta{color:#555}`;

function page(title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>${body}${script ? `<script>${script}</script>` : ''}</body></html>`;
}

// Refreshes the live part every few seconds; pauses while the tab is hidden.
const REFRESH = `(function(){var el=document.getElementById('live');function tick(){if(document.hidden)return;
fetch('/dashboard/fragment',{credentials:'same-origin'}).then(function(r){if(r.status===200)return r.text();if(r.status===401)location.href='/dashboard/login';}).then(function(t){if(t)el.innerHTML=t;}).catch(function(){});}
setInterval(tick,3000);})();`;

export function renderDashboard(d: DashboardData, session: Session, notice = ''): string {
  return page(
    'Indico server dashboard',
    `<h1>Indico server dashboard</h1><p>Signed in as user <code>${esc(session.userId)}</code>.
<form method="post" action="/dashboard/logout" style="display:inline"><input type="hidden" name="csrf" value="${esc(session.csrf)}"><button type="submit">Sign out</button></form></p>
${notice ? `<p id="notice" role="status">${esc(notice)}</p>` : ''}<div id="live">${renderDashboardBody(d, session.csrf)}</div>`,
    REFRESH,
  );
}

function loginPage(message = ''): string {
  return page(
    'Dashboard login',
    `<h1>Dashboard login</h1>${message ? `<p class="bad" id="login-error">${esc(message)}</p>` : ''}
<p>Sign in with an administrator's API key and secret (<code>indico-server apikey create --user ID</code>), or open a signed link from <code>indico-server dashboard-url</code>.</p>
<form method="post" action="/dashboard/login"><p><label>API key <input name="ak" autocomplete="username" size="40"></label></p>
<p><label>Secret <input name="secret" type="password" autocomplete="current-password" size="40"></label></p><p><button type="submit">Sign in</button></p></form>`,
  );
}

/** `/dashboard`: admin only (session cookie from the login form or a signed link). */
export function dashboardRouter(rt: Runtime): Router {
  const router = express.Router();
  const signer = new SessionSigner(rt.config.SESSION_SECRET);
  const secure = rt.config.BASE_URL?.startsWith('https:') ? '; Secure' : '';
  const setCookie = (res: Response, value: string, maxAgeS: number) =>
    res.setHeader(
      'Set-Cookie',
      `${SESSION_COOKIE}=${value}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure}`,
    );
  const sessionOf = (req: Request) => signer.read(parseCookies(req.headers.cookie)[SESSION_COOKIE], rt.clock.now());
  const login = (res: Response, userId: string) => {
    setCookie(res, signer.issue(userId, rt.clock.now()).cookie, Math.floor(signer.ttlMs / 1000));
    res.redirect(303, '/dashboard');
  };
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const requireSession = (req: Request, res: Response, next: NextFunction) => {
    const s = sessionOf(req);
    if (!s) {
      if (req.method === 'GET' && req.path === '/') res.redirect(303, '/dashboard/login');
      else res.status(401).json({ message: 'Not signed in' });
      return;
    }
    res.locals.session = s;
    (res.locals as AccessLogLocals).userId = s.userId;
    next();
  };
  const requireCsrf = (req: Request, res: Response, next: NextFunction) => {
    const s = res.locals.session as Session;
    if ((req.body as { csrf?: string } | undefined)?.csrf !== s.csrf) {
      res.status(403).json({ message: 'Invalid CSRF token' });
      return;
    }
    next();
  };
  const wrap =
    (fn: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
      fn(req, res).catch(next);
    };

  router.get('/login', (_req, res) => {
    res.type('html').send(loginPage());
  });
  router.post(
    '/login',
    form,
    wrap(async (req, res) => {
      const { ak = '', secret = '' } = (req.body ?? {}) as { ak?: string; secret?: string };
      try {
        login(res, await verifyKeyLogin(String(ak).trim(), String(secret).trim(), rt));
      } catch (err) {
        if (!(err instanceof AdminAuthError)) throw err;
        res.status(403).type('html').send(loginPage(err.message));
      }
    }),
  );
  router.get(
    '/',
    wrap(async (req, res) => {
      const q = req.originalUrl.indexOf('?');
      const query = q < 0 ? '' : req.originalUrl.slice(q + 1);
      if (/(^|&)signature=/.test(query)) {
        try {
          const { userId } = await verifyAdminRequest(
            { method: 'GET', path: '/dashboard', query, ip: req.ip ?? null },
            {
              keyStore: rt.keyStore,
              catalog: rt.catalog,
              replayStore: rt.replayStore,
              ttl: rt.config.SIGNATURE_TTL,
              clock: rt.clock,
            },
          );
          login(res, userId);
        } catch (err) {
          if (!(err instanceof AdminAuthError)) throw err;
          res.status(403).type('html').send(loginPage(err.message));
        }
        return;
      }
      const s = sessionOf(req);
      if (!s) {
        res.redirect(303, '/dashboard/login');
        return;
      }
      (res.locals as AccessLogLocals).userId = s.userId;
      res.setHeader('Cache-Control', 'no-store');
      const retried =
        typeof req.query.retried === 'string'
          ? `Task ${req.query.retried} queued to run again.`
          : req.query.pushed
            ? 'Livesync push queued.'
            : '';
      res.type('html').send(renderDashboard(await collectDashboard(rt), s, retried));
    }),
  );
  router.get(
    '/fragment',
    requireSession,
    wrap(async (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').send(renderDashboardBody(await collectDashboard(rt), (res.locals.session as Session).csrf));
    }),
  );
  router.get(
    '/data.json',
    requireSession,
    wrap(async (_req, res) => {
      res.setHeader('Cache-Control', 'no-store');
      res.json(await collectDashboard(rt));
    }),
  );
  router.post(
    '/tasks/:id/retry',
    form,
    requireSession,
    requireCsrf,
    wrap(async (req, res) => {
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id) || id < 0) {
        res.status(400).json({ message: 'bad task id' });
        return;
      }
      try {
        await rt.client.startFailedTask(id);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'TASK_NOT_FOUND' || code === 'INCONSISTENT_STATUS') {
          res
            .status(409)
            .type('html')
            .send(
              page(
                'Not retried',
                `<p>Task ${id} is not a failed task any more.</p><p><a href="/dashboard">Back</a></p>`,
              ),
            );
          return;
        }
        throw err;
      }
      req.log?.info({ taskId: id }, 'failed task requeued from the dashboard');
      res.redirect(303, `/dashboard?retried=${id}`);
    }),
  );
  router.post(
    '/livesync/run',
    form,
    requireSession,
    requireCsrf,
    wrap(async (req, res) => {
      // A one-shot LiveSyncRunTask: the daemon runs every active agent now instead of at the next interval.
      const ref = await rt.client.enqueue(new LiveSyncRunTask(rt.clock.now()));
      req.log?.info({ ref }, 'livesync push requested from the dashboard');
      res.redirect(303, '/dashboard?pushed=1');
    }),
  );
  router.post('/logout', form, requireSession, requireCsrf, (_req, res) => {
    setCookie(res, '', 0);
    res.redirect(303, '/dashboard/login');
  });
  return router;
}
