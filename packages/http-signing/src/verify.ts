import { timingSafeEqual } from 'node:crypto';
import { ApiMode, type ApiModeName, resolveApiMode } from './api-mode.js';
import {
  type CanonicalEntry,
  canonicalEntriesFromPieces,
  compareEntries,
  encodeEntries,
  splitQuery,
  stringToSign,
} from './canonical.js';
import { signingError } from './errors.js';
import {
  asciiLower,
  binaryToText,
  DECODED_CHANGED,
  DECODED_HIGH,
  DECODED_TILDE,
  decodeFlags,
  formDecodeRange,
  rawToBinary,
  utf8ToBinary,
} from './quote.js';
import { isWellFormedSignature, signatureMatches } from './signature.js';
import type { ApiKeyRecord, ApiKeyStore, ReplayStore } from './store.js';

/** A POST form body already parsed by a body parser: repeated fields as arrays. */
export type ParsedForm = Readonly<Record<string, string | readonly string[]>>;

/** The logged-in session user, for `cookieauth=yes` (spec §3.4). */
export interface CookieUser {
  userId: string;
  /** The session's CSRF token; a request must present the same token. */
  csrfToken: string | null;
}

export interface VerifyRequestInput {
  /** HTTP method; `POST` switches the signed source to the form body (spec §2 step 1). */
  method: string;
  /** Decoded path relative to the application root, e.g. `/export/categ/2.json` (spec §1.1). */
  path: string;
  /** Raw query string without the leading `?`. Non-ASCII characters count as UTF-8; pass bytes to be exact. */
  query?: string | Uint8Array;
  /** POST only: the raw `application/x-www-form-urlencoded` body, or the body parser's result. */
  body?: string | Uint8Array | ParsedForm;
  /** Request headers (any letter case); only `X-CSRF-Token` is read. */
  headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  cookieUser?: CookieUser | null;
  /** Client address, copied into the pending key-use record. */
  ip?: string | null;
  /** Whether the request came over HTTPS (only read with `requireHttps`). */
  secure?: boolean;
}

export interface VerifyLimits {
  /** Longest accepted query (or POST body) in bytes. Default 16384. */
  maxQueryBytes?: number;
  /** Most accepted `&`-separated pieces. Default 256. */
  maxParams?: number;
}

export interface VerifyOptions {
  /** API mode (value or name). Default KEY (0), Indico's default. */
  mode?: ApiMode | ApiModeName;
  keyStore: ApiKeyStore;
  /** Current time in epoch milliseconds, as a number or a clock function; default `Date.now`. */
  now?: number | (() => number);
  /** Accepted |timestamp - now| in seconds, both directions, bounds inclusive. Default 600. */
  ttl?: number;
  /** Server switch for persistent (timestamp-less) signatures; and-ed with the key's flag. Default false. */
  allowPersistent?: boolean;
  /** Opt-in replay protection: each timestamped signature is accepted once within its window. */
  replayStore?: ReplayStore;
  /** Indico 1.2's "HTTPS required": authenticated key requests over plain HTTP fail. Default false. */
  requireHttps?: boolean;
  limits?: VerifyLimits;
}

/** What the caller records with `ApiKeyStore.recordUse` once the request succeeded (spec §2 step 10). */
export interface PendingKeyUse {
  key: string;
  path: string;
  /** Normalised query without signature and timestamp. */
  query: string;
  authenticated: boolean;
  ip: string | null;
}

export interface OutcomeBase {
  /** First value per key, as Indico hooks see them: the auth control params (`ak`, `apikey`, `signature`,
   *  `timestamp`, `ca`/`cookieauth`, `op`/`onlypublic`, `oa`/`onlyauthed`, `nc`/`nocache`, `p`/`pretty`) removed. */
  params: Record<string, string>;
  /** Every decoded `[key, value]` pair of the signed source, in order (control params included). */
  pairs: Array<[string, string]>;
  /** `nc=yes` / `nocache=yes`. */
  noCache: boolean;
  /** `p=yes` / `pretty=yes`. */
  pretty: boolean;
  /** A signature was present and verified. */
  signed: boolean;
  /** The verified signature had no timestamp (persistent). */
  persistent: boolean;
  /** Present when an API key was validated: record it with `recordUse` after the request succeeded. */
  keyUse: PendingKeyUse | null;
}

/** Authenticated as a user (by key, signature or session cookie). */
export interface UserOutcome extends OutcomeBase {
  kind: 'user';
  userId: string;
  via: 'api-key' | 'signature' | 'cookie';
  apiKey: ApiKeyRecord | null;
}

/** A key (or session) was valid, but the request runs with public data only. */
export interface PublicOnlyOutcome extends OutcomeBase {
  kind: 'public-only';
  /** `onlypublic`: the client asked for it; `unsigned`: the mode forces it for unsigned key requests. */
  reason: 'onlypublic' | 'unsigned';
  apiKey: ApiKeyRecord | null;
}

/** No credentials (allowed by the mode). */
export interface AnonymousOutcome extends OutcomeBase {
  kind: 'anonymous';
}

export type VerifyOutcome = UserOutcome | PublicOnlyOutcome | AnonymousOutcome;

const PY_INT = /^[ \t\n\v\f\r]*[+-]?[0-9]+[ \t\n\v\f\r]*$/;
const REMOVE_SIGNATURE: readonly string[] = ['signature'];

/** `[0-9]+` (the usual timestamp), without a regex. */
function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return s.length > 0;
}

/**
 * Prototype of `params` objects: empty and without Object.prototype, so any key (even `__proto__` or
 * `constructor`) is an ordinary own property, while the object itself stays in V8's fast mode.
 */
const PARAMS_PROTO: object = Object.freeze(Object.create(null));
const NO_PAIRS: Array<[string, string]> = Object.freeze([]) as unknown as Array<[string, string]>;
const NO_PARAMS: Record<string, string> = Object.freeze(Object.create(PARAMS_PROTO));

/** Sorts canonical entries; insertion sort for the usual handful, the built-in sort beyond that. */
function sortEntries(entries: CanonicalEntry[]): void {
  if (entries.length > 24) {
    entries.sort(compareEntries);
    return;
  }
  for (let i = 1; i < entries.length; i++) {
    const e = entries[i]!;
    let j = i - 1;
    while (j >= 0 && compareEntries(entries[j]!, e) > 0) {
      entries[j + 1] = entries[j]!;
      j--;
    }
    entries[j + 1] = e;
  }
}

/** @internal Control params Indico pops before hooks run (spec §2 step 2), by index into `Parsed.control`. */
export const CONTROL_NAMES = [
  'ak',
  'apikey',
  'signature',
  'timestamp',
  'ca',
  'cookieauth',
  'op',
  'onlypublic',
  'oa',
  'onlyauthed',
  'nc',
  'nocache',
  'p',
  'pretty',
] as const;
const AK = 0;
const APIKEY = 1;
const SIGNATURE = 2;
const TIMESTAMP = 3;
const CA = 4;
const COOKIEAUTH = 5;
const OP = 6;
const ONLYPUBLIC = 7;
const OA = 8;
const ONLYAUTHED = 9;
const NC = 10;
const NOCACHE = 11;
const P = 12;
const PRETTY = 13;
/** @internal Index of a control param in CONTROL_NAMES, or -1: by length first, so most keys cost one comparison or none. */
export function controlIndex(k: string): number {
  switch (k.length) {
    case 1:
      return k === 'p' ? P : -1;
    case 2:
      return k === 'ak' ? AK : k === 'ca' ? CA : k === 'op' ? OP : k === 'oa' ? OA : k === 'nc' ? NC : -1;
    case 6:
      return k === 'apikey' ? APIKEY : k === 'pretty' ? PRETTY : -1;
    case 7:
      return k === 'nocache' ? NOCACHE : -1;
    case 9:
      return k === 'signature' ? SIGNATURE : k === 'timestamp' ? TIMESTAMP : -1;
    case 10:
      return k === 'cookieauth' ? COOKIEAUTH : k === 'onlypublic' ? ONLYPUBLIC : k === 'onlyauthed' ? ONLYAUTHED : -1;
    default:
      return -1;
  }
}

/** @internal The result of one parse; exported for the package's own benchmarks only. */
export class Parsed {
  /** Canonical entries as Indico 3.x builds them (`&` only). */
  entries: CanonicalEntry[] = [];
  /** Canonical entries as Indico 1.x/2.x builds them (`&` and `;`); same array when there is no raw `;`. */
  entriesPy2: CanonicalEntry[] = this.entries;
  /** Every decoded pair; left empty unless the parse collects everything. */
  pairs: Array<[string, string]>;
  /** First value of every non-control param; left empty unless the parse collects everything. */
  params: Record<string, string>;
  /** First value of each control param, by CONTROL_NAMES index. */
  control: Array<string | undefined> = new Array(CONTROL_NAMES.length).fill(undefined);
  signatureCount = 0;
  /** Some signed key or value contains `~` (then the 1.x/2.x and 3.x forms differ). */
  tilde = false;

  constructor(all: boolean) {
    this.pairs = all ? [] : NO_PAIRS;
    this.params = all ? Object.create(PARAMS_PROTO) : NO_PARAMS;
  }

  add(key: string, value: string): void {
    this.pairs.push([key, value]);
    if (!this.addControl(key, value) && !(key in this.params)) this.params[key] = value;
  }

  /** Records `key` if it is a control param (what the verifier itself reads) and says whether it was one. */
  addControl(key: string, value: string): boolean {
    const index = controlIndex(key);
    if (index === -1) return false;
    this.setControl(index, value);
    return true;
  }

  addSignature(value: string): void {
    this.setControl(SIGNATURE, value);
  }

  /** The first value of a control param wins; every `signature` is counted. */
  setControl(index: number, value: string): void {
    if (index === SIGNATURE) this.signatureCount++;
    if (this.control[index] === undefined) this.control[index] = value;
  }
}

function toText(binary: string): string {
  const text = binaryToText(binary);
  if (text === undefined) {
    throw signingError('QUERY_MALFORMED', `${JSON.stringify(binary.slice(0, 40))} is not valid UTF-8`);
  }
  return text;
}

/** What `parseRaw` gathers besides the canonical entries. */
export const Collect = {
  /** The signature only (`isSignatureValid`). */
  Signature: 0,
  /** The control params (`verifyRequest`; `params` and `pairs` are built on first access). */
  Control: 1,
  /** Control params, `params` and `pairs`. */
  All: 2,
} as const;
export type Collect = (typeof Collect)[keyof typeof Collect];

/**
 * @internal
 * Parses a raw query or form body: canonical entries, plus what `collect` asks for. Every piece's percent-escapes
 * are checked whatever `collect` is, and its UTF-8 too unless only the signature is collected, so a later
 * `Collect.All` parse of input that passed a `Collect.Control` parse cannot fail.
 */
export function parseRaw(
  raw: string | Uint8Array,
  semicolons: boolean,
  maxBytes: number,
  maxParams: number,
  collect: Collect = Collect.All as Collect,
): Parsed {
  if (typeof raw === 'string' && raw.length <= maxBytes) {
    // ASCII (the usual case) is its own binary form; null means a non-ASCII char, to be taken as UTF-8
    const parsed = parseBinary(raw, true, semicolons, maxParams, collect);
    if (parsed !== null) return parsed;
  }
  const bin = rawToBinary(raw);
  if (bin.length > maxBytes) {
    throw signingError('QUERY_TOO_LARGE', `${bin.length} bytes; at most ${maxBytes} are accepted`);
  }
  return parseBinary(bin, false, semicolons, maxParams, collect)!;
}

/** A char that keeps a piece from being its own canonical encoding (`=` and `&` are found separately). */
const SPECIAL = /[^A-Za-z0-9_.=&-]/g;

/**
 * One pass over a binary query, piece by piece, with native searches: the next `&`, the next `=`, and the next char
 * a piece cannot keep as is. A piece made only of `[A-Za-z0-9_.-]` and one `=` is its own canonical encoding (keys
 * lower-cased) and needs no decoding; the others are decoded in one more pass over the piece, which also tells
 * whether `quote_plus` of the result gives back the raw piece (then that is kept as its encoding too).
 * With `asciiOnly`, returns null at the first char above 0x7f.
 */
function parseBinary(
  bin: string,
  asciiOnly: boolean,
  semicolons: boolean,
  maxParams: number,
  collect: Collect,
): Parsed | null {
  const p = new Parsed(collect === Collect.All);
  const n = bin.length;
  let count = 0;
  let semicolon = false;
  SPECIAL.lastIndex = 0;
  let special = SPECIAL.test(bin) ? SPECIAL.lastIndex - 1 : n;
  let nextEq = bin.indexOf('=');
  if (nextEq === -1) nextEq = n;
  for (let start = 0; start < n; ) {
    let i = bin.indexOf('&', start);
    if (i === -1) i = n;
    let unclean = false;
    while (special < i) {
      unclean = true;
      const c = bin.charCodeAt(special);
      if (c === 0x3b) semicolon = true;
      else if (c >= 0x80 && asciiOnly) return null;
      special = SPECIAL.test(bin) ? SPECIAL.lastIndex - 1 : n;
    }
    let eq = -1;
    if (nextEq < i) {
      eq = nextEq;
      nextEq = bin.indexOf('=', eq + 1);
      if (nextEq === -1) nextEq = n;
      while (nextEq < i) {
        unclean = true; // a second `=` belongs to the value, which quote_plus then encodes
        nextEq = bin.indexOf('=', nextEq + 1);
        if (nextEq === -1) nextEq = n;
      }
    }
    if (i > start) {
      if (++count > maxParams) throw signingError('QUERY_TOO_LARGE', `more than ${maxParams} parameters`);
      if (unclean) addDecodedPiece(p, bin, start, eq, i, collect);
      else addCleanPiece(p, bin, start, eq, i, collect);
    }
    start = i + 1;
  }
  sortEntries(p.entries);
  p.entriesPy2 =
    semicolons && semicolon ? canonicalEntriesFromPieces(splitQuery(bin, true), REMOVE_SIGNATURE) : p.entries;
  return p;
}

/** A piece of `[A-Za-z0-9_.-]` and at most one `=`: the text is the raw piece, nearly its own canonical form. */
function addCleanPiece(p: Parsed, bin: string, start: number, eq: number, end: number, collect: Collect): void {
  const key = bin.slice(start, eq === -1 ? end : eq);
  if (collect === Collect.All) p.add(key, eq === -1 ? '' : bin.slice(eq + 1, end));
  else if (collect === Collect.Control) {
    // only the verifier's own params need their value as a string of its own
    const index = controlIndex(key);
    if (index !== -1) p.setControl(index, eq === -1 ? '' : bin.slice(eq + 1, end));
  } else if (key === 'signature') p.addSignature(eq === -1 ? '' : bin.slice(eq + 1, end));
  if (eq === -1 || eq === end - 1) return; // parse_qs drops `=`-less and blank pieces
  const k = key.toLowerCase();
  if (k === 'signature') return;
  const e = k === key ? bin.slice(start, end) : k + bin.slice(eq, end);
  p.entries.push({ k, v: undefined, e2: e, e3: e }); // the value is read from `e2` if a sort needs it
}

/** Any other piece: decoded (`+`, `%XX`), checked as UTF-8 unless only the signature is collected. */
function addDecodedPiece(p: Parsed, bin: string, start: number, eq: number, end: number, collect: Collect): void {
  const kb = formDecodeRange(bin, start, eq === -1 ? end : eq);
  const kFlags = decodeFlags.value;
  const vb = eq === -1 ? '' : formDecodeRange(bin, eq + 1, end);
  const flags = kFlags | (eq === -1 ? 0 : decodeFlags.value);
  if (collect !== Collect.Signature) {
    // decoded as text here too, so an invalid query fails now, not when `params` is first read
    const key = kFlags & DECODED_HIGH ? toText(kb) : kb;
    const value = flags & DECODED_HIGH ? toText(vb) : vb;
    if (collect === Collect.All) p.add(key, value);
    else p.addControl(key, value);
  } else if (kb === 'signature') p.addSignature(vb);
  if (eq === -1 || eq === end - 1) return;
  const k = asciiLower(kb);
  if (k === 'signature') return;
  if (flags & DECODED_TILDE) p.tilde = true;
  // when quote_plus gives back the raw text, the raw piece (key lower-cased) is the 1.x/2.x encoding, and the 3.x
  // one too unless a `~` is involved
  let e: string | undefined;
  if (!(flags & DECODED_CHANGED)) {
    if (k === kb) e = bin.slice(start, end);
    else if (eq - start === kb.length && bin.startsWith(kb, start)) e = k + bin.slice(eq, end); // raw key = text
  }
  p.entries.push({ k, v: vb, e2: e, e3: flags & DECODED_TILDE ? undefined : e });
}

function parseForm(form: ParsedForm, maxParams: number): Parsed {
  const p = new Parsed(true);
  for (const [key, raw] of Object.entries(form)) {
    const values = typeof raw === 'string' ? [raw] : raw;
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw signingError('QUERY_MALFORMED', `form field ${JSON.stringify(key)} is not a string or a list of strings`);
    }
    for (const value of values as string[]) {
      if (p.pairs.length >= maxParams) throw signingError('QUERY_TOO_LARGE', `more than ${maxParams} parameters`);
      p.add(key, value);
      const k = asciiLower(utf8ToBinary(key));
      if (value !== '' && k !== 'signature') {
        p.entries.push({ k, v: utf8ToBinary(value), e2: undefined, e3: undefined });
        if (k.includes('~') || value.includes('~')) p.tilde = true;
      }
    }
  }
  sortEntries(p.entries);
  p.entriesPy2 = p.entries;
  return p;
}

function isParsedForm(body: VerifyRequestInput['body']): body is ParsedForm {
  return typeof body === 'object' && body !== null && !(body instanceof Uint8Array);
}

/** Epoch milliseconds from a `now` option (a number, a clock function, or nothing for `Date.now`). */
export function currentTime(now: VerifyOptions['now']): number {
  if (typeof now === 'number') return now;
  return now ? now() : Date.now();
}

/** Python `get_query_parameter`: the first name with a non-empty value wins (`ak` before `apikey`). */
function pick(first: string | undefined, second: string | undefined): string | undefined {
  return first ? first : second ? second : undefined;
}

function header(headers: VerifyRequestInput['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== name || v === undefined) continue;
    return typeof v === 'string' ? v : v[0];
  }
  return undefined;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Authenticates one export/API request the way an Indico server does (spec: export-api-and-signing §2-4):
 * API key (`ak` or `apikey`), HMAC-SHA1 signature over the canonical query in both the 1.x/2.x and the 3.x
 * form, timestamp window, persistent signatures, `onlypublic`, `onlyauthed`, cookie auth with CSRF token,
 * and the five API modes. Resolves to the outcome; rejects with an HttpSigningError (Indico's message + code).
 * Nothing is written except the replay token (when a replay store is given); record key usage yourself with
 * `outcome.keyUse` once the request succeeded (the express middleware does that on a successful response).
 */
export async function verifyRequest(input: VerifyRequestInput, options: VerifyOptions): Promise<VerifyOutcome> {
  if (typeof input.path !== 'string' || typeof input.method !== 'string') {
    throw new TypeError('verifyRequest() needs { method: string, path: string }');
  }
  const mode = resolveApiMode(options.mode);
  const isPost = input.method.length === 4 && input.method.toUpperCase() === 'POST';
  const source = isPost ? input.body : input.query;
  const maxBytes = options.limits?.maxQueryBytes ?? 16384;
  const maxParams = options.limits?.maxParams ?? 256;
  const form = isParsedForm(source);
  const parsed = form
    ? parseForm(source, maxParams)
    : parseRaw(source ?? '', !isPost, maxBytes, maxParams, Collect.Control);
  // `params` and `pairs` are built on first access (the export API, for one, never reads them): a second pass over
  // the same, already validated, input.
  let all: Parsed | null = null;
  const full = form ? () => parsed : () => (all ??= parseRaw(source ?? '', !isPost, maxBytes, maxParams, Collect.All));

  if (parsed.signatureCount > 1) {
    throw signingError('SIGNATURE_DUPLICATED', `${parsed.signatureCount} signature parameters`);
  }
  const { control } = parsed;
  const signature = control[SIGNATURE] ?? '';
  const timestampText = control[TIMESTAMP];
  let timestamp = 0;
  if (timestampText) {
    if (!isDigits(timestampText) && !PY_INT.test(timestampText)) {
      throw signingError('TIMESTAMP_MALFORMED', `timestamp ${JSON.stringify(timestampText.slice(0, 40))}`);
    }
    timestamp = Number(timestampText.trim()) || 0;
  }
  const ak = pick(control[AK], control[APIKEY]);
  const onlyPublicRequested = pick(control[OP], control[ONLYPUBLIC]) === 'yes';
  const onlyAuthed = pick(control[OA], control[ONLYAUTHED]) === 'yes';
  const noCache = pick(control[NC], control[NOCACHE]) === 'yes';
  const pretty = pick(control[P], control[PRETTY]) === 'yes';

  // Cookie (session) auth: only without a key, and only for a logged-in session (spec §3.4).
  if (!ak && input.cookieUser && pick(control[CA], control[COOKIEAUTH]) === 'yes') {
    const expected = input.cookieUser.csrfToken;
    const given = header(input.headers, 'x-csrf-token') || full().params.csrftoken || '';
    if (!expected || !given || !sameToken(given, expected)) throw signingError('INVALID_CSRF_TOKEN');
    if (onlyPublicRequested && onlyAuthed) throw signingError('NOT_AUTHENTICATED');
    const flags = { noCache, pretty, signed: false, persistent: false, keyUse: null };
    if (onlyPublicRequested) return outcome({ kind: 'public-only', reason: 'onlypublic', apiKey: null }, full, flags);
    return outcome({ kind: 'user', userId: input.cookieUser.userId, via: 'cookie', apiKey: null }, full, flags);
  }

  if (!ak) {
    if (mode === ApiMode.ONLYKEY || mode === ApiMode.ONLYKEY_SIGNED || mode === ApiMode.ALL_SIGNED) {
      throw signingError('API_KEY_MISSING');
    }
    if (onlyAuthed) throw signingError('NOT_AUTHENTICATED');
    return outcome({ kind: 'anonymous' }, full, { noCache, pretty, signed: false, persistent: false, keyUse: null });
  }

  const record = options.keyStore.peek?.(ak) ?? (await options.keyStore.get(ak));
  if (!record) throw signingError('INVALID_API_KEY');
  if (record.blocked) throw signingError('API_KEY_BLOCKED');

  let onlyPublic = onlyPublicRequested;
  let signed = false;
  let persistent = false;
  let reason: PublicOnlyOutcome['reason'] = 'onlypublic';
  if (signature) {
    const nowMs = currentTime(options.now);
    const nowSec = Math.floor(nowMs / 1000);
    const ttl = options.ttl ?? 600;
    if (timestamp === 0) {
      if (!(record.persistentAllowed && options.allowPersistent === true)) throw signingError('SIGNATURE_NO_TIMESTAMP');
    } else if (!(Math.abs(timestamp - nowSec) <= ttl)) {
      throw signingError('SIGNATURE_BAD_TIMESTAMP', `timestamp ${timestamp}, server time ${nowSec}, ttl ${ttl} s`);
    }
    const py2 = stringToSign(input.path, encodeEntries(parsed.entriesPy2, false));
    const py3 =
      parsed.entriesPy2 === parsed.entries && !parsed.tilde
        ? py2
        : stringToSign(input.path, encodeEntries(parsed.entries, true));
    if (!signatureMatches(record.secret, signature, py2, py3)) {
      // the shape is checked by the same pass that reads the digits
      if (!isWellFormedSignature(signature)) {
        throw signingError('SIGNATURE_MALFORMED', 'a signature is 40 lowercase hex digits');
      }
      throw signingError('SIGNATURE_INVALID');
    }
    if (options.replayStore && timestamp !== 0) {
      const ttlMs = (timestamp + ttl + 1) * 1000 - nowMs;
      if (!(await options.replayStore.markUsed(`${record.key}:${signature}`, ttlMs))) {
        throw signingError('SIGNATURE_REPLAYED');
      }
    }
    signed = true;
    persistent = timestamp === 0;
  } else if (mode === ApiMode.ALL_SIGNED) {
    throw signingError('SIGNATURE_MISSING');
  } else if (mode === ApiMode.SIGNED || mode === ApiMode.ONLYKEY_SIGNED) {
    onlyPublic = true;
    if (!onlyPublicRequested) reason = 'unsigned';
  }

  if (!onlyPublic && options.requireHttps === true && input.secure !== true) throw signingError('HTTPS_REQUIRED');
  if (onlyPublic && onlyAuthed) throw signingError('NOT_AUTHENTICATED');

  const keyUse: PendingKeyUse = {
    key: record.key,
    path: input.path,
    query: encodeEntries(parsed.entriesPy2, false, 'timestamp'),
    authenticated: !onlyPublic,
    ip: input.ip ?? null,
  };
  const flags = { noCache, pretty, signed, persistent, keyUse };
  if (onlyPublic) return outcome({ kind: 'public-only', reason, apiKey: record }, full, flags);
  return outcome(
    { kind: 'user', userId: record.userId, via: signed ? 'signature' : 'api-key', apiKey: record },
    full,
    flags,
  );
}

type OutcomeHead =
  | Omit<UserOutcome, keyof OutcomeBase>
  | Omit<PublicOnlyOutcome, keyof OutcomeBase>
  | Omit<AnonymousOutcome, keyof OutcomeBase>;

/**
 * Outcomes are instances of this class: every field is an own property except `params` and `pairs`, accessors
 * that parse the input once more on first access (the export API, for one, never reads them); `toJSON()` includes
 * them.
 */
class Outcome {
  #full: () => Parsed;
  #params: Record<string, string> | null = null;
  #pairs: Array<[string, string]> | null = null;
  declare kind: VerifyOutcome['kind'];
  declare userId: string;
  declare via: UserOutcome['via'];
  declare reason: PublicOnlyOutcome['reason'];
  declare apiKey: ApiKeyRecord | null;
  declare noCache: boolean;
  declare pretty: boolean;
  declare signed: boolean;
  declare persistent: boolean;
  declare keyUse: PendingKeyUse | null;
  constructor(
    head: OutcomeHead,
    full: () => Parsed,
    flags: Pick<OutcomeBase, 'noCache' | 'pretty' | 'signed' | 'persistent' | 'keyUse'>,
  ) {
    // field by field (not Object.assign): each kind gets exactly its own fields, and this is on every request
    this.kind = head.kind;
    if (head.kind === 'user') {
      this.userId = head.userId;
      this.via = head.via;
      this.apiKey = head.apiKey;
    } else if (head.kind === 'public-only') {
      this.reason = head.reason;
      this.apiKey = head.apiKey;
    }
    this.noCache = flags.noCache;
    this.pretty = flags.pretty;
    this.signed = flags.signed;
    this.persistent = flags.persistent;
    this.keyUse = flags.keyUse;
    this.#full = full;
  }
  get params(): Record<string, string> {
    if (this.#params === null) this.#fill();
    return this.#params!;
  }
  set params(value: Record<string, string>) {
    this.#params = value;
  }
  get pairs(): Array<[string, string]> {
    if (this.#pairs === null) this.#fill();
    return this.#pairs!;
  }
  set pairs(value: Array<[string, string]>) {
    this.#pairs = value;
  }
  #fill(): void {
    const parsed = this.#full();
    this.#params ??= parsed.params;
    this.#pairs ??= parsed.pairs;
  }
  toJSON(): object {
    return { ...this, params: this.params, pairs: this.pairs };
  }
}

function outcome(
  head: OutcomeHead,
  full: () => Parsed,
  flags: Pick<OutcomeBase, 'noCache' | 'pretty' | 'signed' | 'persistent' | 'keyUse'>,
): VerifyOutcome {
  return new Outcome(head, full, flags) as unknown as VerifyOutcome;
}

/**
 * The signature check alone, without key lookup, modes or timestamp rules: true when the query's `signature`
 * (exactly one, 40 lowercase hex digits) is the HMAC-SHA1 of `path` plus the canonical query in the Indico
 * 1.x/2.x or 3.x form, under `secretKey`. For a POST pass the form body as `query` and `post: true`.
 * Throws HttpSigningError `QUERY_MALFORMED` / `QUERY_TOO_LARGE` like verifyRequest.
 */
export function isSignatureValid(
  path: string,
  query: string | Uint8Array,
  secretKey: string,
  options: { post?: boolean; limits?: VerifyLimits } = {},
): boolean {
  const parsed = parseRaw(
    query,
    options.post !== true,
    options.limits?.maxQueryBytes ?? 16384,
    options.limits?.maxParams ?? 256,
    Collect.Signature,
  );
  const signature = parsed.control[SIGNATURE];
  if (parsed.signatureCount !== 1 || !signature) return false; // signatureMatches checks the shape
  const py2 = stringToSign(path, encodeEntries(parsed.entriesPy2, false));
  const py3 =
    parsed.entriesPy2 === parsed.entries && !parsed.tilde
      ? py2
      : stringToSign(path, encodeEntries(parsed.entries, true));
  return signatureMatches(secretKey, signature, py2, py3);
}
