import { bumpEpoch } from './epoch.js';
import { InvalidFossilError } from './errors.js';
import { fossilNameOf } from './names.js';

/** JSON types a member may declare (for typing and {@link toJSONSchema}; ignored when fossilizing). */
export type MemberType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'object' | 'array';

/** A JSON Schema fragment (draft 2020-12), kept as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * The call options as seen by `convert`, `produce` and `onlyIf` functions: everything the caller passed to
 * `fossilize()` (Indico's `**kwargs`), unchanged at every nesting level.
 */
export type FossilizeContext = { readonly filters?: FilterMap; readonly [option: string]: unknown };

/** Named predicates for `filterBy` tags (the `filters` option). */
// biome-ignore lint/suspicious/noExplicitAny: user callbacks declare their own parameter types.
export type FilterMap = { readonly [filter: string]: (element: any) => unknown };

/** Selects the fossil per object class: keys are classes or registered full dotted class names. */
export type FossilMap =
  | ReadonlyMap<abstract new (...args: never) => unknown, AnyFossil | null>
  | ReadonlyMap<string | (abstract new (...args: never) => unknown), AnyFossil | null>
  | { readonly [fullClassName: string]: AnyFossil | null };

/** What selects a fossil: a fossil, `null` (each object's default fossil), or a {@link FossilMap}. */
export type FossilArg = AnyFossil | FossilMap | null;

/**
 * Tags of one fossil member (spec §4.2). Tags not listed here are kept (see `getTaggedValue`) but ignored.
 */
export interface MemberTags {
  /** Output key; dots build nested objects (`'file.fileName'`). Wins over the naming rules. */
  readonly name?: string;
  /** `(value, ctx, obj) => output`; runs after `result`; its output is not fossilized again. */
  // biome-ignore lint/suspicious/noExplicitAny: user callbacks declare their own parameter types.
  readonly convert?: (value: any, ctx: FossilizeContext, obj: any) => unknown;
  /** Fossilize the value with this fossil, map of fossils, or `null` (each element's default fossil). */
  readonly result?: FossilArg;
  /** `(obj, ctx) => value`, used instead of reading the member from the object. */
  // biome-ignore lint/suspicious/noExplicitAny: user callbacks declare their own parameter types.
  readonly produce?: (obj: any, ctx: FossilizeContext) => unknown;
  /** Name of a call option that must be truthy (Python truthiness), or a predicate `(ctx, obj)`. */
  // biome-ignore lint/suspicious/noExplicitAny: user callbacks declare their own parameter types.
  readonly onlyIf?: string | ((ctx: FossilizeContext, obj: any) => unknown);
  /** Name of a predicate in the `filters` option, applied to the elements of a `result` iterable. */
  readonly filterBy?: string;
  /** Declared JSON type of the output value (typing and JSON Schema only). */
  readonly type?: MemberType | readonly MemberType[];
  /** JSON Schema of the output value (JSON Schema only; wins over `type`). */
  readonly schema?: JsonSchema;
  /** Human description, copied into the JSON Schema. */
  readonly description?: string;
  readonly [tag: string]: unknown;
}

/** The members of a fossil: member name -> tags (`{}` when it has none). */
export type MembersShape = { readonly [member: string]: MemberTags };

/** Any fossil, whatever its name and members. */
// biome-ignore lint/suspicious/noExplicitAny: the member shape is inferred per fossil.
export type AnyFossil = Fossil<string, any>;

const KNOWN_FUNCTION_TAGS = ['convert', 'produce'] as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** Checks one tag value; throws `INVALID_DEFINITION` naming the fossil and member. */
export function validateTag(fossil: string, member: string, tag: string, value: unknown): void {
  const bad = (what: string) =>
    new InvalidFossilError('INVALID_DEFINITION', `${fossil}.${member}: tag '${tag}' ${what}`);
  if (value === undefined) return;
  if ((KNOWN_FUNCTION_TAGS as readonly string[]).includes(tag)) {
    if (typeof value !== 'function') throw bad(`must be a function, got ${describe(value)}`);
  } else if (tag === 'name') {
    if (typeof value !== 'string' || value === '') throw bad(`must be a non-empty string, got ${describe(value)}`);
  } else if (tag === 'filterBy') {
    if (typeof value !== 'string') throw bad(`must be a filter name (string), got ${describe(value)}`);
  } else if (tag === 'onlyIf') {
    if (typeof value !== 'string' && typeof value !== 'function')
      throw bad(`must be an option name or a predicate, got ${describe(value)}`);
  } else if (tag === 'result') {
    checkFossilArg(value, (what) => bad(what));
  }
}

/** Validates a fossil argument (fossil, null or map); `fail` builds the error to throw. */
export function checkFossilArg(value: unknown, fail: (what: string) => Error): void {
  if (value === null || value instanceof Fossil) return;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      if (typeof k !== 'string' && typeof k !== 'function')
        throw fail(`map keys must be classes or full class names, got ${describe(k)}`);
      if (v !== null && !(v instanceof Fossil)) throw fail(`map value for ${describeKey(k)} is not a fossil`);
    }
    return;
  }
  if (isPlainObject(value)) {
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (v !== null && !(v instanceof Fossil)) throw fail(`map value for '${k}' is not a fossil`);
    }
    return;
  }
  throw fail(`must be a fossil, a map of fossils or null, got ${describe(value)}`);
}

function describeKey(k: unknown): string {
  return typeof k === 'function' ? (k.name ?? 'anonymous class') : `'${String(k)}'`;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (typeof v === 'object') return v.constructor?.name ? `a ${v.constructor.name}` : 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * One member as defined in one fossil. Inherited members are the same object in every derived fossil, so
 * changing a tag of an inherited member changes it for the base fossil too (spec §4.2 R-TAGS-LIVE).
 */
export class FossilMember {
  readonly name: string;
  /** The fossil that defines this member. */
  readonly fossil: AnyFossil;
  #tags: Record<string, unknown>;

  constructor(fossil: AnyFossil, name: string, tags: MemberTags) {
    this.fossil = fossil;
    this.name = name;
    for (const tag of Object.keys(tags)) validateTag(fossil.name, name, tag, tags[tag]);
    this.#tags = { ...tags };
  }

  /** Value of a tag, `undefined` if unset. */
  getTaggedValue(tag: string): unknown {
    return this.#tags[tag];
  }

  /** Names of the tags that are set. */
  getTaggedValueTags(): string[] {
    return Object.keys(this.#tags).filter((t) => this.#tags[t] !== undefined);
  }

  /** A copy of all tags. */
  getTags(): MemberTags {
    return { ...this.#tags };
  }

  /**
   * Changes a tag at run time; the next `fossilize()` call uses it (compiled fossils are rebuilt). `undefined`
   * removes the tag. Static output types do not follow such changes.
   */
  setTaggedValue(tag: string, value: unknown): void {
    validateTag(this.fossil.name, this.name, tag, value);
    if (value === undefined) delete this.#tags[tag];
    else this.#tags[tag] = value;
    bumpEpoch();
  }
}

/**
 * A fossil: a named view of objects. Create with {@link defineFossil}. The type parameters carry the name and
 * the members (own and inherited) for output typing.
 */
export class Fossil<N extends string = string, M = MembersShape> {
  /** The fossil's name, e.g. `ISimpleUserFossil`. */
  readonly name: N;
  /** Direct bases, in declaration order. */
  readonly bases: readonly AnyFossil[];
  /** `_fossil` value, or `null` when the name is not of the form `I<Name>Fossil` (reported when used). */
  readonly fossilName: string | null;
  /** Resolution order: this fossil, then its bases (zope.interface 3.8 `ro`). */
  readonly resolutionOrder: readonly AnyFossil[];
  /** Phantom: the member tags, for typing only. */
  declare readonly '~members': M;
  readonly #own = new Map<string, FossilMember>();
  /** @internal compiled form and the epoch it was built at (see compile.ts). */
  _compiled: { epoch: number; fn: unknown } | undefined = undefined;

  constructor(name: N, members: MembersShape, bases: readonly AnyFossil[]) {
    if (typeof name !== 'string')
      throw new InvalidFossilError('INVALID_DEFINITION', `fossil name must be a string, got ${describe(name)}`);
    if (!isPlainObject(members))
      throw new InvalidFossilError('INVALID_DEFINITION', `${name}: members must be a plain object`);
    this.name = name;
    this.fossilName = fossilNameOf(name);
    bases.forEach((b, i) => {
      if (!(b instanceof Fossil))
        throw new InvalidFossilError(
          'INVALID_DEFINITION',
          `${name}: extends[${i}] is not a fossil defined with defineFossil (got ${describe(b)})`,
        );
    });
    this.bases = Object.freeze([...bases]);
    for (const member of Object.keys(members)) {
      const tags = members[member];
      if (!isPlainObject(tags))
        throw new InvalidFossilError(
          'INVALID_DEFINITION',
          `${name}.${member}: tags must be a plain object (use {} for none), got ${describe(tags)}`,
        );
      this.#own.set(member, new FossilMember(this, member, tags as MemberTags));
    }
    this.resolutionOrder = Object.freeze(resolutionOrder(this));
  }

  /** The member definition in effect for `member` (own first, then bases in resolution order). */
  get(member: string): FossilMember | undefined {
    for (const f of this.resolutionOrder) {
      const m = f.#own.get(member);
      if (m) return m;
    }
    return undefined;
  }

  /** Names of the members defined by this fossil itself. */
  ownNames(): string[] {
    return [...this.#own.keys()];
  }

  /**
   * All member names, own and inherited, each once: base members first (in the order of the most basic
   * fossil), then the ones this fossil adds.
   */
  names(): string[] {
    const seen = new Set<string>();
    for (let i = this.resolutionOrder.length - 1; i >= 0; i--) {
      for (const n of this.resolutionOrder[i]!.ownNames()) seen.add(n);
    }
    return [...seen];
  }

  /** `true` if `other` is this fossil or one of its (indirect) bases. */
  extendsFossil(other: AnyFossil): boolean {
    return this.resolutionOrder.includes(other);
  }

  toString(): string {
    return this.name;
  }
}

// zope.interface 3.8 `ro`: depth-first listing with duplicates, keeping the last occurrence of each.
function resolutionOrder(f: AnyFossil): AnyFossil[] {
  const flat: AnyFossil[] = [];
  const walk = (x: AnyFossil) => {
    flat.push(x);
    for (const b of x.bases) walk(b);
  };
  walk(f);
  const seen = new Set<AnyFossil>();
  const out: AnyFossil[] = [];
  for (let i = flat.length - 1; i >= 0; i--) {
    const x = flat[i]!;
    if (!seen.has(x)) {
      seen.add(x);
      out.push(x);
    }
  }
  return out.reverse();
}

/** Base of all fossils in Indico; it has no members and is never a default fossil. */
export const IFossil: Fossil<'IFossil', {}> = new Fossil('IFossil', {}, []);
