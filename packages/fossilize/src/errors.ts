/**
 * Codes of the failures this package reports (closed union).
 *
 * - `INVALID_ARGUMENT`: a call option or argument has the wrong shape.
 * - `INVALID_DEFINITION`: a malformed fossil definition (unknown `extends`, a `result` that is not a fossil,
 *   a non-function `convert`, ...). Reported when the fossil is defined or its tag is changed.
 * - `INVALID_FOSSIL_NAME`: the fossil used does not match `^I(\w+)Fossil$` (spec §4.1 R-FOSSIL-NAME).
 * - `INVALID_MEMBER_NAME`: a method member is not `get*`/`has*`/`is*` and has no `name` tag (R-NAME-INVALID).
 * - `RESERVED_KEY`: a member produced a top-level `_type` or `_fossil` key (R-META-FIELDS).
 * - `NON_FOSSILIZABLE`: no fossil could be resolved for an object (spec §5).
 * - `MISSING_FILTERS` / `MISSING_FILTER`: a `filterBy` tag without the `filters` option / without that filter.
 * - `MISSING_MEMBER`: the object has no property of a member's name.
 * - `MEMBER_FAILED`: a getter, `produce`, `convert` or filter predicate threw; the original error is `cause`.
 * - `CYCLE`: the same object was reached again through the same fossil while fossilizing it.
 */
export type FossilizeErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_DEFINITION'
  | 'INVALID_FOSSIL_NAME'
  | 'INVALID_MEMBER_NAME'
  | 'RESERVED_KEY'
  | 'NON_FOSSILIZABLE'
  | 'MISSING_FILTERS'
  | 'MISSING_FILTER'
  | 'MISSING_MEMBER'
  | 'MEMBER_FAILED'
  | 'CYCLE';

/** Every expected failure of @indico/fossilize is a FossilizeError with a code from a closed union. */
export class FossilizeError extends Error {
  override readonly name: string = 'FossilizeError';
  readonly code: FossilizeErrorCode;

  constructor(code: FossilizeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isFossilizeError(value: unknown): value is FossilizeError {
  return value instanceof FossilizeError;
}

/** A fossil is badly named or badly defined, or a member name cannot be turned into a key (Indico: `InvalidFossilException`). */
export class InvalidFossilError extends FossilizeError {
  override readonly name: string = 'InvalidFossilError';
  constructor(
    code: 'INVALID_ARGUMENT' | 'INVALID_DEFINITION' | 'INVALID_FOSSIL_NAME' | 'INVALID_MEMBER_NAME' | 'RESERVED_KEY',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** No fossil could be chosen for an object (Indico: `NonFossilizableException`). */
export class NonFossilizableError extends FossilizeError {
  override readonly name: string = 'NonFossilizableError';
  constructor(message: string) {
    super('NON_FOSSILIZABLE', message);
  }
}

/** A `filterBy` tag names a filter the call did not supply (Indico: plain `Exception`). */
export class MissingFiltersError extends FossilizeError {
  override readonly name: string = 'MissingFiltersError';
  /** The filter name asked for by the tag. */
  readonly filter: string;
  constructor(code: 'MISSING_FILTERS' | 'MISSING_FILTER', filter: string) {
    super(code, code === 'MISSING_FILTERS' ? 'No filters defined!' : `No filter '${filter}' defined!`);
    this.filter = filter;
  }
}

/** The object has no property named like a fossil member (Indico: `AttributeError`). */
export class MissingMemberError extends FossilizeError {
  override readonly name: string = 'MissingMemberError';
  readonly fossil: string;
  readonly member: string;
  readonly className: string;
  constructor(fossil: string, member: string, className: string) {
    super('MISSING_MEMBER', `'${className}' object has no member '${member}' (required by ${fossil})`);
    this.fossil = fossil;
    this.member = member;
    this.className = className;
  }
}

/** Where in a member's evaluation the error happened. */
export type MemberStage = 'onlyIf' | 'get' | 'produce' | 'result' | 'convert';

const STAGE_TEXT: Record<MemberStage, string> = {
  onlyIf: 'testing its onlyIf predicate',
  get: 'reading it',
  produce: 'producing it',
  result: 'fossilizing its result',
  convert: 'converting it',
};

/** A getter, `produce`, filter predicate or `convert` threw; the original error is `cause`. */
export class FossilMemberError extends FossilizeError {
  override readonly name: string = 'FossilMemberError';
  readonly fossil: string;
  readonly member: string;
  readonly className: string;
  readonly stage: MemberStage;
  constructor(fossil: string, member: string, className: string, stage: MemberStage, cause: unknown) {
    const what = STAGE_TEXT[stage];
    const detail = cause instanceof Error ? cause.message : String(cause);
    super('MEMBER_FAILED', `Problem fossilizing '${className}' with ${fossil}.${member} while ${what}: ${detail}`, {
      cause,
    });
    this.fossil = fossil;
    this.member = member;
    this.className = className;
    this.stage = stage;
  }
}

/** A fossil's `result` tags lead back to an object already being fossilized with the same fossil. */
export class FossilCycleError extends FossilizeError {
  override readonly name: string = 'FossilCycleError';
  /** Readable steps from the outermost object to the repeated one, e.g. `IUserFossil(User).getFriends`. */
  readonly path: readonly string[];
  constructor(path: readonly string[]) {
    super('CYCLE', `Cycle detected while fossilizing: ${path.join(' -> ')}`);
    this.path = path;
  }
}

/** Indico 1.2 name of {@link InvalidFossilError}. */
export const InvalidFossilException = InvalidFossilError;
export type InvalidFossilException = InvalidFossilError;
/** Indico 1.2 name of {@link NonFossilizableError}. */
export const NonFossilizableException = NonFossilizableError;
export type NonFossilizableException = NonFossilizableError;
