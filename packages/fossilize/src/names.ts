// spec: fossilize §4.1. `\w` is ASCII `[A-Za-z0-9_]`, as in Python 2's `re` without the UNICODE flag.
const FOSSIL_NAME = /^I(\w+)Fossil$/;
const METHOD_NAME = /^(?:get(\w+)|(has\w+)|(is\w+))/;

function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1);
}

/** `_fossil` value of a fossil name (`ISimpleUserFossil` -> `simpleUser`), or `null` if the name is invalid. */
export function fossilNameOf(name: string): string | null {
  const m = FOSSIL_NAME.exec(name);
  return m ? lowerFirst(m[1]!) : null;
}

/**
 * Output key of a method member: `getFoo` -> `foo`, `has*` / `is*` kept whole; `null` when the name fits
 * none of the three forms (R-NAME-GET, R-NAME-HAS-IS, R-NAME-INVALID).
 */
export function methodKeyOf(member: string): string | null {
  const m = METHOD_NAME.exec(member);
  if (!m) return null;
  return lowerFirst(m[1] ?? m[2] ?? m[3]!);
}
