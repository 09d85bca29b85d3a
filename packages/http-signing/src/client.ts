import {
  type CanonicalFlavor,
  canonicalEntriesFromPairs,
  encodeEntries,
  type ParamsInput,
  paramPairs,
  stringToSign,
} from './canonical.js';
import { quotePlusBinary, utf8ToBinary } from './quote.js';
import { computeSignature } from './signature.js';

export interface BuildIndicoRequestOptions {
  /** Sent as `apikey` (or `ak`, see `keyParam`). Without it the request is anonymous. */
  apiKey?: string | null;
  /** With a secret the request is signed. */
  secretKey?: string | null;
  /** Adds `onlypublic=yes` (signed like any other param). */
  onlyPublic?: boolean;
  /** Signs without a timestamp; the server must allow persistent signatures for the key and globally. */
  persistent?: boolean;
  /** Unix time in seconds; default `Math.floor(Date.now() / 1000)`. */
  timestamp?: number;
  /** Name of the key parameter; Indico accepts both. Default `apikey`, as the seed clients. */
  keyParam?: 'apikey' | 'ak';
  /**
   * Which server's canonical form to sign. They differ only for values containing `~`.
   * Default `indico1x2x` (also accepted by this package's verifier, which accepts both).
   */
  flavor?: CanonicalFlavor;
}

export interface SignedRequest {
  /** `path?query` ready to send (the query holds the params in the given order, then key, timestamp, signature). */
  url: string;
  /** The query part alone (what a POST sends as its form body). */
  query: string;
  /** The exact string that was signed, or null for unsigned requests. */
  stringToSign: string | null;
  signature: string | null;
  timestamp: number | null;
}

const RESERVED = new Set(['signature', 'timestamp', 'apikey', 'ak', 'onlypublic']);

/**
 * Builds a request the way the seed's clients intend to, but signing the canonical form the server rebuilds
 * (spec §4.2): lower-cased keys, sorted repeated values, blank values left out of the signed string (they are
 * still sent). So `O`/`T`, repeated keys and empty values work, unlike with the seed clients.
 */
export function signRequest(path: string, params: ParamsInput, options: BuildIndicoRequestOptions = {}): SignedRequest {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('path must start with "/"');
  const pairs = paramPairs(params);
  for (const [k] of pairs) {
    if (RESERVED.has(k.toLowerCase())) throw new TypeError(`parameter ${JSON.stringify(k)} is added by the client`);
  }
  const tildeLiteral = options.flavor === 'indico3x';
  if (options.apiKey) pairs.push([options.keyParam ?? 'apikey', options.apiKey]);
  if (options.onlyPublic) pairs.push(['onlypublic', 'yes']);
  let signed: string | null = null;
  let signature: string | null = null;
  let timestamp: number | null = null;
  if (options.secretKey) {
    if (!options.persistent) {
      timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
      if (!Number.isSafeInteger(timestamp)) throw new TypeError(`timestamp must be an integer, got ${timestamp}`);
      pairs.push(['timestamp', String(timestamp)]);
    }
    signed = stringToSign(path, encodeEntries(canonicalEntriesFromPairs(pairs, ['signature']), tildeLiteral));
    signature = computeSignature(options.secretKey, signed);
    pairs.push(['signature', signature]);
  }
  const query = pairs
    .map(
      ([k, v]) => `${quotePlusBinary(utf8ToBinary(k), tildeLiteral)}=${quotePlusBinary(utf8ToBinary(v), tildeLiteral)}`,
    )
    .join('&');
  return { url: query === '' ? path : `${path}?${query}`, query, stringToSign: signed, signature, timestamp };
}

/** The seed's `build_indico_request`, fixed to sign the canonical form: returns the URL (`path?query`). */
export function buildIndicoRequest(path: string, params: ParamsInput, options: BuildIndicoRequestOptions = {}): string {
  return signRequest(path, params, options).url;
}
