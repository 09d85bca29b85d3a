import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ChangeCollector, runWithCollector } from '../capture.js';
import type { Logger } from '../logger.js';
import type { SyncManager } from '../sync-manager.js';

export interface LivesyncMiddlewareOptions {
  logger?: Logger;
  /** Called after each request's changes were written (or failed to be). */
  onFlush?: (result: { written: number; error?: unknown }) => void;
}

export type LivesyncMiddleware = RequestHandler & {
  /** Resolves when every flush started so far has finished (tests, graceful shutdown). */
  idle(): Promise<void>;
};

/**
 * One ChangeCollector per request (available as `res.locals.livesync` and to `recordChange` through
 * AsyncLocalStorage). When the response finishes or the connection closes, the request's changes
 * are written with one timestamp, one entry per object. Failed requests are flushed too: an extra
 * record is harmless to a consumer, a lost one is not.
 */
export function livesyncMiddleware(manager: SyncManager, options: LivesyncMiddlewareOptions = {}): LivesyncMiddleware {
  const logger = options.logger ?? manager.logger;
  const inFlight = new Set<Promise<void>>();
  const handler = (_req: Request, res: Response, next: NextFunction) => {
    const collector = new ChangeCollector(manager);
    res.locals.livesync = collector;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      const p = collector
        .flush()
        .then(
          (written) => options.onFlush?.({ written }),
          (error: unknown) => {
            logger.error({ err: error }, 'livesync: could not record the changes of a request');
            options.onFlush?.({ written: 0, error });
          },
        )
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    res.once('finish', finish);
    res.once('close', finish);
    runWithCollector(collector, () => next());
  };
  return Object.assign(handler, {
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  });
}
