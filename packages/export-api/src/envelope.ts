/** Which Indico generation's envelope and error body to produce. */
export type EnvelopeStyle = '1.2' | '3.x';

export interface EnvelopeInput {
  results: unknown;
  additionalInfo: Record<string, unknown>;
  complete: boolean;
  url: string;
  ts: number;
}

/** `len(results)`; for an object, its number of keys (spec §6.1). */
export function countOf(results: unknown): number {
  if (Array.isArray(results)) return results.length;
  if (results !== null && typeof results === 'object') return Object.keys(results).length;
  return 0;
}

/** The success envelope: 1.2 `{count, additionalInfo, _type, complete, url, ts, results}`; 3.x drops `complete`. */
export function buildEnvelope(input: EnvelopeInput, style: EnvelopeStyle): Record<string, unknown> {
  if (style === '3.x') {
    return {
      count: countOf(input.results),
      additionalInfo: input.additionalInfo,
      ts: input.ts,
      url: input.url,
      results: input.results,
      _type: 'HTTPAPIResult',
    };
  }
  return {
    count: countOf(input.results),
    additionalInfo: input.additionalInfo,
    _type: 'HTTPAPIResult',
    complete: input.complete,
    url: input.url,
    ts: input.ts,
    results: input.results,
  };
}

/** The error body: 1.2 `{message, _type: 'HTTPAPIError', _fossil: 'hTTPAPIError'}`, 3.x `{message}` (spec §6.2, §11). */
export function buildErrorBody(message: string, style: EnvelopeStyle): Record<string, unknown> {
  return style === '3.x' ? { message } : { message, _type: 'HTTPAPIError', _fossil: 'hTTPAPIError' };
}
