import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, filesDir, loadConfig } from '../src/config.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies the defaults of Indico 1.2 when nothing is set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 8000,
      HOST: '127.0.0.1',
      API_MODE: 'KEY',
      SIGNATURE_TTL: 600,
      CACHE_TTL: 600,
      PERSISTENT_SIGNATURES: false,
      DEFAULT_TIMEZONE: 'UTC',
      LIVESYNC_AGENTS: [],
    });
    expect(c.REDIS_URL).toBeUndefined();
  });

  it('reads numbers, booleans and API modes by name or by Indico number', () => {
    const c = loadConfig({ PORT: '0', PERSISTENT_SIGNATURES: 'yes', API_MODE: '4', SIGNATURE_TTL: '30' });
    expect(c.PORT).toBe(0);
    expect(c.PERSISTENT_SIGNATURES).toBe(true);
    expect(c.API_MODE).toBe('ALL_SIGNED');
    expect(loadConfig({ API_MODE: 'onlykey_signed' }).API_MODE).toBe('ONLYKEY_SIGNED');
  });

  it('reads FILES_DIR, defaulting to a directory under the OS temp dir', () => {
    expect(filesDir(loadConfig({}))).toBe(path.join(tmpdir(), 'indico-server-files'));
    expect(filesDir(loadConfig({ FILES_DIR: 'var/files' }))).toBe(path.resolve('var/files'));
  });

  it('parses livesync agents from JSON', () => {
    const c = loadConfig({ LIVESYNC_AGENTS: '[{"id":"search","type":"http","url":"http://127.0.0.1:9/push"}]' });
    expect(c.LIVESYNC_AGENTS).toEqual([
      { id: 'search', type: 'http', url: 'http://127.0.0.1:9/push', batchSize: 1000, excludedCategories: [] },
    ]);
  });

  it('names each bad variable in one message', () => {
    const msg = messageOf(() =>
      loadConfig({ PORT: 'eighty', DEFAULT_TIMEZONE: 'Mars/Olympus', API_MODE: '7', REDIS_URL: 'localhost:6379' }),
    );
    expect(msg).toMatch(/PORT:/);
    expect(msg).toMatch(/DEFAULT_TIMEZONE: not an IANA time zone/);
    expect(msg).toMatch(/API_MODE:/);
    expect(msg).toMatch(/REDIS_URL: expected redis:/);
  });

  it('rejects malformed agent JSON and agents of unknown type', () => {
    expect(messageOf(() => loadConfig({ LIVESYNC_AGENTS: '[{' }))).toMatch(/LIVESYNC_AGENTS: not valid JSON/);
    expect(messageOf(() => loadConfig({ LIVESYNC_AGENTS: '[{"id":"a","type":"ftp"}]' }))).toMatch(
      /LIVESYNC_AGENTS at 0\.type/,
    );
  });

  it('rejects an out-of-range port', () => {
    expect(messageOf(() => loadConfig({ PORT: '70000' }))).toMatch(/PORT/);
  });

  it('reads the scheduler, livesync and session settings and names bad ones', () => {
    const c = loadConfig({ SCHEDULER_LEASE_MS: '2000', LIVESYNC_INTERVAL: '1', SESSION_SECRET: 'x'.repeat(32) });
    expect(c).toMatchObject({ SCHEDULER_LEASE_MS: 2000, LIVESYNC_INTERVAL: 1, SCHEDULER_MAX_TRIES: 5 });
    const msg = messageOf(() =>
      loadConfig({ SCHEDULER_LEASE_MS: '5', SESSION_SECRET: 'short', LIVESYNC_INTERVAL: '0' }),
    );
    expect(msg).toMatch(/SCHEDULER_LEASE_MS:/);
    expect(msg).toMatch(/SESSION_SECRET: at least 32 characters/);
    expect(msg).toMatch(/LIVESYNC_INTERVAL:/);
  });

  it('reads TRUST_PROXY as a boolean, a hop count or a list', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).TRUST_PROXY).toBe('10.0.0.0/8, 127.0.0.1');
    expect(messageOf(() => loadConfig({ TRUST_PROXY: 'yes please!' }))).toMatch(/TRUST_PROXY:/);
  });
});
