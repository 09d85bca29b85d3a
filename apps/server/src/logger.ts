import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, pino } from 'pino';
import { pinoHttp } from 'pino-http';

/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = new Set(['signature', 'csrftoken', 'secret', 'password', 'token']);
/** API keys identify the caller, but in KEY mode they are bearer credentials: keep a short, non-usable prefix. */
const KEY_PARAMS = new Set(['ak', 'apikey']);

/** The request URL with secrets replaced, for logs. Never throws, whatever the URL. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      let name: string;
      try {
        name = decodeURIComponent(pair.slice(0, eq).replace(/\+/g, ' ')).toLowerCase();
      } catch {
        name = pair.slice(0, eq).toLowerCase();
      }
      const value = pair.slice(eq + 1);
      if (SECRET_PARAMS.has(name)) return `${pair.slice(0, eq)}=[redacted]`;
      if (KEY_PARAMS.has(name)) return `${pair.slice(0, eq)}=${value.slice(0, 8)}…`;
      return pair;
    });
  return `${url.slice(0, q)}?${parts.join('&')}`;
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        'secret',
        '*.secret',
      ],
      censor: '[redacted]',
    },
  });
}

/** What a route handler may put on `res.locals` for the access log. */
export interface AccessLogLocals {
  userId?: string;
  keyId?: string;
}

export function createHttpLogger(logger: Logger) {
  return pinoHttp<IncomingMessage, ServerResponse>({
    logger,
    genReqId(req, res) {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    serializers: {
      req(req: { id: unknown; method: string; url: string; remoteAddress?: string }) {
        return { id: req.id, method: req.method, url: redactUrl(req.url), remoteAddress: req.remoteAddress };
      },
      res(res: { statusCode: number }) {
        return { statusCode: res.statusCode };
      },
    },
    customProps(_req, res) {
      const locals = (res as ServerResponse & { locals?: AccessLogLocals }).locals ?? {};
      return { userId: locals.userId, keyId: locals.keyId };
    },
    customLogLevel(_req, res, err) {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      return 'info';
    },
  });
}
