/**
 * Request generators for the fuzz tests: mostly near-valid export API URLs (real resources, ids and
 * formats with hostile parameters), plus a share of arbitrary bytes, so that both the router and the
 * deep code paths (date expressions, paging, serializers, wildcards) see bad input.
 */
import fc from 'fast-check';

/** `FUZZ_RUNS` (or another variable) from the environment, else `fallback`. */
export function fuzzRuns(fallback: number, variable = 'FUZZ_RUNS'): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${variable} must be a positive integer, got ${raw}`);
  return n;
}

/** `FUZZ_SEED` from the environment (to replay a failure), else a fixed seed so CI runs are reproducible. */
export function fuzzSeed(fallback = 20_261_128): number {
  const raw = process.env.FUZZ_SEED;
  return raw ? Number(raw) : fallback;
}

const ids = ['0', '1', '2', '3', '137344', '137346', '36024', '999999', 'favorites', 'a', '_'];
const formats = ['json', 'jsonp', 'xml', 'ics', 'atom', 'html', 'bin', 'JSON', 'txt', '', 'json.json'];
const resources = [
  'categ/',
  'event/',
  'event/137346/session/',
  'event/137346/contribution/',
  'event/137344/session/',
  'event/ 137346 /contribution/',
  'timetable/',
  'event/search/',
  'user/',
  'user/linked_events',
  'user/categ_events',
  'room/CERN/',
  'reservation/',
  'roomName/',
  'categ/2/',
];
const paramNames = [
  'from',
  'f',
  'to',
  't',
  'day',
  'tz',
  'limit',
  'n',
  'offset',
  'O',
  'order',
  'o',
  'descending',
  'c',
  'detail',
  'd',
  'pretty',
  'p',
  'onlypublic',
  'op',
  'onlyauthed',
  'oa',
  'cookieauth',
  'ca',
  'nocache',
  'nc',
  'jsonp',
  'type',
  'T',
  'occurrences',
  'occ',
  'location',
  'l',
  'room',
  'r',
  'userid',
  'uid',
  'ak',
  'apikey',
  'signature',
  'timestamp',
  'csrftoken',
  '_',
  'access_token',
  'userid',
  'search',
];
const paramValues = [
  '',
  'yes',
  'no',
  'YES',
  'now',
  'today',
  'yesterday',
  'tomorrow',
  '-1d',
  '+1d',
  '-99999999d',
  '+99999999d',
  '1d2h3m',
  '-00d',
  '+1d25h',
  '-1d99m',
  '2011-06-23',
  '2011-06-23T10:00',
  '2011-06-23T25:61',
  '2011-02-30',
  '0000-00-00',
  '9999-12-31',
  '275760-09-13',
  '1970-01-01T00:00',
  'Europe/Zurich',
  'UTC',
  'Mars/Olympus',
  'Etc/GMT+14',
  '../../etc/passwd',
  '0',
  '-1',
  '1',
  '1000',
  '1001',
  '500',
  '9007199254740993',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  ' 5',
  '5 ',
  'id',
  'start',
  'end',
  'title',
  'events',
  'contributions',
  'subcontributions',
  'sessions',
  'basic_events',
  'conference',
  'meeting',
  'lecture',
  'simple_event',
  '*',
  '**',
  '[',
  '[!',
  '[]]',
  '[a-',
  'CERN*',
  '?',
  '\\',
  'callback',
  'a.b.c',
  '1bad',
  'alert(1)//',
  '<script>',
  '"\'',
  '%',
  '%zz',
  '%00',
  '%ff%fe',
  '\u0000',
  '\ud800',
  '\u{1f600}',
  'é',
  'a'.repeat(4096),
];

const binary = fc.string({ unit: 'binary', maxLength: 64 });
const idList = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .array(fc.constantFrom('0', '2', '3', '137344', '137346', '1'), { minLength: 1, maxLength: 3 })
      .map((a) => a.join('-')),
  },
  fc
    .array(fc.oneof(fc.constantFrom(...ids), fc.nat().map(String)), { minLength: 1, maxLength: 5 })
    .map((a) => a.join('-')),
  fc.string({ maxLength: 20 }),
  binary,
);

/** A path relative to the app root, as the handler receives it (percent-decoded once). */
export const exportPath: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.oneof(
          { weight: 10, arbitrary: fc.constant('/export/') },
          { weight: 1, arbitrary: fc.constantFrom('/api/', '/export//', '/Export/') },
        ),
        fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom(...resources) },
          { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
        ),
        idList,
        fc.oneof(
          { weight: 8, arbitrary: fc.constantFrom('json', 'jsonp', 'xml', 'ics', 'atom', 'html') },
          { weight: 2, arbitrary: fc.constantFrom(...formats) },
          { weight: 1, arbitrary: binary },
        ),
      )
      .map(([p, r, i, f]) => `${p}${r}${r.endsWith('/') ? i : ''}${f ? `.${f}` : ''}`),
  },
  { weight: 1, arbitrary: binary.map((s) => `/export/${s}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 80 }).map((s) => `/${s}`) },
);

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD, as on the wire). */
export const percentAll = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('');

const encode = (s: string, how: number) =>
  how === 0 ? s : how === 1 ? percentAll(s) : s.replace(/[ &=]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);

const pair = fc
  .tuple(
    fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...paramNames) }, { weight: 1, arbitrary: binary }),
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...paramValues) },
      { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
      { weight: 1, arbitrary: binary },
    ),
    fc.nat(2),
    fc.boolean(),
  )
  .map(([k, v, how, withEq]) => (withEq ? `${encode(k, how)}=${encode(v, how)}` : encode(k, how)));

// Values a well-meaning client sends, so that a good share of requests gets past parameter checks.
const plausible = fc
  .tuple(
    fc.constantFrom(
      ['from', ['2011-06-23', 'today', '-7d', '2011-06-01T08:00', '-30d', 'now']],
      ['to', ['2011-06-24', 'tomorrow', '+7d', '2011-06-30T18:00', '+30d', 'now']],
      ['tz', ['UTC', 'Europe/Zurich', 'America/Los_Angeles', 'Asia/Kolkata']],
      ['limit', ['1', '2', '10', '0']],
      ['offset', ['0', '1', '5']],
      ['order', ['id', 'start', 'end', 'title']],
      ['descending', ['yes', 'no']],
      ['detail', ['events', 'contributions', 'subcontributions', 'sessions']],
      ['pretty', ['yes', 'no']],
      ['nocache', ['yes', 'no']],
      ['occ', ['yes', 'no']],
      ['location', ['CERN', 'cern*', '*', '?ERN', '[cC]*']],
      ['room', ['*', '1-1-025', '[!x]*']],
      ['type', ['meeting', 'conference', 'lecture', 'simple_event']],
      ['jsonp', ['cb', 'a.b', '$x']],
    ),
    fc.nat(100),
  )
  .map(([[k, vs], i]) => `${k}=${encodeURIComponent(vs[i % vs.length]!)}`);

/** A raw query string (no `?`): known and unknown names, repeated names, broken escapes, stray separators. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.array(plausible, { maxLength: 4 }).map((ps) => ps.join('&')) },
  { weight: 6, arbitrary: fc.array(pair, { maxLength: 8 }).map((ps) => ps.join('&')) },
  { weight: 1, arbitrary: binary },
  { weight: 1, arbitrary: fc.array(pair, { maxLength: 4 }).map((ps) => ps.join(';&&=&')) },
);

export const method: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: fc.constant('GET') },
  { weight: 1, arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'get', 'OPTIONS', 'BREW') },
);

/** Awaits `p`, failing after `ms` (the "no hangs" check). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
