import { describe, expect, it } from 'vitest';
import { HttpSigningError, isHttpSigningError } from '../src/index.js';

describe('HttpSigningError', () => {
  it('carries its code, message and cause, and is recognised by the guard', () => {
    const cause = new Error('root');
    const err = new HttpSigningError('INVALID_ARGUMENT', 'bad input', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('HttpSigningError');
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('bad input');
    expect(err.cause).toBe(cause);
    expect(isHttpSigningError(err)).toBe(true);
    expect(isHttpSigningError(new Error('x'))).toBe(false);
  });
});
