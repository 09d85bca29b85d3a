/**
 * Python truthiness, used by `onlyIf` and filter predicates as in Indico (spec §11.2 item 10): besides the
 * JS falsy values, empty arrays, strings, Maps, Sets and plain objects are false.
 */
export function truthy(v: unknown): boolean {
  if (!v) return false;
  if (typeof v !== 'object') return true;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map || v instanceof Set) return v.size > 0;
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) {
    for (const _ in v) return true;
    return false;
  }
  return true;
}
