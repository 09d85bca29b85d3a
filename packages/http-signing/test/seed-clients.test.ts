import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyRequest } from '../src/index.js';
import { loadVectors, rejection, splitUrl, storeWithKey } from './helpers.js';

// spec: export-api-and-signing §4.2-4.3; the "Done when": the seed's Python (ported to Python 3) and
// PHP clients, run as real programs, produce URLs that verify.
const PY = fileURLToPath(new URL('./fixtures/seed_client.py', import.meta.url));
const PHP = fileURLToPath(new URL('./fixtures/seed_client.php', import.meta.url));
const KEY = 'a1b2c3d4-0000-4000-8000-000000000001';
const SECRET = 'f0e1d2c3-1111-4222-8333-444455556666';
const NOW_S = 1_700_000_000;

function available(bin: string): boolean {
  return spawnSync(bin, ['--version'], { stdio: 'ignore' }).error === undefined;
}

interface ClientRequest {
  path: string;
  params: Record<string, string | number> | Array<[string, string | number]>;
  api_key?: string | null;
  secret_key?: string | null;
  only_public?: boolean;
  persistent?: boolean;
  now?: number | null;
}

function run(bin: string, script: string, requests: ClientRequest[]): string[] {
  const out = execFileSync(bin, [script, JSON.stringify(requests)], { encoding: 'utf8', timeout: 20_000 });
  return out.trimEnd().split('\n');
}

const cases: Array<{ name: string; req: ClientRequest; expect: 'user' | 'public-only' }> = [
  {
    name: 'plain params',
    req: { path: '/export/categ/2.json', params: { from: 'today', to: 'today', pretty: 'yes' } },
    expect: 'user',
  },
  {
    name: 'spaces, UTF-8 and reserved characters',
    req: {
      path: '/export/categ/2-5.json',
      params: { location: 'CERN Main Building', bookedfor: 'Müller, Jörg', q: 'a&b=c/d+e?f#g*h' },
    },
    expect: 'user',
  },
  { name: 'a value with ~', req: { path: '/export/categ/2.json', params: { bookedfor: '~jdoe' } }, expect: 'user' },
  {
    name: 'onlypublic',
    req: { path: '/export/event/1234.json', params: { detail: 'contributions' }, only_public: true },
    expect: 'public-only',
  },
  {
    name: 'a persistent signature',
    req: { path: '/export/categ/2.ics', params: { from: '-7d', to: '+30d' }, persistent: true },
    expect: 'user',
  },
  { name: 'no params besides the key', req: { path: '/export/categ/2.json', params: {} }, expect: 'user' },
];

for (const [label, bin, script] of [
  ['Python 3 port of the seed client', 'python3', PY],
  ['PHP seed client', 'php', PHP],
] as const) {
  const has = available(bin);
  const title = has
    ? `${label} (${bin}), run as a real program`
    : `${label}: SKIPPED because \`${bin}\` is not on PATH`;

  describe.skipIf(!has)(title, () => {
    let urls: string[] = [];
    beforeAll(() => {
      // one process for all cases: starting the interpreter dominates the cost
      urls = run(
        bin,
        script,
        cases.map((c) => ({ ...c.req, api_key: KEY, secret_key: SECRET, now: NOW_S })),
      );
    });

    it.each(cases.map((c, i) => [c.name, c, i] as const))('%s: the URL it prints verifies', async (_, c, i) => {
      const { store } = await storeWithKey(KEY, SECRET, { persistentAllowed: true });
      const url = urls[i];
      const { path, query } = splitUrl(url!);
      const outcome = await verifyRequest(
        { method: 'GET', path, query },
        { mode: 'ALL_SIGNED', keyStore: store, now: () => NOW_S * 1000, allowPersistent: true },
      );
      expect(outcome.kind).toBe(c.expect);
      expect(outcome.signed).toBe(true);
    });

    it('the URL it prints for a key without secret is accepted unsigned in KEY mode', async () => {
      const { store, record } = await storeWithKey(KEY, SECRET);
      const [url] = run(bin, script, [{ path: '/export/categ/2.json', params: { limit: 10 }, api_key: KEY }]);
      const outcome = await verifyRequest({ method: 'GET', ...splitUrl(url!) }, { keyStore: store });
      expect(outcome).toMatchObject({ kind: 'user', userId: record.userId, signed: false });
    });

    it('its signature for upper-case keys (O, T) is refused, as by every genuine Indico server', async () => {
      // spec §4.2 table, vector mixed_case_seed
      const { store } = await storeWithKey(KEY, SECRET);
      const [url] = run(bin, script, [
        { path: '/export/categ/2.json', params: { O: 10, T: 'meeting' }, api_key: KEY, secret_key: SECRET, now: NOW_S },
      ]);
      const err = await rejection(
        verifyRequest({ method: 'GET', ...splitUrl(url!) }, { keyStore: store, now: () => NOW_S * 1000 }),
      );
      expect(err).toMatchObject({ code: 'SIGNATURE_INVALID' });
    });
  });
}

const hasPython = available('python3');
describe.skipIf(!hasPython)(
  hasPython ? 'Python fixture faithfulness' : 'Python fixture faithfulness: SKIPPED because `python3` is not on PATH',
  () => {
    it('reproduces every recorded seed_py3_port vector URL byte for byte', () => {
      const vs = loadVectors().filter((v) => v.client === 'seed_py3_port' && v.key_param === 'apikey');
      const urls = run(
        'python3',
        PY,
        vs.map((v) => ({
          path: v.path,
          params: v.params,
          api_key: v.api_key,
          secret_key: v.secret_key,
          only_public: v.only_public,
          persistent: v.persistent,
          now: v.timestamp,
        })),
      );
      expect(urls).toEqual(vs.map((v) => v.expected_url));
    });
  },
);

const hasPhp = available('php');
describe.skipIf(!hasPhp)(
  hasPhp ? 'PHP fixture faithfulness' : 'PHP fixture faithfulness: SKIPPED because `php` is not on PATH',
  () => {
    it('reproduces the recorded php_emulated vector URL byte for byte', () => {
      const v = loadVectors().find((x) => x.client === 'php_emulated')!;
      const [url] = run('php', PHP, [
        {
          path: v.path,
          params: Object.fromEntries(v.params),
          api_key: v.api_key,
          secret_key: v.secret_key,
          now: v.timestamp,
        },
      ]);
      expect(url).toBe(v.expected_url);
    });
  },
);
