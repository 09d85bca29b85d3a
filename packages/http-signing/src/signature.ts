import { createHmac, timingSafeEqual } from 'node:crypto';

const LOWER_HEX_SHA1 = /^[0-9a-f]{40}$/;

/**
 * HMAC-SHA1 of the string-to-sign, lowercase hex (spec §4.1 step 3). The secret is the key's UUID text itself,
 * used as UTF-8 bytes; it is not hex-decoded.
 */
export function computeSignature(secretKey: string, stringToSign: string): string {
  return createHmac('sha1', secretKey).update(stringToSign, 'utf8').digest('hex');
}

/** True when `signature` has the only shape Indico can ever accept: 40 lowercase hex digits. */
export function isWellFormedSignature(signature: string): boolean {
  return signature.length === 40 && LOWER_HEX_SHA1.test(signature);
}

/**
 * Constant-time check of a well-formed signature against one or more strings-to-sign. Every candidate is
 * computed and compared, so the time taken does not depend on which one (if any) matched.
 */
export function signatureMatches(secretKey: string, signature: string, candidates: readonly string[]): boolean {
  const given = Buffer.from(signature, 'hex');
  let ok = false;
  for (const s of candidates) {
    const digest = createHmac('sha1', secretKey).update(s, 'utf8').digest();
    if (timingSafeEqual(digest, given)) ok = true;
  }
  return ok;
}
