import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script without types
import { generate } from '../scripts/gen-sha1-compress.mjs';
import { hmacSha1Hex, hmacSha1Key, hmacSha1Matches } from '../src/sha1.js';

const nodeHmac = (key: string, message: string) =>
  createHmac('sha1', Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');

describe('HMAC-SHA1 (sha1.ts) against node:crypto', () => {
  it('matches on every padding boundary, for short, block-sized and hashed (> 64 bytes) keys', () => {
    const keys = ['', 'k', 'a1b2c3d4-0000-4000-8000-000000000001', 'x'.repeat(64), 'y'.repeat(65), 'ключ'.repeat(20)];
    for (const key of keys) {
      for (let len = 0; len <= 200; len++) {
        const message = 'm'.repeat(len);
        expect(hmacSha1Hex(key, message), `key ${key.length} chars, message ${len}`).toBe(nodeHmac(key, message));
      }
    }
  });

  it('matches on random keys and messages, including non-ASCII text (UTF-8)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 100, unit: 'binary' }),
        fc.string({ maxLength: 600, unit: 'binary' }),
        (key, message) => {
          const expected = nodeHmac(key, message);
          expect(hmacSha1Hex(key, message)).toBe(expected);
          expect(hmacSha1Matches(key, message, expected)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects a signature that differs in any single hex digit', () => {
    const key = 'f0e1d2c3-1111-4222-8333-444455556666';
    const message = '/export/categ/2.json?apikey=a1b2c3d4-0000-4000-8000-000000000001&timestamp=1400000000';
    const good = nodeHmac(key, message);
    for (let i = 0; i < 40; i++) {
      const digit = good[i] === 'f' ? '0' : (Number.parseInt(good[i]!, 16) + 1).toString(16);
      const bad = good.slice(0, i) + digit + good.slice(i + 1);
      expect(hmacSha1Matches(key, message, bad), `digit ${i}`).toBe(false);
    }
    expect(hmacSha1Matches(key, message, good)).toBe(true);
    expect(hmacSha1Matches(`${key}x`, message, good)).toBe(false);
  });

  it('precomputes a key schedule that does not depend on call order (cache hits and misses agree)', () => {
    const a = hmacSha1Key('secret-a');
    const b = hmacSha1Key('secret-a');
    expect([...a.inner]).toEqual([...b.inner]);
    expect([...a.outer]).toEqual([...b.outer]);
    expect(hmacSha1Hex('secret-b', 'x')).toBe(nodeHmac('secret-b', 'x'));
    expect(hmacSha1Hex('secret-a', 'x')).toBe(nodeHmac('secret-a', 'x'));
  });

  it('uses the compression function exactly as scripts/gen-sha1-compress.mjs generates it', () => {
    const committed = readFileSync(new URL('../src/sha1-compress.ts', import.meta.url), 'utf8');
    expect(committed).toBe(generate());
  });
});
