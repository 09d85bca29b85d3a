import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { signingError } from '../errors.js';
import { recordKeyUse } from '../usage.js';
import {
  type CookieUser,
  currentTime,
  type ParsedForm,
  type VerifyOptions,
  type VerifyOutcome,
  verifyRequest,
} from '../verify.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by the @indico/http-signing middleware. */
      indicoAuth?: VerifyOutcome;
    }
  }
}

export interface IndicoAuthMiddlewareOptions extends VerifyOptions {
  /** Prefix where the Indico app is mounted (e.g. `/indico`); stripped, since Indico signs root-relative paths. */
  mountPath?: string;
  /** The logged-in session user for `cookieauth=yes`, or null. */
  getCookieUser?: (req: Request) => CookieUser | null | Promise<CookieUser | null>;
  /**
   * `on-success` (default): record the key use when the response finishes with a status below 400.
   * `manual`: call `recordKeyUse(store, req.indicoAuth)` yourself (e.g. for Indico errors sent with status 200).
   */
  recordUsage?: 'on-success' | 'manual';
  /** Receives failures of the background usage write (the library never logs). */
  onUsageError?: (err: unknown) => void;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw signingError('QUERY_MALFORMED', 'bad percent-escape in the path');
  }
}

function readBody(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(signingError('QUERY_TOO_LARGE', `body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function formBody(req: Request, limit: number): Promise<string | Uint8Array | ParsedForm> {
  const body: unknown = req.body;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (typeof body === 'object' && body !== null) return body as ParsedForm;
  if (!req.is('application/x-www-form-urlencoded') || req.readableEnded) return '';
  return readBody(req, limit);
}

/**
 * Express middleware: verifies the request (see `verifyRequest`) and puts the outcome on `req.indicoAuth`
 * (and `res.locals.indicoAuth`). Failures go to `next(err)` as HttpSigningError; map `err.code` to a status.
 * POST bodies are taken from `req.body` when a body parser ran, otherwise read here (form bodies only).
 */
export function createIndicoAuthMiddleware(options: IndicoAuthMiddlewareOptions): RequestHandler {
  const mount = options.mountPath?.replace(/\/+$/, '') ?? '';
  const limit = options.limits?.maxQueryBytes ?? 16384;
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const url = req.originalUrl;
      const q = url.indexOf('?');
      let path = decodePath(q === -1 ? url : url.slice(0, q));
      if (mount && (path === mount || path.startsWith(`${mount}/`))) path = path.slice(mount.length) || '/';
      const isPost = req.method === 'POST';
      const outcome = await verifyRequest(
        {
          method: req.method,
          path,
          query: q === -1 ? '' : url.slice(q + 1),
          body: isPost ? await formBody(req, limit) : undefined,
          headers: req.headers,
          cookieUser: options.getCookieUser ? await options.getCookieUser(req) : null,
          ip: req.ip ?? null,
          secure: req.secure,
        },
        options,
      );
      req.indicoAuth = outcome;
      res.locals.indicoAuth = outcome;
      if (outcome.keyUse && options.recordUsage !== 'manual') {
        res.on('finish', () => {
          if (res.statusCode >= 400) return;
          recordKeyUse(options.keyStore, outcome, currentTime(options.now)).catch((err: unknown) =>
            options.onUsageError?.(err),
          );
        });
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The outcome the middleware stored on the request, if it ran. */
export function getIndicoAuth(req: Request): VerifyOutcome | undefined {
  return req.indicoAuth;
}
