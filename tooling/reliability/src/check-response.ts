/**
 * What a fuzzed export API response may look like (spec: export-api §2 steps 10-11, §6.1-6.2, §7): a 2xx
 * with a well-formed body of its format, or a 4xx that is either Indico's plain-text 404/405 or an
 * `HTTPAPIError` body in json/jsonp/xml. Anything else (5xx, 3xx, a success without its envelope) is a finding.
 */

export interface FuzzedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSONP_RE = /^\/\/ fetched from Indico\n([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\(([\s\S]*)\);$/;

function parseJsonBody(body: string, contentType: string): unknown {
  if (contentType.startsWith('application/json')) return JSON.parse(body);
  const m = JSONP_RE.exec(body);
  if (!m) throw new Error('not a JSONP body');
  return JSON.parse(m[2]!);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function countOf(results: unknown): number {
  if (Array.isArray(results)) return results.length;
  return isObject(results) ? Object.keys(results).length : 0;
}

/** Returns why the response is not acceptable, or null when it is. */
export function checkExportResponse(res: FuzzedResponse, method: string): string | null {
  const ct = res.headers['content-type'] ?? '';
  const m = method.toUpperCase();
  if (res.status >= 500) return `server error ${res.status}: ${res.body.slice(0, 200)}`;
  if (res.status < 200 || (res.status >= 300 && res.status < 400)) return `unexpected status ${res.status}`;
  // The handler's own plain-text 404/405 keep their text on HEAD; node's http layer drops it on the wire.
  if (m === 'HEAD' && res.body === '') return null;
  if (m === 'HEAD' && !ct.startsWith('text/plain')) return 'HEAD response with a body';

  if (res.status >= 400) {
    if (ct.startsWith('text/plain')) {
      return (res.status === 404 && res.body === 'Not Found') ||
        (res.status === 405 && res.body === 'Method Not Allowed')
        ? null
        : `plain-text ${res.status} with body ${JSON.stringify(res.body.slice(0, 80))}`;
    }
    if (ct.startsWith('text/xml')) {
      return /<httpapierror[\s>]/.test(res.body) && /<message>/.test(res.body)
        ? null
        : 'xml error without HTTPAPIError';
    }
    try {
      const err = parseJsonBody(res.body, ct);
      if (!isObject(err) || typeof err.message !== 'string' || err._type !== 'HTTPAPIError') {
        return `error body is not an HTTPAPIError: ${res.body.slice(0, 120)}`;
      }
      return null;
    } catch (e) {
      return `unparseable ${res.status} body (${ct}): ${(e as Error).message}`;
    }
  }

  // 2xx: the envelope (json, jsonp, xml) or a document of the requested format.
  if (ct === 'application/json' || ct === 'application/javascript') {
    let env: unknown;
    try {
      env = parseJsonBody(res.body, ct);
    } catch (e) {
      return `unparseable success body (${ct}): ${(e as Error).message}`;
    }
    if (!isObject(env) || env._type !== 'HTTPAPIResult') return 'success without an HTTPAPIResult envelope';
    if (typeof env.count !== 'number' || env.count !== countOf(env.results)) return 'envelope count != results';
    if (typeof env.complete !== 'boolean' || typeof env.url !== 'string' || typeof env.ts !== 'number') {
      return 'envelope misses complete/url/ts';
    }
    if (!isObject(env.additionalInfo)) return 'envelope misses additionalInfo';
    return null;
  }
  if (ct === 'text/xml')
    return /^<\?xml[^>]*\?>\s*<httpapiresult[\s>]/.test(res.body) ? null : 'xml without httpapiresult root';
  if (ct === 'text/calendar') {
    return res.body.startsWith('BEGIN:VCALENDAR') && res.body.trimEnd().endsWith('END:VCALENDAR') ? null : 'bad ics';
  }
  if (ct === 'application/atom+xml') return /<feed[\s>]/.test(res.body) ? null : 'atom without <feed>';
  if (ct === 'text/html') return null;
  return `success with unexpected content type ${JSON.stringify(ct)}`;
}
