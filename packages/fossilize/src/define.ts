import { InvalidFossilError } from './errors.js';
import { type AnyFossil, describe, Fossil, type MembersShape } from './fossil.js';
import type { MergeMembers } from './types.js';

/** Options of {@link defineFossil}. */
export interface DefineFossilOptions<E extends readonly AnyFossil[]> {
  /** Base fossils: their members are inherited; own members replace inherited ones of the same name. */
  readonly extends?: E;
}

/**
 * Defines a fossil. The name should be `I<Name>Fossil` (checked when the fossil is used, so mixin bases may
 * have any name); `_fossil` is `<name>` with its first letter lower-cased.
 *
 * ```ts
 * const ISimpleUserFossil = defineFossil('ISimpleUserFossil', {
 *   getId: {},
 *   getName: { convert: (s: string) => s.toUpperCase() },
 * });
 * ```
 */
export function defineFossil<
  const N extends string,
  const M extends MembersShape,
  const E extends readonly AnyFossil[] = readonly [],
>(name: N, members: M, options?: DefineFossilOptions<E>): Fossil<N, MergeMembers<E, M>> {
  const bases = options?.extends ?? [];
  if (!Array.isArray(bases))
    throw new InvalidFossilError(
      'INVALID_DEFINITION',
      `${name}: extends must be an array of fossils, got ${describe(bases)}`,
    );
  return new Fossil(name, members, bases) as Fossil<N, MergeMembers<E, M>>;
}
