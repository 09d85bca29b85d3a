// Static output types of fossils (spec §11.2 item 5). Everything here is types only, except `fossilType`.
import type { AnyFossil, Fossil } from './fossil.js';

/**
 * Optional brand giving instances a literal `_type` in output types:
 * `class User { declare readonly [fossilType]: 'User' }` (a `declare` field emits no code).
 */
export const fossilType: unique symbol = Symbol.for('@indico/fossilize.fossilType');

type Fn = (...args: never) => unknown;
type Primitive = string | number | boolean | bigint | symbol | null | undefined;
type IsAny<T> = 0 extends 1 & T ? true : false;
type IsUnknown<T> = IsAny<T> extends true ? true : unknown extends T ? true : false;

/** Flattens an intersection into one object type (for readable hovers and exact type tests). */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The output of a fossil whose static type is not known (default fossils, `null` results). */
export type Fossilized = { readonly _type: string; readonly _fossil: string; readonly [key: string]: unknown };

/** `_fossil` of a fossil name: `ISimpleUserFossil` -> `simpleUser` (R-FOSSIL-NAME). */
export type FossilNameOf<N extends string> = N extends `I${infer G}Fossil`
  ? G extends ''
    ? never
    : Uncapitalize<G>
  : never;

/** Key of a method member: `getFoo` -> `foo`, `has*` / `is*` kept whole, otherwise `never` (R-NAME-*). */
export type MethodKey<K extends string> = K extends `get${infer R}`
  ? R extends ''
    ? never
    : Uncapitalize<R>
  : K extends `has${infer R}` | `is${infer R}`
    ? R extends ''
      ? never
      : K
    : never;

/** The `_type` of instances of T: the literal of a `[fossilType]` brand, else `string`. */
export type TypeNameOf<T> = T extends { readonly [fossilType]: infer N extends string } ? N : string;

/** Members (own and inherited, with their tags) of a fossil type. */
export type MembersOf<F> = F extends Fossil<string, infer M> ? M : never;

type BasesMembers<E> = E extends readonly [infer A, ...infer Rest]
  ? MembersOf<A> & Omit<BasesMembers<Rest>, keyof MembersOf<A>>
  : {};

/** Own members replace inherited ones of the same name; the first base wins among bases (R-FOSSIL-OVERRIDE). */
export type MergeMembers<E, Own> = Simplify<Own & Omit<BasesMembers<E>, keyof Own>>;

type IsMethodOn<T, K extends string> =
  IsUnknown<T> extends true ? true : K extends keyof T ? (NonNullable<T[K]> extends Fn ? true : false) : true;

type KeyOf<K extends string, S, T> = S extends { name: infer N extends string }
  ? N
  : IsMethodOn<T, K> extends true
    ? MethodKey<K>
    : K;

type RawOf<K extends string, S, T> = S extends { produce: (...a: never) => infer R }
  ? R
  : IsUnknown<T> extends true
    ? unknown
    : K extends keyof T
      ? NonNullable<T[K]> extends (...a: never) => infer R
        ? R
        : T[K]
      : unknown;

type TypeTag<X> = X extends 'string'
  ? string
  : X extends 'number' | 'integer'
    ? number
    : X extends 'boolean'
      ? boolean
      : X extends 'null'
        ? null
        : X extends 'array'
          ? unknown[]
          : X extends 'object'
            ? { [key: string]: unknown }
            : unknown;

type Declared<S> = S extends { type: infer X } ? (X extends readonly (infer E)[] ? TypeTag<E> : TypeTag<X>) : unknown;

/** Output of one object fossilized with a `result` argument (a fossil, a map of fossils or null). */
type OutFor<RA, E> = RA extends AnyFossil
  ? FossilOutput<RA, E>
  : RA extends null | undefined
    ? Fossilized
    : RA extends ReadonlyMap<unknown, infer F>
      ? OutFor<NonNullable<F>, unknown>
      : RA extends { readonly [k: string]: infer F }
        ? OutFor<NonNullable<F>, unknown>
        : Fossilized;

/** What dispatch (spec §3.2) makes of a value of type V with fossil argument RA. */
export type Applied<RA, V> =
  IsAny<V> extends true
    ? unknown
    : V extends Primitive
      ? V
      : V extends readonly (infer E)[]
        ? Applied<RA, E>[]
        : V extends ReadonlyMap<unknown, infer E>
          ? { [key: string]: Applied<RA, E> }
          : V extends Iterable<infer E>
            ? Applied<RA, E>[]
            : string extends keyof V
              ? { [key: string]: Applied<RA, V[string & keyof V]> }
              : OutFor<RA, V>;

type ResultValue<RA, V, S> = S extends { type: 'array' }
  ? OutFor<RA, unknown>[]
  : S extends { type: 'object' }
    ? OutFor<RA, unknown>
    : IsUnknown<V> extends true
      ? OutFor<RA, unknown> | OutFor<RA, unknown>[]
      : Applied<RA, V>;

type ValueOf<K extends string, S, T> = S extends { convert: (...a: never) => infer C }
  ? C
  : S extends { result: infer RA }
    ? ResultValue<RA, RawOf<K, S, T>, S>
    : S extends { type: unknown }
      ? Declared<S>
      : RawOf<K, S, T>;

type Entry<P extends string, V, O extends boolean> = { path: P; value: V; optional: O };

type EntriesOf<M, T> = {
  [K in keyof M & string]: [KeyOf<K, M[K], T>] extends [never]
    ? never
    : Entry<KeyOf<K, M[K], T>, ValueOf<K, M[K], T>, M[K] extends { onlyIf: unknown } ? true : false>;
}[keyof M & string];

type Head<P> = P extends `${infer H}.${string}` ? H : P;
type Under<E, H extends string> = E extends { path: `${H}.${infer R}`; value: infer V; optional: infer O }
  ? { path: R; value: V; optional: O }
  : never;
type LeafAt<E, H extends string> = E extends { path: H; value: infer V } ? V : never;
type HeadValue<E, H extends string> = [Under<E, H>] extends [never] ? LeafAt<E, H> : Build<Under<E, H>>;
type ReqHeads<E> = E extends { path: infer P; optional: false } ? Head<P> : never;
type AllHeads<E> = E extends { path: infer P } ? Head<P> : never;

/** Nested object from dotted key paths (R-TAG-NAME-DOTTED); `onlyIf` members are optional. */
type Build<E> = Simplify<
  { [H in ReqHeads<E> & string]: HeadValue<E, H> } & {
    [H in Exclude<AllHeads<E>, ReqHeads<E>> & string]?: HeadValue<E, H>;
  }
>;

/**
 * The output of fossilizing one object of type T (`unknown` when not known) with fossil F: keys renamed
 * and nested as the fossil says, literal `_fossil`, and `_type` from T's `[fossilType]` brand (else string).
 */
export type FossilOutput<F, T = unknown> =
  F extends Fossil<infer N, infer M>
    ? Simplify<Build<EntriesOf<M, T>> & { _type: TypeNameOf<T>; _fossil: FossilNameOf<N> }>
    : never;

/** Result type of `fossilize(target, fossilArg)`. */
export type FossilizeResult<T, A> = IsUnknown<T> extends true ? unknown : Applied<A, T>;
