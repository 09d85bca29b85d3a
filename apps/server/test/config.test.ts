import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('applies defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({ PORT: 8000, HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  });

  it('coerces PORT from the environment string', () => {
    expect(loadConfig({ PORT: '0' }).PORT).toBe(0);
  });

  it('rejects a bad value with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT/);
  });
});
