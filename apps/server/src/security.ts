import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** The headers helmet would set for an API plus a few server-rendered pages. */
export function securityHeaders(): RequestHandler {
  return (_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('X-DNS-Prefetch-Control', 'off');
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    next();
  };
}

export interface FailureLimiterOptions {
  /** Failures allowed per IP inside `windowMs`; the next request from that IP gets 429. */
  limit: number;
  windowMs?: number;
  clock?: { now(): number };
  /** Bound on tracked IPs so a scan of spoofed sources cannot grow memory without limit. */
  maxTrackedIps?: number;
}

/**
 * Counts failed authentications per client IP in a fixed window. In-process only: with several
 * server processes each keeps its own count (documented; a shared limiter belongs in Redis).
 */
export class AuthFailureLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: { now(): number };
  readonly #max: number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(options: FailureLimiterOptions) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#clock = options.clock ?? Date;
    this.#max = options.maxTrackedIps ?? 100_000;
  }

  #current(ip: string) {
    const w = this.#windows.get(ip);
    if (w && this.#clock.now() - w.start < this.#windowMs) return w;
    if (w) this.#windows.delete(ip);
    return undefined;
  }

  /** Milliseconds until `ip` may try again, or 0 when it is not blocked. */
  retryAfterMs(ip: string): number {
    const w = this.#current(ip);
    if (!w || w.count < this.#limit) return 0;
    return w.start + this.#windowMs - this.#clock.now();
  }

  recordFailure(ip: string): void {
    const w = this.#current(ip);
    if (w) {
      w.count++;
      return;
    }
    if (this.#windows.size >= this.#max) {
      const oldest = this.#windows.keys().next().value;
      if (oldest !== undefined) this.#windows.delete(oldest);
    }
    this.#windows.set(ip, { start: this.#clock.now(), count: 1 });
  }

  /** Refuses requests from a blocked IP, and records a failure for every 401/403 it answers. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      const wait = this.retryAfterMs(ip);
      if (wait > 0) {
        res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
        res.status(429).json({
          message: 'Too many failed authentication attempts; try again later',
          _type: 'HTTPAPIError',
          _fossil: 'hTTPAPIError',
        });
        return;
      }
      res.on('finish', () => {
        if (res.statusCode === 401 || res.statusCode === 403) this.recordFailure(ip);
      });
      next();
    };
  }
}
