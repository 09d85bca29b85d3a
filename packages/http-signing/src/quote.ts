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

/** `formDecodeRange` flag: `quote_plus` of the result is not the raw text (a safe byte or a space was escaped, an
 *  escape used lowercase hex, or a byte quote_plus escapes was sent raw). */
export const DECODED_CHANGED = 1;
/** `formDecodeRange` flag: the result has a byte >= 0x80 (so it must be checked as UTF-8). */
export const DECODED_HIGH = 2;
/** `formDecodeRange` flag: the result has a `~` (the 1.x/2.x and the 3.x encodings differ). */
export const DECODED_TILDE = 4;
/** Flags of the last `formDecodeRange` call. */
export const decodeFlags = { value: 0 };

/**
 * Form-decodes `s.slice(from, to)`, a raw key or value, into a binary string: `+` is a space, `%XX` a byte; and
 * leaves DECODED_* flags in `decodeFlags.value`. Python leaves a bad escape as literal text; no genuine client
 * produces one, so we reject it (QUERY_MALFORMED) instead of guessing.
 */
export function formDecodeRange(s: string, from: number, to: number): string {
  let flags = 0;
  let out = '';
  let last = from;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hi = i + 2 < to ? hexVal(s.charCodeAt(i + 1)) : -1;
      const lo = hi === -1 ? -1 : hexVal(s.charCodeAt(i + 2));
      if (lo === -1) {
        const bad = s.slice(i, Math.min(i + 3, to)).replace(/\+/g, ' ');
        throw signingError('QUERY_MALFORMED', `bad percent-escape ${JSON.stringify(bad)}`);
      }
      const b = hi * 16 + lo;
      if (SAFE[b] === 1 || b === 0x20 || s.charCodeAt(i + 1) > 0x46 || s.charCodeAt(i + 2) > 0x46) {
        flags |= DECODED_CHANGED;
      }
      if (b >= 0x80) flags |= DECODED_HIGH;
      else if (b === 0x7e) flags |= DECODED_TILDE;
      out += s.slice(last, i) + String.fromCharCode(b);
      last = i + 3;
      i += 2;
    } else if (c === 0x2b) {
      out += `${s.slice(last, i)} `;
      last = i + 1;
    } else if (SAFE[c] !== 1) {
      flags |= DECODED_CHANGED;
      if (c >= 0x80) flags |= DECODED_HIGH;
      else if (c === 0x7e) flags |= DECODED_TILDE;
    }
  }
  decodeFlags.value = flags;
  return last === from ? s.slice(from, to) : out + s.slice(last, to);
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
