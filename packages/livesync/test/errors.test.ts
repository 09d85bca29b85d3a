import { describe, expect, it } from 'vitest';
import { isLivesyncError, LivesyncError } from '../src/index.js';

describe('LivesyncError', () => {
  it('carries its code, message and cause, and is recognised by the guard', () => {
    const cause = new Error('root');
    const err = new LivesyncError('INVALID_ARGUMENT', 'bad input', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('LivesyncError');
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('bad input');
    expect(err.cause).toBe(cause);
    expect(isLivesyncError(err)).toBe(true);
    expect(isLivesyncError(new Error('x'))).toBe(false);
  });
});
