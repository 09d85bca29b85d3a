import { createHash, randomUUID } from 'node:crypto';
import { type Authenticator, anonymousAuthenticator } from './auth.js';
import { buildEnvelope, buildErrorBody, type EnvelopeStyle } from './envelope.js';
import { ExportApiError, isExportApiError } from './errors.js';
import { createLocalFileStorage, type FileStorage } from './files.js';
import { CORE_HOOKS } from './hooks/index.js';
import { ParamReader, parseCommonParams } from './params.js';
import { canonicalQuery, firstValues, parseQueryPairs } from './query.js';
import { type ExportChange, type ExportFormat, type HookDefinition, HookRegistry } from './registry.js';
import {
  CONTENT_TYPES,
  ERRORS_IN_OWN_FORMAT,
  JSONP_CALLBACK_RE,
  stampIcs,
  toAtom,
  toHtml,
  toIcsTemplate,
  toIndicoJson,
  toIndicoXml,
  toJsonp,
} from './serializers/index.js';
import { escapeJsonText } from './serializers/json.js';
import { escapeXmlText } from './serializers/xml.js';
import type { CachedResult, Catalog, ResultCache } from './store.js';
import { defaultUrls, type ExportUrls } from './urls.js';

/** A request as the framework-free handler sees it. */
export interface ExportRequest {
  method: string;
  /** Path relative to the application root, percent-decoded once (`/export/categ/2.json`). */
  path: string;
  /** Raw query string, without the `?`. */
  query?: string;
  /** Raw `application/x-www-form-urlencoded` body of a POST. */
  body?: string;
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  remoteAddress?: string;
  /** Whether the request came over HTTPS (for the signing layer's optional HTTPS requirement). */
  secure?: boolean;
}

export interface ExportResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The UTF-8 bytes of `body` when the handler already has them (render cache); adapters send these as is. */
  bytes?: Buffer;
  /** `body` is known to be ASCII only (json, jsonp): its length is its byte length. */
  ascii?: boolean;
  /** A streamed body (files): `content-length` is in `headers`; adapters pipe it and ignore `body`. */
  stream?: AsyncIterable<Uint8Array>;
}

/** A pino-compatible logger (only `error` is used). */
export interface ExportLogger {
  error(obj: unknown, msg?: string): void;
}

export interface ExportHandlerOptions {
  catalog: Catalog;
  /** Result cache; none by default. */
  cache?: ResultCache | null;
  /** Cache TTL, default 600 000 ms; 0 disables caching (Indico 2.x semantics). */
  cacheTtlMs?: number;
  /** Prefix of the envelope `url` (Indico's BaseSecureURL), default `https://localhost`. */
  baseUrl?: string;
  /** Links inside results; default `defaultUrls(baseUrl)`. */
  urls?: ExportUrls;
  /** Server time zone: the default `tz` (spec §5). Default `UTC`. */
  serverTimezone?: string;
  /** Resolves the requester; default: everyone is anonymous. */
  authenticate?: Authenticator;
  /** Extra resources, tried after the core ones. */
  hooks?: readonly HookDefinition[];
  /** Use a registry you built yourself (replaces the core hooks and `hooks`). */
  registry?: HookRegistry;
  /** `1.2` (default) or `3.x` envelope and error shape. */
  envelope?: EnvelopeStyle;
  /** `_type` renames for XML only (default includes `RoomCERN` -> `Room`). */
  xmlTypeMap?: Readonly<Record<string, string>>;
  clock?: { now(): number };
  logger?: ExportLogger;
  /**
   * Change sink: called after each successful `/api` write with the changes it made (for livesync). The write
   * itself is already committed; a failing sink is logged and the request still succeeds.
   */
  onChange?: (changes: readonly ExportChange[]) => Promise<void> | void;
  /** Stored files for `.bin` resources: a FileStorage, or a directory path (local files). Default: none (404). */
  files?: FileStorage | string;
  /**
   * Rendered bodies of cached results kept in this process (entries), so a repeated request skips the cache
   * round trip and the serializer. A body lives no longer than its result's TTL. Default 500; 0 disables.
   */
  renderCacheEntries?: number;
}

export type ExportHandler = (request: ExportRequest) => Promise<ExportResponse>;

// Volatile or presentation-only parameters: they never change the (pre-serialization) result.
const CACHE_KEY_DROP: ReadonlySet<string> = new Set([
  '_',
  'ak',
  'apikey',
  'signature',
  'timestamp',
  'nc',
  'nocache',
  'oa',
  'onlyauthed',
  'op',
  'onlypublic',
  'ca',
  'cookieauth',
  'csrftoken',
  'p',
  'pretty',
  'jsonp',
  'access_token',
]);
const CONTROL_PARAMS = ['ak', 'apikey', 'ca', 'cookieauth', 'signature', 'timestamp', 'nc', 'nocache', 'p', 'pretty'];
const CONTROL_PARAMS_2 = ['op', 'onlypublic', 'oa', 'onlyauthed', 'csrftoken'];

function plain(status: number, text: string, headers: Record<string, string> = {}): ExportResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: text };
}

function headerMap(h: ExportRequest['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h ?? {})) out[k.toLowerCase()] = Array.isArray(v) ? v[0] : v;
  return out;
}

/**
 * Builds the export API as a function `(request) -> response` (spec §1-2): routing, parameter parsing,
 * authentication, result cache, the hook, the envelope and the serializer. No framework needed.
 */
export function createExportHandler(options: ExportHandlerOptions): ExportHandler {
  const registry = options.registry ?? new HookRegistry([...CORE_HOOKS, ...(options.hooks ?? [])]);
  const clock = options.clock ?? Date;
  const baseUrl = (options.baseUrl ?? 'https://localhost').replace(/\/$/, '');
  const urls = options.urls ?? defaultUrls(baseUrl);
  const serverTimezone = options.serverTimezone ?? 'UTC';
  const authenticate = options.authenticate ?? anonymousAuthenticator;
  const style = options.envelope ?? '1.2';
  const ttl = options.cacheTtlMs ?? 600_000;
  const cache = ttl > 0 ? (options.cache ?? null) : null;
  const renderMax = options.renderCacheEntries ?? 500;
  const files =
    typeof options.files === 'string' ? createLocalFileStorage({ root: options.files }) : (options.files ?? null);
  // spec §10 roomMetadata: `RoomCERN` in JSON, `<room>` in XML; the caller's map wins.
  const xmlTypeMap = { RoomCERN: 'Room', ...options.xmlTypeMap };
  const recordChanges = async (changes: readonly ExportChange[]) => {
    if (!options.onChange || changes.length === 0) return;
    try {
      await options.onChange(changes);
    } catch (err) {
      options.logger?.error({ err }, 'export-api: change sink failed');
    }
  };
  const rendered = new Map<
    string,
    // Bodies are kept with stand-ins for what differs between responses of one result: the request `url`
    // (json, jsonp, xml: `urlMark`, each request signs with its own timestamp) and the ics DTSTAMP (`stamped`).
    {
      status: number;
      contentType: string;
      body: string;
      bytes: Buffer | null;
      stamped: boolean;
      withUrl: boolean;
      expires: number;
      /** The last completed body (query, text, bytes): repeated unsigned requests are served as is. */
      last?: { query: string; body: string; bytes: Buffer };
    }
  >();
  // Unguessable, and the same text in every format's escaping (letters, digits, dashes).
  const urlMark = `indico-url-${randomUUID()}`;
  const urlText = (format: ExportFormat, url: string) =>
    format === 'xml' ? escapeXmlText(url) : escapeJsonText(JSON.stringify(url)).slice(1, -1);
  const completeBody = (
    entry: { body: string; stamped: boolean; withUrl: boolean },
    format: ExportFormat,
    url: string,
    now: number,
  ) => {
    let body = entry.body;
    if (entry.withUrl) body = body.split(urlMark).join(urlText(format, url));
    if (entry.stamped) body = stampIcs(body, now);
    return body;
  };
  // Formats whose body holds the url only as the envelope field (atom's feed library rewrites it: not reused).
  const URL_TEMPLATED: ReadonlySet<ExportFormat> = new Set(['json', 'jsonp', 'xml', 'ics', 'html']);

  const errorResponse = (err: ExportApiError, format: ExportFormat, pretty: boolean, callback: string | null) => {
    const body = buildErrorBody(err.message, style);
    const fmt: ExportFormat = ERRORS_IN_OWN_FORMAT.has(format) && !(format === 'jsonp' && !callback) ? format : 'json';
    let text: string;
    if (fmt === 'xml') text = toIndicoXml(body, { pretty, typeMap: xmlTypeMap });
    else if (fmt === 'jsonp') text = toJsonp(body, pretty, callback!);
    else text = toIndicoJson(body, pretty);
    return { status: err.status, headers: { 'content-type': CONTENT_TYPES[fmt], ...err.headers }, body: text };
  };

  return async function handle(req: ExportRequest): Promise<ExportResponse> {
    const method = req.method.toUpperCase();
    const path = req.path;
    let prefix: 'export' | 'api';
    if (path.startsWith('/export/')) {
      if (method !== 'GET' && method !== 'HEAD') return plain(405, 'Method Not Allowed', { allow: 'GET, HEAD' });
      prefix = 'export';
    } else if (path.startsWith('/api/')) {
      if (method !== 'POST') return plain(405, 'Method Not Allowed', { allow: 'POST' });
      prefix = 'api';
    } else return plain(404, 'Not Found');

    const resolved = registry.resolve(path);
    if (!resolved || (resolved.hook.prefix ?? 'export') !== prefix) return plain(404, 'Not Found');
    const { hook, format } = resolved;
    // spec §2 step 1: a POST reads only its form body.
    const signedQuery = prefix === 'api' ? (req.body ?? '') : (req.query ?? '');
    /** The request's own url, as the envelope's `url` field reports it. */
    const requestUrl = () => `${baseUrl}${path}${signedQuery ? `?${signedQuery}` : ''}`;
    const pairs = parseQueryPairs(signedQuery);
    const values = firstValues(pairs);
    const all = new ParamReader(values);
    const pretty = all.flag('p', 'pretty');
    const callback = format === 'jsonp' ? (values.get('jsonp') ?? 'read') : null;
    const headers = headerMap(req.headers);
    const now = clock.now();

    let onSuccess: (() => Promise<void>) | undefined;
    try {
      if (callback !== null && !JSONP_CALLBACK_RE.test(callback)) {
        throw new ExportApiError('BAD_PARAMETER', `Invalid JSONP callback: '${callback}'`);
      }
      const noCache = prefix === 'api' || !!hook.noCache || all.flag('nc', 'nocache');
      const onlyPublic = all.flag('op', 'onlypublic');
      const auth = await authenticate({
        method: prefix === 'api' ? 'POST' : 'GET',
        path,
        query: signedQuery,
        params: values,
        headers,
        remoteAddress: req.remoteAddress,
        secure: req.secure,
        onlyPublic,
        cookieAuth: all.flag('ca', 'cookieauth'),
      });
      const user = onlyPublic ? null : auth.user;
      onSuccess = auth.onSuccess;
      if (all.flag('oa', 'onlyauthed') && !user) throw new ExportApiError('NOT_AUTHENTICATED', 'Not authenticated');
      const required = hook.method ?? (prefix === 'api' ? 'POST' : 'GET');
      const actual = prefix === 'api' ? 'POST' : 'GET';
      if (required !== actual) {
        throw new ExportApiError('METHOD_NOT_ALLOWED', `This action requires ${required}`, {
          headers: { allow: required },
        });
      }

      let cacheKey: string | null = null;
      let result: CachedResult | null = null;
      let renderKey: string | null = null;
      if (cache && !noCache) {
        const scope = user ? `user-${user.id}` : 'public';
        const canon = canonicalQuery(pairs, CACHE_KEY_DROP);
        const stripped = path.replace(/\.[A-Za-z0-9_]+$/, '');
        cacheKey = createHash('sha256').update(`${scope}_${stripped}?${canon}`).digest('hex');
        if (renderMax > 0) {
          renderKey = `${cacheKey}|${format}|${pretty}|${callback}`;
          if (!URL_TEMPLATED.has(format)) renderKey += `|${signedQuery}`;
        }
        const hit = renderKey ? rendered.get(renderKey) : undefined;
        if (hit && hit.expires > now) {
          if (onSuccess) await onSuccess();
          if (method === 'HEAD') return { status: hit.status, headers: { 'content-type': hit.contentType }, body: '' };
          if (hit.stamped) {
            return {
              status: hit.status,
              headers: { 'content-type': hit.contentType },
              body: completeBody(hit, format, requestUrl(), now),
            };
          }
          if (hit.withUrl) {
            if (hit.last?.query !== signedQuery) {
              const body = completeBody(hit, format, requestUrl(), now);
              hit.last = { query: signedQuery, body, bytes: Buffer.from(body, 'utf8') };
            }
            return {
              status: hit.status,
              headers: { 'content-type': hit.contentType },
              body: hit.last.body,
              bytes: hit.last.bytes,
            };
          }
          return {
            status: hit.status,
            headers: { 'content-type': hit.contentType },
            body: hit.body,
            bytes: hit.bytes ?? undefined,
          };
        }
        if (hit) rendered.delete(renderKey!);
        // A cache outage must not take the API down: log it and compute the result.
        result = await cache.get(cacheKey).catch((err: unknown) => {
          options.logger?.error({ err, path }, 'export-api: result cache read failed');
          return null;
        });
      }

      if (!result) {
        const hookValues = new Map(values);
        for (const k of [...CONTROL_PARAMS, ...CONTROL_PARAMS_2]) hookValues.delete(k);
        const params = new ParamReader(hookValues);
        const common = parseCommonParams(
          params,
          {
            levels: hook.detailLevels ?? { [params.get('d', 'detail') ?? 'default']: 1000 },
            defaultDetail: hook.defaultDetail ?? 'default',
          },
          { now, serverTimezone },
        );
        const ctx = {
          catalog: options.catalog,
          params,
          common,
          type: resolved.type,
          groups: resolved.groups,
          format,
          user,
          now,
          urls,
          method: actual,
          recordChanges,
          files,
        } as const;
        if (hook.guestAllowed === false && !user) {
          throw new ExportApiError('FORBIDDEN', 'Guest access to this resource is forbidden.');
        }
        if (hook.hasAccess && !(await hook.hasAccess(ctx))) {
          throw new ExportApiError('FORBIDDEN', 'Access to this resource is restricted.');
        }
        const out = await hook.handler(ctx);
        if (out.file) {
          if (onSuccess) await onSuccess();
          const fileHeaders: Record<string, string> = {
            'content-type': out.file.contentType,
            'content-length': String(out.file.size),
          };
          if (out.file.fileName) {
            fileHeaders['content-disposition'] = `inline; filename*=UTF-8''${encodeURIComponent(out.file.fileName)}`;
          }
          if (method === 'HEAD') return { status: 200, headers: fileHeaders, body: '' };
          return { status: 200, headers: fileHeaders, body: '', stream: out.file.stream };
        }
        if (out.results === null || out.results === undefined) return plain(404, 'Not Found');
        result = {
          results: out.results,
          additionalInfo: out.additionalInfo ?? {},
          ts: Math.floor(now / 1000),
          complete: out.complete ?? true,
        };
        if (cacheKey && cache) {
          await cache.set(cacheKey, result, ttl).catch((err: unknown) => {
            options.logger?.error({ err, path }, 'export-api: result cache write failed');
          });
        }
      }
      if (onSuccess) await onSuccess();

      const url = requestUrl();
      // a body kept for reuse carries the url mark, completed below (and on every hit)
      const withUrl = renderKey !== null && (format === 'json' || format === 'jsonp' || format === 'xml');
      const envelope = buildEnvelope({ ...result, url: withUrl ? urlMark : url }, style);
      let body: string;
      switch (format) {
        case 'json':
          body = toIndicoJson(envelope, pretty);
          break;
        case 'jsonp':
          body = toJsonp(envelope, pretty, callback!);
          break;
        case 'xml':
          body = toIndicoXml(envelope, { pretty, typeMap: xmlTypeMap });
          break;
        case 'ics':
          body = toIcsTemplate(result.results);
          break;
        case 'atom':
          body = toAtom(result.results, url, result.ts);
          break;
        case 'html':
          body = toHtml(result.results, result.ts);
          break;
        case 'bin':
          // only the file resource serves bin, and it answers with a file above
          return plain(404, 'Not Found');
      }
      const stamped = format === 'ics';
      if (renderKey) {
        const entry = {
          status: 200,
          contentType: CONTENT_TYPES[format],
          body,
          bytes: stamped || withUrl ? null : Buffer.from(body, 'utf8'),
          stamped,
          withUrl,
          expires: result.ts * 1000 + ttl,
        };
        rendered.set(renderKey, entry);
        if (rendered.size > renderMax) rendered.delete(rendered.keys().next().value!);
        body = completeBody(entry, format, url, now);
      } else if (stamped) body = stampIcs(body, now);
      return {
        status: 200,
        headers: { 'content-type': CONTENT_TYPES[format] },
        body: method === 'HEAD' ? '' : body,
        // toIndicoJson escapes every non-ASCII character
        ascii: format === 'json' || format === 'jsonp',
      };
    } catch (e) {
      let err: ExportApiError;
      if (isExportApiError(e)) err = e;
      else {
        options.logger?.error({ err: e, path }, 'export-api: unexpected failure');
        err = new ExportApiError('INTERNAL', 'An unexpected error occurred', { cause: e });
      }
      const res = errorResponse(
        err,
        format,
        pretty,
        callback !== null && JSONP_CALLBACK_RE.test(callback) ? callback : null,
      );
      if (method === 'HEAD') res.body = '';
      return res;
    }
  };
}
