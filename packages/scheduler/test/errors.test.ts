import { describe, expect, it } from 'vitest';
import { isSchedulerError, SchedulerError } from '../src/index.js';

describe('SchedulerError', () => {
  it('carries its code, message and cause, and is recognised by the guard', () => {
    const cause = new Error('root');
    const err = new SchedulerError('INVALID_ARGUMENT', 'bad input', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SchedulerError');
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('bad input');
    expect(err.cause).toBe(cause);
    expect(isSchedulerError(err)).toBe(true);
    expect(isSchedulerError(new Error('x'))).toBe(false);
  });
});
