import { describe, expect, it } from 'vitest';
import { FossilizeError, isFossilizeError } from '../src/index.js';

describe('FossilizeError', () => {
  it('carries its code, message and cause, and is recognised by the guard', () => {
    const cause = new Error('root');
    const err = new FossilizeError('INVALID_ARGUMENT', 'bad input', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('FossilizeError');
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('bad input');
    expect(err.cause).toBe(cause);
    expect(isFossilizeError(err)).toBe(true);
    expect(isFossilizeError(new Error('x'))).toBe(false);
  });
});
