/**
 * The server's `REDIS_URL` forms (apps/server/src/redis-connection.ts): the redis-sentinel:// parser, the
 * options it hands to ioredis, and the configuration error a bad URL gives (naming the variable).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../apps/server/src/config.js';
import { currentMasterUrl, parseSentinelUrl, sentinelOptions } from '../../../apps/server/src/redis-connection.js';

describe('redis-sentinel:// URLs', () => {
  it('reads sentinels, the master name, credentials and parameters', () => {
    expect(parseSentinelUrl('redis-sentinel://10.0.0.1:26380,sentinel-b,[::1]:26381/mymaster')).toEqual({
      sentinels: [
        { host: '10.0.0.1', port: 26380 },
        { host: 'sentinel-b', port: 26379 },
        { host: '::1', port: 26381 },
      ],
      name: 'mymaster',
    });
    expect(parseSentinelUrl('redis-sentinel://app:p%40ss@127.0.0.1:5000/indico?db=3&sentinelPassword=s%20p')).toEqual({
      sentinels: [{ host: '127.0.0.1', port: 5000 }],
      name: 'indico',
      username: 'app',
      password: 'p@ss',
      sentinelPassword: 's p',
      db: 3,
    });
    expect(parseSentinelUrl('redis-sentinel://:secret@h:1/m').password).toBe('secret');
    expect(parseSentinelUrl('redis-sentinel://secret@h:1/m')).toMatchObject({ password: 'secret' });
  });

  it('gives ioredis sentinels + name, with the failover detector on', () => {
    const opts = sentinelOptions(parseSentinelUrl('redis-sentinel://h:1,k:2/m'), { maxRetriesPerRequest: 2 });
    expect(opts).toEqual({
      sentinels: [
        { host: 'h', port: 1 },
        { host: 'k', port: 2 },
      ],
      name: 'm',
      failoverDetector: true,
      maxRetriesPerRequest: 2,
    });
  });

  it.each([
    ['redis-sentinel://h:1', /master name/],
    ['redis-sentinel://h:1/', /master name/],
    ['redis-sentinel:///m', /no sentinel address/],
    ['redis-sentinel://h:1,,k:2/m', /"" is not host\[:port\]/],
    ['redis-sentinel://h:99999/m', /port out of range/],
    ['redis-sentinel://h:1/m/extra', /expected redis-sentinel/],
    ['redis-sentinel://h:1/m?db=x', /db must be/],
    ['redis-sentinel://h:1/m?role=slave', /unknown parameter "role"/],
    ['redis-sentinel://h:1/%zz', /percent-encoding/],
  ])('refuses %s', (url, message) => {
    expect(() => parseSentinelUrl(url)).toThrow(message);
    let err: unknown;
    try {
      loadConfig({ REDIS_URL: url });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/REDIS_URL: redis-sentinel URL: /);
  });

  it('REDIS_URL keeps accepting redis:// and rediss://, and takes a sentinel URL', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379/2' }).REDIS_URL).toBe('redis://127.0.0.1:6379/2');
    expect(loadConfig({ REDIS_URL: 'rediss://h:6380' }).REDIS_URL).toBe('rediss://h:6380');
    expect(loadConfig({ REDIS_URL: 'redis-sentinel://a:1,b:2/indico' }).REDIS_URL).toBe(
      'redis-sentinel://a:1,b:2/indico',
    );
    expect(() => loadConfig({ REDIS_URL: 'sentinel://a:1/m' })).toThrow(
      /REDIS_URL: expected redis:\/\/…, rediss:\/\/… or redis-sentinel:/,
    );
  });

  it('currentMasterUrl leaves one-address URLs alone and fails clearly when no sentinel answers', async () => {
    expect(await currentMasterUrl('redis://h:1/2')).toBe('redis://h:1/2');
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    await expect(currentMasterUrl('redis-sentinel://127.0.0.1:1/indico', 500)).rejects.toThrow(
      /no sentinel named the master of indico \(127\.0\.0\.1:1: /,
    );
  });
});
