import { describe, expect, it } from 'vitest';
import { redactUrl } from '../src/logger.js';

describe('redactUrl', () => {
  it('hides signatures and CSRF tokens, shortens API keys, keeps the rest', () => {
    const url =
      '/export/categ/2.json?ak=00000000-0000-0000-0000-000000000000&from=today&signature=abcdef0123&csrftoken=zz&pretty=yes';
    expect(redactUrl(url)).toBe(
      '/export/categ/2.json?ak=00000000…&from=today&signature=[redacted]&csrftoken=[redacted]&pretty=yes',
    );
  });

  it('matches parameter names case-insensitively and through percent-encoding', () => {
    expect(redactUrl('/x?SIGNATURE=1&%73ignature=2')).toBe('/x?SIGNATURE=[redacted]&%73ignature=[redacted]');
  });

  it('leaves URLs without a query alone and survives malformed escapes', () => {
    expect(redactUrl('/healthz')).toBe('/healthz');
    expect(redactUrl('/x?%E0%A4%A=1&signature=s')).toBe('/x?%E0%A4%A=1&signature=[redacted]');
  });
});
