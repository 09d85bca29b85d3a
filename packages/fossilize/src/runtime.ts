import { AttrCache, MISS } from './attr-cache.js';
import { classTypeName, defaultFossilOf, FOSSILIZABLE, fossilClassNameOf } from './classes.js';
import { compiledFossil } from './compile.js';
import {
  FossilCycleError,
  FossilMemberError,
  InvalidFossilError,
  isFossilizeError,
  type MemberStage,
  MissingFiltersError,
  MissingMemberError,
  NonFossilizableError,
} from './errors.js';
import {
  type AnyFossil,
  checkFossilArg,
  describe,
  type FilterMap,
  Fossil,
  type FossilArg,
  type FossilizeContext,
  type FossilMap,
} from './fossil.js';
import { truthy } from './truthy.js';

/** Options of a `fossilize()` call. Every option, known or not, is visible to `convert`/`produce`/`onlyIf`. */
export interface FossilizeOptions {
  /** `true`: remember member values per object for this call; an `AttrCache`: use (and fill) that cache. */
  readonly useAttrCache?: boolean | AttrCache;
  /** Keeps only the elements of a top-level iterable for which this returns a truthy value (Python truthiness). */
  // biome-ignore lint/suspicious/noExplicitAny: user callbacks declare their own parameter types.
  readonly filterBy?: (element: any) => unknown;
  /** `{ ShortClassName: typeName }` applied to the `_type` of every object of the call. */
  readonly mapClassType?: { readonly [className: string]: string } | ReadonlyMap<string, string>;
  /** Named predicates for `filterBy` member tags. */
  readonly filters?: FilterMap;
  /**
   * How plain objects (`{...}`, prototype `Object.prototype` or null) are treated: `'dict'` (default, as
   * Indico treated Python dicts: same keys, values fossilized) or `'object'` (fossilized with the fossil, like
   * class instances, so fossils can view plain data records).
   */
  readonly plainObjects?: 'dict' | 'object';
  /** Any other option travels unchanged to converters, `produce`, `onlyIf` and nested fossilizations. */
  readonly [option: string]: unknown;
}

/**
 * @internal state of one call. Instances are recycled (one spare kept): V8 drops optimized code that saw many
 * short-lived state objects at each full GC, which a reused one avoids. A re-entrant call gets its own.
 */
export class CallState {
  ctx: FossilizeContext = EMPTY_CONTEXT;
  map: ReadonlyMap<string, string> | null = null;
  cache: AttrCache | null = null;
  /**
   * Triples (object, fossil, member) of the result tags being followed, for cycle detection: entries below
   * `depth` are live (an index instead of push/pop keeps the array's length stable).
   */
  readonly path: unknown[] = [];
  depth = 0;
  /** Set by `readCached`: whether the member was a plain (non-function) property. */
  plain = false;
  /** `plainObjects: 'object'`. */
  plainAsObject = false;
}

const EMPTY_CONTEXT: FossilizeContext = Object.freeze({});
const RESERVED_OPTIONS = ['useAttrCache', 'filterBy', 'mapClassType', 'plainObjects'];
let spare: CallState | null = null;

function acquire(): CallState {
  const st = spare ?? new CallState();
  spare = null;
  return st;
}

/** @internal returns a call's state for reuse (also after an error). */
export function releaseState(st: CallState): void {
  st.path.length = 0;
  st.depth = 0;
  st.ctx = EMPTY_CONTEXT;
  st.map = null;
  st.cache = null;
  st.plain = false;
  st.plainAsObject = false;
  spare = st;
}

/** @internal validates the options and builds the state of a call; pair with `releaseState`. */
export function makeState(options: FossilizeOptions | undefined): CallState {
  if (options === undefined || options === null) return acquire();
  if (typeof options !== 'object')
    throw new InvalidFossilError('INVALID_ARGUMENT', `options must be an object, got ${describe(options)}`);
  let ctx: FossilizeContext = options;
  if (RESERVED_OPTIONS.some((k) => k in options)) {
    const copy: Record<string, unknown> = { ...options };
    for (const k of RESERVED_OPTIONS) delete copy[k];
    ctx = copy;
  }
  const m = options.mapClassType;
  let map: ReadonlyMap<string, string> | null = null;
  if (m instanceof Map) map = m;
  else if (m !== undefined && m !== null) map = new Map(Object.entries(m));
  const c = options.useAttrCache;
  const cache = c instanceof AttrCache ? c : c === true ? new AttrCache() : null;
  if (c !== undefined && c !== false && cache === null)
    throw new InvalidFossilError('INVALID_ARGUMENT', `useAttrCache must be a boolean or an AttrCache`);
  const f = options.filterBy;
  if (f !== undefined && f !== null && typeof f !== 'function')
    throw new InvalidFossilError('INVALID_ARGUMENT', `filterBy must be a function, got ${describe(f)}`);
  const po = options.plainObjects;
  if (po !== undefined && po !== 'dict' && po !== 'object')
    throw new InvalidFossilError('INVALID_ARGUMENT', `plainObjects must be 'dict' or 'object', got ${describe(po)}`);
  const st = acquire();
  st.ctx = ctx;
  st.map = map;
  st.cache = cache;
  st.plainAsObject = po === 'object';
  return st;
}

/** @internal validates the fossil argument of a top-level call. */
export function checkCallFossilArg(arg: unknown): asserts arg is FossilArg {
  checkFossilArg(arg, (what) => new InvalidFossilError('INVALID_ARGUMENT', `Invalid fossil argument: ${what}`));
}

function isPlain(t: object): boolean {
  const p = Object.getPrototypeOf(t);
  return p === Object.prototype || p === null;
}

function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}

/** @internal dispatch table of spec §3.2. */
export function dispatch(t: unknown, arg: FossilArg, filter: ((e: unknown) => unknown) | null, st: CallState): unknown {
  // row 2: primitives (and undefined, bigint, symbol) pass through.
  if (t === null || (typeof t !== 'object' && typeof t !== 'function')) return t;
  const o = t as Record<PropertyKey, unknown>;
  // row 1: Fossilizable instances and instances of classes with declared fossils.
  if (o[FOSSILIZABLE] === true) return fossilizeObj(o, arg, st);
  if (Array.isArray(o)) return list(o, arg, filter, st);
  // row 3: plain objects and Maps: same keys, values fossilized, never filtered.
  if (o instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of o) setOwn(out, String(k), dispatch(v, arg, null, st));
    return out;
  }
  if (typeof o === 'object' && isPlain(o)) {
    if (st.plainAsObject) return fossilizeObj(o, arg, st);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o)) setOwn(out, k, dispatch(o[k], arg, null, st));
    return out;
  }
  // row 4: any other iterable becomes a list.
  if (typeof o[Symbol.iterator] === 'function') return list(o as unknown as Iterable<unknown>, arg, filter, st);
  // row 5: an object whose only own property holds an iterable is unwrapped (legacy PersistentList).
  const only = soleOwnKey(o);
  if (only !== null) {
    const inner = o[only];
    if (
      inner !== null &&
      typeof inner === 'object' &&
      typeof (inner as Iterable<unknown>)[Symbol.iterator] === 'function'
    )
      return list(inner instanceof Map ? inner.keys() : (inner as Iterable<unknown>), arg, null, st);
  }
  // rows 6-7
  return fossilizeObj(o, arg, st);
}

/** The object's only own enumerable string key, or null (no allocation, unlike Object.keys). */
function soleOwnKey(o: object): string | null {
  let found: string | null = null;
  for (const k in o) {
    if (!Object.hasOwn(o, k)) continue;
    if (found !== null) return null;
    found = k;
  }
  return found;
}

function list(it: Iterable<unknown>, arg: FossilArg, filter: ((e: unknown) => unknown) | null, st: CallState) {
  if (Array.isArray(it) && arg instanceof Fossil) return listWithFossil(it, arg, filter, st);
  const out: unknown[] = [];
  for (const e of it) if (filter === null || truthy(filter(e))) out.push(dispatch(e, arg, null, st));
  return out;
}

/** @internal `true` if `obj` is being fossilized with `fossil` further up (a cycle). */
export function onPath(st: CallState, obj: unknown, fossil: AnyFossil): boolean {
  const path = st.path;
  for (let i = 0; i < st.depth; i += 3) if (path[i] === obj && path[i + 1] === fossil) return true;
  return false;
}

/** @internal enters a result tag: records (obj, fossil, member) on the path. */
export function pushPath(st: CallState, obj: object, fossil: AnyFossil, member: string): void {
  const d = st.depth;
  const path = st.path;
  path[d] = obj;
  path[d + 1] = fossil;
  path[d + 2] = member;
  st.depth = d + 3;
}

/** @internal the common case of an array fossilized with one fossil: compiled function looked up once. */
export function listWithFossil(
  a: readonly unknown[],
  fossil: AnyFossil,
  filter: ((e: unknown) => unknown) | null,
  st: CallState,
): unknown[] {
  const fn = compiledFossil(fossil);
  const n = a.length;
  const out = new Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const e = a[i];
    if (filter !== null && !truthy(filter(e))) continue;
    out[k++] =
      e !== null &&
      typeof e === 'object' &&
      (e as Record<symbol, unknown>)[FOSSILIZABLE] === true &&
      !onPath(st, e, fossil)
        ? fn(e, st)
        : dispatch(e, fossil, null, st);
  }
  if (k !== n) out.length = k;
  return out;
}

function className(obj: object): string {
  return classTypeName((obj as { constructor?: unknown }).constructor);
}

/** @internal spec §3.1: the fossil for one object. */
export function resolveFossil(obj: object, arg: FossilArg): AnyFossil | null {
  if (arg instanceof Fossil) return arg;
  const cls = (obj as { constructor?: unknown }).constructor;
  if (arg === null) {
    const f = typeof cls === 'function' ? defaultFossilOf(cls) : null;
    if (f === null)
      throw new NonFossilizableError(
        `Object ${describe(obj)} of class ${className(obj)} cannot be fossilized, no fossils were declared for it`,
      );
    return f;
  }
  const full = typeof cls === 'function' ? fossilClassNameOf(cls) : null;
  const map = arg as FossilMap;
  if (map instanceof Map) {
    const m = map as ReadonlyMap<unknown, AnyFossil | null>;
    if (full !== null && m.has(full)) return m.get(full)!;
    if (m.has(cls)) return m.get(cls)!;
  } else if (full !== null && Object.hasOwn(map, full)) {
    return (map as Record<string, AnyFossil | null>)[full]!;
  }
  throw new NonFossilizableError(
    `Object ${describe(obj)} of class ${className(obj)} cannot be fossilized, its class was not a key in the provided fossils dictionary`,
  );
}

/** @internal spec §3.3 for one object. */
export function fossilizeObj(obj: object, arg: FossilArg, st: CallState): unknown {
  const fossil = arg instanceof Fossil ? arg : resolveFossil(obj, arg);
  if (fossil === null) throw new NonFossilizableError(`Type ${className(obj)} is not fossilizable!`);
  if (st.depth !== 0 && onPath(st, obj, fossil)) throw cycleError(st, obj, fossil);
  return compiledFossil(fossil)(obj, st);
}

function cycleError(st: CallState, obj: object, fossil: AnyFossil): FossilCycleError {
  const path = st.path;
  const steps: string[] = [];
  for (let i = 0; i < st.depth; i += 3) {
    steps.push(`${(path[i + 1] as AnyFossil).name}(${className(path[i] as object)}).${String(path[i + 2])}`);
  }
  steps.push(`${fossil.name}(${className(obj)})`);
  return new FossilCycleError(steps);
}

// ---- helpers called by compiled fossils -------------------------------------------------------------

/** @internal a `result` tag: fossilize the value, remembering where we are for cycle detection. */
export function nested(
  value: unknown,
  arg: FossilArg,
  filter: ((e: unknown) => unknown) | null,
  st: CallState,
  obj: object,
  fossil: AnyFossil,
  member: string,
): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value;
  pushPath(st, obj, fossil, member);
  const r =
    Array.isArray(value) && arg instanceof Fossil
      ? listWithFossil(value, arg, filter, st)
      : dispatch(value, arg, filter, st);
  st.depth -= 3;
  return r;
}

/** @internal the predicate named by a `filterBy` tag. */
export function getFilter(ctx: FossilizeContext, name: string): (e: unknown) => unknown {
  const filters = ctx.filters;
  if (filters === undefined || filters === null) throw new MissingFiltersError('MISSING_FILTERS', name);
  if (!Object.hasOwn(filters, name)) throw new MissingFiltersError('MISSING_FILTER', name);
  return filters[name] as (e: unknown) => unknown;
}

/** @internal reads a member through the attribute cache; sets `st.plain`. */
export function readCached(st: CallState, obj: Record<string, unknown>, member: string, fossil: AnyFossil): unknown {
  const cache = st.cache!;
  const a = obj[member];
  const plain = typeof a !== 'function';
  st.plain = plain;
  const hit = cache.lookup(obj, member);
  if (hit !== MISS) return hit;
  let v: unknown;
  if (plain) {
    if (a === undefined && !(member in obj)) throw new MissingMemberError(fossil.name, member, className(obj));
    v = a;
  } else {
    v = (a as () => unknown).call(obj);
  }
  cache.store(obj, member, v);
  return v;
}

/** @internal runs a `produce` tag through the attribute cache. */
export function produceCached(
  st: CallState,
  obj: object,
  key: object,
  produce: (obj: unknown, ctx: FossilizeContext) => unknown,
): unknown {
  const cache = st.cache!;
  const hit = cache.lookup(obj, key);
  if (hit !== MISS) return hit;
  const v = produce(obj, st.ctx);
  cache.store(obj, key, v);
  return v;
}

/** @internal */
export function missingMember(fossil: AnyFossil, member: string, obj: object): MissingMemberError {
  return new MissingMemberError(fossil.name, member, className(obj));
}

const STAGES: readonly MemberStage[] = ['onlyIf', 'get', 'produce', 'result', 'convert'];

/** @internal wraps an error thrown while evaluating a member; our own errors pass through. */
export function wrapError(e: unknown, fossil: AnyFossil, member: string, obj: object, stage: number): unknown {
  if (isFossilizeError(e)) return e;
  return new FossilMemberError(fossil.name, member, className(obj), STAGES[stage]!, e);
}

/** @internal */
export function invalidMemberName(fossil: AnyFossil, member: string): InvalidFossilError {
  return new InvalidFossilError(
    'INVALID_MEMBER_NAME',
    `method name '${member}' is not valid! It has to be in the form getXyz, hasXyz or isXyz, or have a 'name' tag (${fossil.name})`,
  );
}

/** @internal */
export function reservedKey(fossil: AnyFossil): InvalidFossilError {
  return new InvalidFossilError(
    'RESERVED_KEY',
    `"_type" or "_fossil" cannot be a fossil attribute name (${fossil.name})`,
  );
}

/** @internal */
export function typeName(obj: object, st: CallState): string {
  const t = className(obj);
  if (st.map === null) return t;
  return st.map.get(t) ?? t;
}

/** @internal stores a value under a dotted key path, creating (or reusing) intermediate objects. */
export function setPath(out: Record<string, unknown>, segs: readonly string[], value: unknown): void {
  let cur = out;
  const last = segs.length - 1;
  for (let i = 0; i < last; i++) {
    const s = segs[i]!;
    if (!Object.hasOwn(cur, s)) setOwn(cur, s, {});
    cur = cur[s] as Record<string, unknown>;
  }
  setOwn(cur, segs[last]!, value);
}

export { truthy };
