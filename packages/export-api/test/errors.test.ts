import { describe, expect, it } from 'vitest';
import { ExportApiError, isExportApiError } from '../src/index.js';

describe('ExportApiError', () => {
  it('carries its code, message and cause, and is recognised by the guard', () => {
    const cause = new Error('root');
    const err = new ExportApiError('INVALID_ARGUMENT', 'bad input', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ExportApiError');
    expect(err.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toBe('bad input');
    expect(err.cause).toBe(cause);
    expect(isExportApiError(err)).toBe(true);
    expect(isExportApiError(new Error('x'))).toBe(false);
  });
});
