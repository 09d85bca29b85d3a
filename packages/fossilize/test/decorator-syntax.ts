// Compile-only check (tsc, via `pnpm typecheck`) that `fossilizes` is a valid TC39 class decorator.
// Not a test file: vitest's transformer does not lower standard decorators (see inheritance.test.ts for the
// run-time behaviour of the same call).
import { defineFossil, Fossilizable, fossilizes } from '../src/index.js';

const IBookFossil = defineFossil('IBookFossil', { getTitle: {} });

@fossilizes(IBookFossil)
export class Book extends Fossilizable {
  getTitle(): string {
    return 'Dune';
  }
}
