import { hmacSha1Hex, hmacSha1MatchesParsed, parseHexDigest } from './sha1.js';

/**
 * HMAC-SHA1 of the string-to-sign, lowercase hex (spec §4.1 step 3). The secret is the key's UUID text itself,
 * used as UTF-8 bytes; it is not hex-decoded. The same HMAC (sha1.ts, checked against node:crypto) as verification.
 */
export function computeSignature(secretKey: string, stringToSign: string): string {
  return hmacSha1Hex(secretKey, stringToSign);
}

/** True when `signature` has the only shape Indico can ever accept: 40 lowercase hex digits. */
export function isWellFormedSignature(signature: string): boolean {
  return typeof signature === 'string' && parseHexDigest(signature);
}

/**
 * Compares two equally long strings in time that depends only on their length: every character is looked at
 * and the differences are OR-ed together, with no early exit. Strings instead of Buffers because allocating
 * two Buffers per request cost more than the HMAC itself (see bench/).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Constant-time check of a signature against the 1.x/2.x and the 3.x string-to-sign; false for a signature that is
 * not 40 lowercase hex digits. When the two strings differ both are always computed and compared, so the time taken
 * does not tell which one matched. Uses the package's own HMAC-SHA1 (sha1.ts: the key schedule is cached per secret,
 * and the digest is compared as five words without building a hex string), which costs less than one `createHmac`
 * for a request-sized message.
 */
export function signatureMatches(secretKey: string, signature: string, py2: string, py3: string): boolean {
  if (!parseHexDigest(signature)) return false;
  const a = hmacSha1MatchesParsed(secretKey, py2);
  if (py3 === py2) return a;
  const b = hmacSha1MatchesParsed(secretKey, py3);
  return a || b;
}
