// What the categories' global setups hand to tests through vitest's provide/inject.
import type {} from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Redis URL for the redis category, or '' when none is available (tests skip). */
    redisUrl: string;
    /** Path of the Chromium binary for the e2e category, or '' when absent (tests skip). */
    chromiumPath: string;
  }
}
