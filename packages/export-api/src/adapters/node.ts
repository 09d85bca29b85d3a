import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExportHandler, ExportRequest, ExportResponse } from '../handler.js';

export interface NodeAdapterOptions {
  /** Where the API is mounted, e.g. `/indico`; stripped before routing (the signed path is relative). */
  mountPath?: string;
  /** Largest accepted POST body in bytes (default 64 KiB); larger bodies get 413. */
  maxBodyBytes?: number;
  /** Treat the connection as HTTPS (e.g. behind a TLS-terminating proxy you trust). */
  secure?: (req: IncomingMessage) => boolean;
}

function decodePath(p: string): string {
  try {
    return decodeURIComponent(p);
  } catch {
    return p;
  }
}

/** Splits a raw request URL into the decoded, mount-relative path and the raw query; null outside the mount. */
export function splitUrl(rawUrl: string, mountPath = ''): { path: string; query: string } | null {
  const q = rawUrl.indexOf('?');
  let path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  const mount = mountPath.replace(/\/$/, '');
  if (mount) {
    if (path !== mount && !path.startsWith(`${mount}/`)) return null;
    path = path.slice(mount.length) || '/';
  }
  return { path: decodePath(path), query };
}

/** Reads a request body up to `max` bytes; `null` when it is larger. */
export function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Writes an ExportResponse with an exact Content-Length and no added charset. */
export function writeResponse(res: ServerResponse, out: ExportResponse): void {
  if (out.stream) {
    res.writeHead(out.status, out.headers);
    pipeline(Readable.from(out.stream), res).catch(() => {
      // the client went away or the file could not be read mid-way: the socket is already closed
      res.destroy();
    });
    return;
  }
  if (out.bytes) {
    res.writeHead(out.status, { ...out.headers, 'content-length': String(out.bytes.length) });
    res.end(out.bytes);
    return;
  }
  const length = out.ascii ? out.body.length : Buffer.byteLength(out.body, 'utf8');
  res.writeHead(out.status, { ...out.headers, 'content-length': String(length) });
  // Pure ASCII (all JSON output) encodes fastest as latin1, byte for byte the same as UTF-8.
  res.end(out.body, length === out.body.length ? 'latin1' : 'utf8');
}

/** Builds the framework-free request from a node:http request (body read for POST only). */
export async function toExportRequest(
  req: IncomingMessage,
  parts: { path: string; query: string },
  options: NodeAdapterOptions,
): Promise<ExportRequest | 'too-large'> {
  const method = req.method ?? 'GET';
  let body: string | undefined;
  if (method === 'POST') {
    const raw = await readBody(req, options.maxBodyBytes ?? 65_536);
    if (raw === null) return 'too-large';
    body = raw;
  }
  return {
    method,
    path: parts.path,
    query: parts.query,
    body,
    headers: req.headers,
    remoteAddress: req.socket.remoteAddress,
    secure: options.secure ? options.secure(req) : 'encrypted' in req.socket,
  };
}

/**
 * A `node:http` request listener serving the export API: `http.createServer(createNodeListener(handler))`.
 * Requests outside the mount path get a plain 404.
 */
export function createNodeListener(
  handler: ExportHandler,
  options: NodeAdapterOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const parts = splitUrl(req.url ?? '/', options.mountPath);
    if (!parts) {
      writeResponse(res, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' });
      return;
    }
    toExportRequest(req, parts, options)
      .then((r) =>
        r === 'too-large'
          ? { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Payload Too Large' }
          : handler(r),
      )
      .then(
        (out) => writeResponse(res, out),
        () =>
          writeResponse(res, {
            status: 500,
            headers: { 'content-type': 'text/plain; charset=utf-8' },
            body: 'Internal Server Error',
          }),
      );
  };
}
