/** Decodes one `application/x-www-form-urlencoded` component (`+` is a space); malformed escapes stay literal. */
export function decodeComponent(s: string): string {
  const plus = s.includes('+') ? s.replace(/\+/g, ' ') : s;
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  }
}

/** Every `key=value` pair of a raw query string, in order (pieces without `=` keep an empty value). */
export function parseQueryPairs(raw: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (!raw) return out;
  for (const piece of raw.split('&')) {
    if (!piece) continue;
    const eq = piece.indexOf('=');
    const k = eq < 0 ? piece : piece.slice(0, eq);
    const v = eq < 0 ? '' : piece.slice(eq + 1);
    out.push([decodeComponent(k), decodeComponent(v)]);
  }
  return out;
}

/**
 * The parameter map hooks read: the **first** value per key (spec §2 step 1). Empty values count as absent.
 */
export function firstValues(pairs: Array<[string, string]>): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of pairs) if (!m.has(k) && v !== '') m.set(k, v);
  return m;
}

const SAFE = /[A-Za-z0-9_.-]/;
/** Python 2 `quote_plus`: `[A-Za-z0-9_.-]` literal, space as `+`, everything else `%XX` of its UTF-8 bytes. */
export function quotePlus(s: string): string {
  let out = '';
  for (const ch of s) {
    if (SAFE.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The canonical form of a query used for cache keys (spec §8): keys lower-cased and sorted, values of a key
 * sorted, blank values dropped, keys in `remove` dropped, Python 2 quoting.
 */
export function canonicalQuery(pairs: Array<[string, string]>, remove: ReadonlySet<string>): string {
  const groups = new Map<string, string[]>();
  for (const [k, v] of pairs) {
    if (v === '') continue;
    const key = k.toLowerCase();
    if (remove.has(key)) continue;
    let g = groups.get(key);
    if (!g) {
      g = [];
      groups.set(key, g);
    }
    g.push(v);
  }
  const keys = [...groups.keys()].sort();
  const parts: string[] = [];
  for (const k of keys) for (const v of groups.get(k)!.sort()) parts.push(`${quotePlus(k)}=${quotePlus(v)}`);
  return parts.join('&');
}
