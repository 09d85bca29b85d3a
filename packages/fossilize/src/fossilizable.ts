import { FOSSILIZABLE } from './classes.js';
import type { AnyFossil, FossilMap } from './fossil.js';
import { clearCache, fossilize, fossilizeObject } from './fossilize.js';
import type { FossilizeOptions } from './runtime.js';
import type { Fossilized, FossilOutput } from './types.js';

/**
 * Optional base class: adds `.fossilize()`. Instances are always fossilized as objects, never unwrapped as
 * containers (dispatch row 1). Classes that only use `fossilizes` / `addFossil` behave the same.
 */
export class Fossilizable {
  /** Fossilizes this object with a fossil, `null` (its default fossil) or a map of fossils. */
  fossilize<F extends AnyFossil>(fossil: F, options?: FossilizeOptions): FossilOutput<F, this>;
  fossilize(fossil?: FossilMap | null, options?: FossilizeOptions): Fossilized;
  fossilize(fossil: AnyFossil | FossilMap | null = null, options?: FossilizeOptions): unknown {
    return fossilizeObject(this, fossil as FossilMap | null, options);
  }

  /** Indico 1.2 name of {@link fossilizeObject}. */
  static fossilize_obj = fossilizeObject;
  /** Indico 1.2 name of {@link fossilize}. */
  static fossilizeIterable = fossilize;
  /** See {@link clearCache}. */
  static clearCache = clearCache;
}

Object.defineProperty(Fossilizable.prototype, FOSSILIZABLE, { value: true, enumerable: false });
