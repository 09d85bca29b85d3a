import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { ExportHandler } from '../handler.js';
import { type NodeAdapterOptions, splitUrl, toExportRequest, writeResponse } from './node.js';

/**
 * Express middleware serving `/export/*` and `/api/*` relative to where it is mounted
 * (`app.use(exportApiMiddleware(handler))` or `app.use('/indico', …)`); other paths fall through to `next()`.
 * A POST body already parsed by `express.urlencoded()` is re-encoded; otherwise the raw body is read.
 */
export function exportApiMiddleware(
  handler: ExportHandler,
  options: Omit<NodeAdapterOptions, 'mountPath'> = {},
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const raw = req.url;
    if (!raw.startsWith('/export/') && !raw.startsWith('/api/')) {
      next();
      return;
    }
    const parts = splitUrl(raw)!;
    const parsed = req.body as unknown;
    const build =
      req.method === 'POST' && parsed && typeof parsed === 'object' && !Buffer.isBuffer(parsed)
        ? Promise.resolve({
            method: 'POST',
            path: parts.path,
            query: parts.query,
            body: new URLSearchParams(parsed as Record<string, string>).toString(),
            headers: req.headers,
            remoteAddress: req.socket.remoteAddress,
            secure: options.secure ? options.secure(req) : req.secure,
          })
        : toExportRequest(req, parts, { ...options, secure: options.secure ?? (() => req.secure) });
    build
      .then((r) =>
        r === 'too-large'
          ? { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Payload Too Large' }
          : handler(r),
      )
      .then((out) => writeResponse(res, out), next);
  };
}
