const NON_ASCII_RE = /[\u007f-\uffff]/g;
const escapeChar = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Indico's JSON (spec §7): dates as `{date, time, tz}` (via `ExportDate.toJSON`), ASCII only (`\uXXXX`),
 * every `/` escaped as `\/`, `pretty` indents by 4 spaces.
 */
export function toIndicoJson(value: unknown, pretty: boolean): string {
  const raw = (JSON.stringify(value, null, pretty ? 4 : undefined) ?? 'null').replaceAll('/', '\\/');
  // Buffer.byteLength only counts: equal to the length means no character above U+007F.
  const ascii = Buffer.byteLength(raw, 'utf8') === raw.length && !raw.includes('\u007f');
  return ascii ? raw : raw.replace(NON_ASCII_RE, escapeChar);
}

/** `^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$` with ASCII `\w`: the safe JSONP callbacks (spec §7). */
export const JSONP_CALLBACK_RE = /^[A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z_$][A-Za-z0-9_$]*)*$/;

export function toJsonp(value: unknown, pretty: boolean, callback: string): string {
  if (!JSONP_CALLBACK_RE.test(callback)) throw new TypeError(`unsafe JSONP callback ${JSON.stringify(callback)}`);
  return `// fetched from Indico\n${callback}(${toIndicoJson(value, pretty)});`;
}
