/*
 * HMAC-SHA1 for short messages, in plain JS, with the key's padded inner and outer blocks hashed once per secret
 * (the unrolled compression function is generated: scripts/gen-sha1-compress.mjs).
 *
 * Why not node:crypto: a request signature is the HMAC of ~100-300 bytes, i.e. 3-5 SHA-1 compressions. At that size
 * `createHmac(...).update(...).digest('hex')` spends most of its time creating the native Hmac object, setting up
 * the key (two more compressions) and producing a hex string; this keeps two 5-word states per secret and runs only
 * the compressions the message needs. Verified against node:crypto by the package's tests (fixed and random inputs).
 * Nothing here branches on the key or the message content, so its timing depends only on the message length.
 */

import { compress } from './sha1-compress.js';

/** Message scratch: the UTF-8 bytes of the string-to-sign plus SHA-1 padding. Grows when needed. */
let buf = new Uint8Array(1024);
const encoder = new TextEncoder();

const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];

/**
 * SHA-1 padding of the `length` message bytes at the start of `bytes` (which must have room): 0x80, zeros, and the
 * big-endian bit length of `hashedBefore + length` bytes in the last 8 bytes of the block. Returns the padded length.
 */
function pad(bytes: Uint8Array, length: number, hashedBefore: number): number {
  const padded = Math.ceil((length + 9) / 64) * 64;
  bytes[length] = 0x80;
  for (let i = length + 1; i < padded - 5; i++) bytes[i] = 0;
  const bits = (hashedBefore + length) * 8; // messages here are far below 2^32 bytes
  bytes[padded - 5] = bits / 0x100000000;
  bytes[padded - 4] = bits >>> 24;
  bytes[padded - 3] = bits >>> 16;
  bytes[padded - 2] = bits >>> 8;
  bytes[padded - 1] = bits;
  return padded;
}

/** The five state words as 20 big-endian bytes at the start of `out`. */
function writeWords(words: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 5; i++) {
    const w = words[i]!;
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = w >>> 16;
    out[i * 4 + 2] = w >>> 8;
    out[i * 4 + 3] = w;
  }
}

/** Plain SHA-1 of bytes (for keys longer than one block). */
function sha1Bytes(bytes: Uint8Array): Uint8Array {
  const h = Int32Array.from(IV);
  const block = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64);
  block.set(bytes);
  const padded = pad(block, bytes.length, 0);
  for (let o = 0; o < padded; o += 64) compress(h, block, o);
  const out = new Uint8Array(20);
  writeWords(h, out);
  return out;
}

/** The HMAC key schedule of one secret: the SHA-1 states after its inner and its outer padded block. */
export interface HmacKey {
  inner: Int32Array;
  outer: Int32Array;
}

export function hmacSha1Key(secret: string): HmacKey {
  let key: Uint8Array = encoder.encode(secret);
  if (key.length > 64) key = sha1Bytes(key);
  const ipad = new Uint8Array(64).fill(0x36);
  const opad = new Uint8Array(64).fill(0x5c);
  for (let i = 0; i < key.length; i++) {
    ipad[i]! ^= key[i]!;
    opad[i]! ^= key[i]!;
  }
  const inner = Int32Array.from(IV);
  const outer = Int32Array.from(IV);
  compress(inner, ipad, 0);
  compress(outer, opad, 0);
  return { inner, outer };
}

const KEYS = new Map<string, HmacKey>();
const MAX_KEYS = 4096;

/** The cached key schedule of a secret (bounded: the cache starts over beyond 4096 secrets). */
export function cachedHmacKey(secret: string): HmacKey {
  let k = KEYS.get(secret);
  if (k === undefined) {
    if (KEYS.size >= MAX_KEYS) KEYS.clear();
    k = hmacSha1Key(secret);
    KEYS.set(secret, k);
  }
  return k;
}

const state = new Int32Array(5);
/** The outer message after the key block: the 20-byte inner digest, then constant padding for 84 bytes. */
const outerBlock = new Uint8Array(64);
outerBlock[20] = 0x80;
outerBlock[62] = (84 * 8) >>> 8;
outerBlock[63] = (84 * 8) & 0xff;
/** The last digest, as five big-endian words. */
const digest = new Int32Array(5);

/** Writes the UTF-8 bytes of `text` into `buf` (grown when needed) and returns their count. */
function encode(text: string): number {
  const need = text.length * 3 + 72;
  if (buf.length < need) buf = new Uint8Array(Math.max(buf.length * 2, need));
  return encoder.encodeInto(text, buf).written;
}

/** HMAC-SHA1 of the UTF-8 bytes of `message`; the result is left in `digest`. */
function hmacInto(key: HmacKey, message: string): void {
  const length = encode(message); // first: it may replace `buf` with a larger one
  const padded = pad(buf, length, 64); // after the key's inner block
  const inner = key.inner;
  state[0] = inner[0]!;
  state[1] = inner[1]!;
  state[2] = inner[2]!;
  state[3] = inner[3]!;
  state[4] = inner[4]!;
  for (let o = 0; o < padded; o += 64) compress(state, buf, o);
  writeWords(state, outerBlock);
  const outer = key.outer;
  digest[0] = outer[0]!;
  digest[1] = outer[1]!;
  digest[2] = outer[2]!;
  digest[3] = outer[3]!;
  digest[4] = outer[4]!;
  compress(digest, outerBlock, 0);
}

const HEX = '0123456789abcdef';

/** HMAC-SHA1 of `message` (UTF-8) under `secret` (UTF-8), lowercase hex. */
export function hmacSha1Hex(secret: string, message: string): string {
  hmacInto(cachedHmacKey(secret), message);
  let out = '';
  for (let i = 0; i < 5; i++) {
    const w = digest[i]!;
    for (let s = 28; s >= 0; s -= 4) out += HEX[(w >>> s) & 15];
  }
  return out;
}

/** Nibble value of each lowercase hex digit; -1 for every other char code below 128. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;

/** The expected digest, parsed from the signature. */
const expected = new Int32Array(5);

/** Parses 40 lowercase hex digits into `expected`; false (and `expected` unspecified) for anything else. */
export function parseHexDigest(hex: string): boolean {
  if (hex.length !== 40) return false;
  let bad = 0;
  for (let i = 0; i < 5; i++) {
    let w = 0;
    for (let j = i * 8, end = j + 8; j < end; j++) {
      const c = hex.charCodeAt(j);
      const v = c < 128 ? NIBBLE[c]! : -1;
      bad |= v; // any -1 sets the sign bit
      w = (w << 4) | (v & 15);
    }
    expected[i] = w;
  }
  return bad >= 0;
}

/** Whether the HMAC-SHA1 of `message` under `secret` is the digest last parsed by `parseHexDigest`; all 160 bits
 *  are compared, with no early exit. */
export function hmacSha1MatchesParsed(secret: string, message: string): boolean {
  hmacInto(cachedHmacKey(secret), message);
  let diff = 0;
  for (let i = 0; i < 5; i++) diff |= expected[i]! ^ digest[i]!;
  return diff === 0;
}

/**
 * Whether `signatureHex` is 40 lowercase hex digits and the HMAC-SHA1 of `message` under `secret`. Compares all
 * 160 bits with no early exit.
 */
export function hmacSha1Matches(secret: string, message: string, signatureHex: string): boolean {
  return parseHexDigest(signatureHex) && hmacSha1MatchesParsed(secret, message);
}
