const NON_ASCII_RE = /[\u007f-\uffff]/g;
const escapeChar = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** Indico's escaping of JSON text: every `/` as `\/`, every character above U+007E as `\uXXXX`. */
export function escapeJsonText(raw: string): string {
  const slashed = raw.replaceAll('/', '\\/');
  // Buffer.byteLength only counts: equal to the length means no character above U+007F.
  const ascii = Buffer.byteLength(slashed, 'utf8') === slashed.length && !slashed.includes('\u007f');
  return ascii ? slashed : slashed.replace(NON_ASCII_RE, escapeChar);
}

// Immutable result items (see `shareJsonValue`) and their compact, escaped JSON text.
const shared = new WeakSet<object>();
const fragments = new WeakMap<object, string>();

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/**
 * Marks a result item as immutable and shared between responses (it is deep-frozen): its compact JSON text is
 * then computed once and reused by every `toIndicoJson` that meets the item in an envelope's `results`.
 * Resources use it for items they cache in process (e.g. the fossil of an unchanged event).
 */
export function shareJsonValue<T extends object>(value: T): T {
  deepFreeze(value);
  shared.add(value);
  return value;
}

function fragmentOf(item: unknown): string {
  if (item !== null && typeof item === 'object' && shared.has(item)) {
    let text = fragments.get(item);
    if (text === undefined) {
      text = escapeJsonText(JSON.stringify(item));
      fragments.set(item, text);
    }
    return text;
  }
  // as inside an array: undefined, functions and symbols become null
  return escapeJsonText(JSON.stringify(item) ?? 'null');
}

// The last `[...]` text built for a list starting with a given shared item: a list of the same items (identity)
// is the same text, so repeated listings skip the join.
const joined = new WeakMap<object, { items: unknown[]; text: string }>();

function resultsText(results: unknown[]): string {
  const head = results[0] as object;
  const last = joined.get(head);
  if (last && last.items.length === results.length && last.items.every((x, i) => x === results[i])) return last.text;
  const text = `[${results.map(fragmentOf).join(',')}]`;
  // only lists made of shared (immutable) items can be reused
  if (results.every((x) => x !== null && typeof x === 'object' && shared.has(x))) {
    joined.set(head, { items: [...results], text });
  }
  return text;
}

// Stands in for `results` while the rest of the envelope is serialized; JSON text of a real string can never
// contain it (inside a JSON string a `"` is always escaped, so `"\u0000` cannot follow an unescaped quote).
const RESULTS_MARK = '\u0000results\u0000';
const RESULTS_MARK_JSON = JSON.stringify(RESULTS_MARK);

function hasSharedResults(value: unknown): value is { results: unknown[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const results = (value as { results?: unknown }).results;
  return Array.isArray(results) && results.length > 0 && shared.has(results[0] as object);
}

/**
 * Indico's JSON (spec §7): dates as `{date, time, tz}` (via `ExportDate.toJSON`), ASCII only (`\uXXXX`),
 * every `/` escaped as `\/`, `pretty` indents by 4 spaces. Compact envelopes whose results are shared items
 * (`shareJsonValue`) reuse each item's JSON text; the bytes are the same either way.
 */
export function toIndicoJson(value: unknown, pretty: boolean): string {
  if (!pretty && hasSharedResults(value)) {
    const shell = escapeJsonText(JSON.stringify({ ...value, results: RESULTS_MARK }));
    const at = shell.indexOf(RESULTS_MARK_JSON);
    return `${shell.slice(0, at)}${resultsText(value.results)}${shell.slice(at + RESULTS_MARK_JSON.length)}`;
  }
  return escapeJsonText(JSON.stringify(value, null, pretty ? 4 : undefined) ?? 'null');
}

/** `^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$` with ASCII `\w`: the safe JSONP callbacks (spec §7). */
export const JSONP_CALLBACK_RE = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

export function toJsonp(value: unknown, pretty: boolean, callback: string): string {
  if (!JSONP_CALLBACK_RE.test(callback)) throw new TypeError(`unsafe JSONP callback ${JSON.stringify(callback)}`);
  return `// fetched from Indico\n${callback}(${toIndicoJson(value, pretty)});`;
}
