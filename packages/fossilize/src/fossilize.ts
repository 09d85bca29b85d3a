import { AttrCache } from './attr-cache.js';
import { clearCompiled } from './compile.js';
import type { AnyFossil, FossilArg, FossilMap } from './fossil.js';
import {
  checkCallFossilArg,
  dispatch,
  type FossilizeOptions,
  fossilizeObj,
  makeState,
  releaseState,
} from './runtime.js';
import type { Fossilized, FossilizeResult, FossilOutput } from './types.js';

/**
 * Fossilizes objects, lists, sets, maps, plain objects and primitives (spec §3.2), with an explicit fossil,
 * `null` (each object's default fossil) or a map of fossils keyed by class or full class name.
 */
export function fossilize<T, F extends AnyFossil>(
  target: T,
  fossil: F,
  options?: FossilizeOptions,
): FossilizeResult<T, F>;
export function fossilize<T>(
  target: T,
  fossil?: FossilMap | null,
  options?: FossilizeOptions,
): FossilizeResult<T, null>;
export function fossilize(target: unknown, fossil: FossilArg = null, options?: FossilizeOptions): unknown {
  checkCallFossilArg(fossil);
  const st = makeState(options);
  const f = options?.filterBy;
  try {
    return dispatch(target, fossil, typeof f === 'function' ? f : null, st);
  } finally {
    releaseState(st);
  }
}

/** Fossilizes one object as an object, whatever its kind (Indico's `Fossilizable.fossilize_obj`). */
export function fossilizeObject<T extends object, F extends AnyFossil>(
  obj: T,
  fossil: F,
  options?: FossilizeOptions,
): FossilOutput<F, T>;
export function fossilizeObject(obj: object, fossil?: FossilMap | null, options?: FossilizeOptions): Fossilized;
export function fossilizeObject(obj: object, fossil: FossilArg = null, options?: FossilizeOptions): unknown {
  checkCallFossilArg(fossil);
  const st = makeState(options);
  try {
    return fossilizeObj(obj, fossil, st);
  } finally {
    releaseState(st);
  }
}

/**
 * Compatibility with Indico 1.2, never required: with a cache, empties it; without, drops the compiled
 * fossils and cached default fossils (rebuilt on next use).
 */
export function clearCache(cache?: AttrCache): void {
  if (cache instanceof AttrCache) cache.clear();
  else clearCompiled();
}
