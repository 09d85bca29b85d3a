import { asciiLower, formDecodeRange, quotePlusBinary, rawToBinary, utf8ToBinary } from './quote.js';

/**
 * Which Indico server's canonical form to build (spec: export-api-and-signing §4.1, §4.3, §11):
 * - `indico1x2x`: Python 2 (`urlparse.parse_qs` splits on `&` and `;`, `quote_plus` encodes `~` as `%7E`);
 *   also what PHP's `http_build_query` and the seed's Python 2 client produce.
 * - `indico3x`: Python 3 (`&` only, `~` literal); what the seed's client ported to Python >= 3.7 produces.
 */
export type CanonicalFlavor = 'indico1x2x' | 'indico3x';

/** A parameter value a client may pass; `null`/`undefined` are left out (as PHP drops `null`). */
export type ParamValue = string | number | bigint | null | undefined;

/** Parameters as decoded text: a record (arrays mean a repeated key) or `[key, value]` pairs in order. */
export type ParamsInput =
  | Readonly<Record<string, ParamValue | readonly ParamValue[]>>
  | Iterable<readonly [string, ParamValue]>;

export interface CanonicalQueryOptions {
  /** Default `indico1x2x`. */
  flavor?: CanonicalFlavor;
  /** Lower-case key names left out of the canonical form. Default `['signature']`. */
  remove?: readonly string[];
}

/**
 * One decoded parameter that takes part in the canonical form: `k` lower-cased key, `v` value (binary strings).
 * `e2` / `e3` cache the encoded `k=v` pair for the 1.x/2.x and the 3.x form. When the pair is its own encoding
 * (`e2` is `k=v` itself) `v` may be left undefined: `entryValue` reads it from `e2`.
 */
export interface CanonicalEntry {
  k: string;
  v: string | undefined;
  e2: string | undefined;
  e3: string | undefined;
}

/** The value of an entry (see CanonicalEntry). */
export function entryValue(e: CanonicalEntry): string {
  return e.v ?? e.e2!.slice(e.k.length + 1);
}

/** Per byte: 1 = kept by `quote_plus` and by lower-casing; 2 = A-Z (kept, but lower-cased in keys); 0 = other. */
const PIECE_CLASS = new Uint8Array(256);
for (const ch of 'abcdefghijklmnopqrstuvwxyz0123456789_.-') PIECE_CLASS[ch.charCodeAt(0)] = 1;
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') PIECE_CLASS[ch.charCodeAt(0)] = 2;
const CLASS = PIECE_CLASS;

/** Flag of `scanPiece`: the piece needs decoding or encoding (anything but `[A-Za-z0-9_.-]` and the first `=`). */
export const PIECE_UNCLEAN = 1;
/** Flag of `scanPiece`: the key has upper-case letters. */
export const PIECE_UPPER_KEY = 2;

/**
 * One pass over a raw `key=value` piece (binary string). Returns `(eq + 1) * 4 + flags`, where `eq` is the
 * index of the first `=` (-1 if none). Most real pieces are clean, and a clean piece is its own canonical
 * encoding, so the canonicaliser can skip decoding and re-encoding it.
 */
export function scanPiece(piece: string): number {
  let eq = -1;
  let flags = 0;
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if (c === 0x3d && eq === -1) {
      eq = i;
      continue;
    }
    const t = c < 256 ? CLASS[c] : 0;
    if (t === 0) flags |= PIECE_UNCLEAN;
    else if (t === 2 && eq === -1) flags |= PIECE_UPPER_KEY;
  }
  return (eq + 1) * 4 + flags;
}

/** The canonical entry of a piece with a `=` and a non-empty value, given its `scanPiece` result. */
export function entryFromPiece(piece: string, scan: number): CanonicalEntry {
  const eq = (scan >> 2) - 1;
  if ((scan & PIECE_UNCLEAN) === 0) {
    if ((scan & PIECE_UPPER_KEY) === 0) return { k: piece.slice(0, eq), v: piece.slice(eq + 1), e2: piece, e3: piece };
    const k = piece.slice(0, eq).toLowerCase();
    const e = k + piece.slice(eq);
    return { k, v: piece.slice(eq + 1), e2: e, e3: e };
  }
  return {
    k: asciiLower(formDecodeRange(piece, 0, eq)),
    v: formDecodeRange(piece, eq + 1, piece.length),
    e2: undefined,
    e3: undefined,
  };
}

const DEFAULT_REMOVE: readonly string[] = ['signature'];

export function compareEntries(a: CanonicalEntry, b: CanonicalEntry): number {
  if (a.k !== b.k) return a.k < b.k ? -1 : 1;
  const av = entryValue(a);
  const bv = entryValue(b);
  if (av !== bv) return av < bv ? -1 : 1;
  return 0;
}

/**
 * Decoded, filtered and sorted entries of raw `&`-separated pieces, as `parse_qs` + the server's sort see them:
 * pieces without `=` or with an empty raw value are dropped, keys are compared lower-cased, values byte-wise.
 */
export function canonicalEntriesFromPieces(pieces: readonly string[], remove: readonly string[]): CanonicalEntry[] {
  const out: CanonicalEntry[] = [];
  for (const piece of pieces) {
    const scan = scanPiece(piece);
    const eq = (scan >> 2) - 1;
    if (eq === -1 || eq === piece.length - 1) continue;
    const entry = entryFromPiece(piece, scan);
    if (!remove.includes(entry.k)) out.push(entry);
  }
  return out.sort(compareEntries);
}

/** `urlencode` of sorted entries, joined with `&`, leaving out entries keyed `skip` (encoded pairs are cached). */
export function encodeEntries(entries: readonly CanonicalEntry[], tildeLiteral: boolean, skip?: string): string {
  let out = '';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.k === skip) continue;
    let pair = tildeLiteral ? e.e3 : e.e2;
    if (pair === undefined) {
      pair = `${quotePlusBinary(e.k, tildeLiteral)}=${quotePlusBinary(entryValue(e), tildeLiteral)}`;
      if (tildeLiteral) e.e3 = pair;
      else e.e2 = pair;
    }
    out += out === '' ? pair : `&${pair}`;
  }
  return out;
}

/** Splits a binary query on `&` (and, for Python 2, on `;` as well). Empty pieces are kept; callers skip them. */
export function splitQuery(query: string, semicolons: boolean): string[] {
  if (query === '') return [];
  return semicolons && query.includes(';') ? query.split(/[&;]/) : query.split('&');
}

function isIterablePairs(params: ParamsInput): params is Iterable<readonly [string, ParamValue]> {
  return typeof (params as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/** Flattens client params into ordered `[key, text]` pairs, skipping null/undefined values. */
export function paramPairs(params: ParamsInput): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (k: string, v: ParamValue) => {
    if (v === null || v === undefined) return;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') {
      throw new TypeError(`parameter ${JSON.stringify(k)} must be a string or a number, got ${typeof v}`);
    }
    out.push([k, String(v)]);
  };
  if (isIterablePairs(params)) {
    for (const [k, v] of params) add(k, v);
  } else {
    for (const [k, v] of Object.entries(params)) {
      if (Array.isArray(v)) for (const item of v) add(k, item);
      else add(k, v as ParamValue);
    }
  }
  return out;
}

/** Entries of decoded text pairs (what a client holds before encoding). */
export function canonicalEntriesFromPairs(
  pairs: Iterable<readonly [string, string]>,
  remove: readonly string[],
): CanonicalEntry[] {
  const out: CanonicalEntry[] = [];
  for (const [key, value] of pairs) {
    if (value === '') continue;
    const k = asciiLower(utf8ToBinary(key));
    if (remove.includes(k)) continue;
    out.push({ k, v: utf8ToBinary(value), e2: undefined, e3: undefined });
  }
  return out.sort(compareEntries);
}

/**
 * The canonical query string an Indico server rebuilds before checking a signature (spec §4.1 step 2):
 * keys lower-cased and sorted, values of a repeated key sorted, blank and `=`-less pairs dropped, `signature`
 * (any case) left out, re-encoded with Python `quote_plus`.
 *
 * `query` is either the raw query string as received (without the leading `?`; non-ASCII characters are
 * taken as UTF-8; pass bytes to be exact) or decoded params (a record or `[key, value]` pairs).
 * Throws HttpSigningError `QUERY_MALFORMED` on a bad percent-escape.
 */
export function canonicalQuery(query: string | Uint8Array | ParamsInput, options: CanonicalQueryOptions = {}): string {
  const flavor = options.flavor ?? 'indico1x2x';
  const remove = (options.remove ?? DEFAULT_REMOVE).map(asciiLower);
  const py2 = flavor === 'indico1x2x';
  const entries =
    typeof query === 'string' || query instanceof Uint8Array
      ? canonicalEntriesFromPieces(splitQuery(rawToBinary(query), py2), remove)
      : canonicalEntriesFromPairs(paramPairs(query), remove);
  return encodeEntries(entries, !py2);
}

/** `path?canonical`, or just `path` when no parameter is left (spec §4.1 step 2.5). */
export function stringToSign(path: string, canonical: string): string {
  return canonical === '' ? path : `${path}?${canonical}`;
}
