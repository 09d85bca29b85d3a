import { signingError } from './errors.js';

/*
 * Byte-level helpers. A "binary string" is a JS string whose every char code is one byte (0-255), i.e. latin1.
 * JS string comparison of binary strings is byte-wise comparison, which is what Python 2 sorts by, so the
 * canonicaliser never needs Buffers on its hot path.
 */

const HEX = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);

/** Python 2 `quote_plus` keeps exactly these bytes literal (spec §4.1 step 2.4). */
const SAFE = new Uint8Array(256);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-') SAFE[ch.charCodeAt(0)] = 1;

const ALL_SAFE = /^[A-Za-z0-9_.-]*$/;
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * `quote_plus` over a binary string: `[A-Za-z0-9_.-]` literal, space as `+`, everything else `%XX` (uppercase).
 * With `tildeLiteral` (Python >= 3.7, Indico 3.x) `~` also stays literal.
 */
export function quotePlusBinary(s: string, tildeLiteral: boolean): string {
  if (ALL_SAFE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (SAFE[c] === 1) out += s[i];
    else if (c === 0x20) out += '+';
    else if (c === 0x7e && tildeLiteral) out += '~';
    else out += HEX[c];
  }
  return out;
}

/** UTF-8 bytes of `s` as a binary string. */
export function utf8ToBinary(s: string): string {
  return NON_ASCII.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/** A raw query given as a string (UTF-8 for any non-ASCII char) or as bytes, as a binary string. */
export function rawToBinary(raw: string | Uint8Array): string {
  if (typeof raw === 'string') return utf8ToBinary(raw);
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
}

/** Python `quote_plus` of a text (encoded as UTF-8 first). */
export function quotePlus(text: string, options: { tilde?: 'encoded' | 'literal' } = {}): string {
  return quotePlusBinary(utf8ToBinary(text), options.tilde === 'literal');
}

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Form-decodes one raw key or value into a binary string: `+` is a space, `%XX` a byte. Python leaves a bad
 * escape as literal text; no genuine client produces one, so we reject it (QUERY_MALFORMED) instead of guessing.
 */
export function formDecodeBinary(raw: string): string {
  const s = raw.indexOf('+') === -1 ? raw : raw.replace(/\+/g, ' ');
  const pct = s.indexOf('%');
  if (pct === -1) return s;
  let out = '';
  let last = 0;
  for (let i = pct; i < s.length; i++) {
    if (s.charCodeAt(i) !== 0x25) continue;
    const hi = i + 2 < s.length ? hexVal(s.charCodeAt(i + 1)) : -1;
    const lo = hi === -1 ? -1 : hexVal(s.charCodeAt(i + 2));
    if (lo === -1) {
      throw signingError('QUERY_MALFORMED', `bad percent-escape ${JSON.stringify(s.slice(i, i + 3))}`);
    }
    out += s.slice(last, i) + String.fromCharCode(hi * 16 + lo);
    last = i + 3;
    i += 2;
  }
  return out + s.slice(last);
}

/** ASCII-only lower-casing, as Python 2 `str.lower()` on bytes (and PHP >= 8.2 `strtolower`). */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes a binary string as strict UTF-8; undefined when the bytes are not valid UTF-8. */
export function binaryToText(s: string): string | undefined {
  if (!/[\u0080-\uffff]/.test(s)) return s;
  try {
    return decoder.decode(Buffer.from(s, 'latin1'));
  } catch {
    return undefined;
  }
}
