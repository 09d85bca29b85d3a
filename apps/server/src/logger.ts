import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Logger, pino } from 'pino';

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

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id (from a valid `x-request-id`, else a new uuid), also sent back as `x-request-id`. */
    id: string;
    /** A logger bound to this request (`req` field), made on first use. */
    log: Logger;
  }
}

const REQUEST_ID_RE = /^[\w.-]{1,128}$/;

interface AccessLogResponse extends ServerResponse {
  locals?: AccessLogLocals;
}

/**
 * Access log middleware: one line per request when the response is finished (or the connection closed),
 * `{req: {id, method, url (redacted), remoteAddress}, res: {statusCode}, responseTime, userId, keyId}`, at
 * `error` for 5xx, `warn` for 4xx, else `info` (the shape pino-http wrote). Cheaper than pino-http: no child
 * logger per request unless something logs through `req.log`.
 */
export function createHttpLogger(logger: Logger) {
  const reqFields = (req: IncomingMessage) => ({
    id: req.id,
    method: req.method,
    url: redactUrl(req.url ?? ''),
    remoteAddress: req.socket?.remoteAddress,
  });
  return (req: IncomingMessage, res: AccessLogResponse, next: () => void): void => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', id);
    req.id = id;
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => {
        child ??= logger.child({ req: reqFields(req) });
        return child;
      },
      set: (value: Logger) => {
        child = value;
      },
    });
    const start = Date.now();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      res.off('finish', done);
      res.off('close', done);
      const status = res.statusCode;
      const failed = status >= 500 || !res.writableFinished;
      const level = failed ? 'error' : status >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      const locals = res.locals ?? {};
      logger[level](
        {
          req: reqFields(req),
          res: { statusCode: status },
          responseTime: Date.now() - start,
          userId: locals.userId,
          keyId: locals.keyId,
        },
        failed ? 'request errored' : 'request completed',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
