import { afterAll, beforeAll, describe } from 'vitest';
import { setCodegen } from '../src/index.js';

/** Runs a suite once with generated code and once with the closure-based (CSP-safe) compiler. */
export function inBothCompilers(name: string, body: () => void): void {
  describe.each([
    ['generated code', true],
    ['closures', false],
  ] as const)(`${name} (%s)`, (_label, codegen) => {
    beforeAll(() => setCodegen(codegen));
    afterAll(() => setCodegen(true));
    body();
  });
}
