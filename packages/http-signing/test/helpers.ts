import { readFileSync } from 'node:fs';
import { createMemoryApiKeyStore } from '../src/index.js';

export interface Vector {
  id: string;
  client: 'seed_py3_port' | 'canonical_indico12' | 'php_emulated';
  path: string;
  params: Array<[string, string | number]>;
  key_param: 'apikey' | 'ak';
  api_key: string;
  secret_key: string | null;
  timestamp: number | null;
  only_public: boolean;
  persistent: boolean;
  string_to_sign: string | null;
  signature: string | null;
  expected_url: string;
  server_canonical_indico1x_2x: string | null;
  server_canonical_indico3x: string | null;
  signature_accepted_indico1x_2x: boolean | null;
  signature_accepted_indico3x: boolean | null;
}

export const VECTORS_FILE = new URL('./fixtures/signing.json', import.meta.url);

export function loadVectors(): Vector[] {
  return (JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as { vectors: Vector[] }).vectors;
}

/** A memory store whose first created key gets the given key and secret texts. */
export async function storeWithKey(
  apiKey: string,
  secret: string,
  opts: { persistentAllowed?: boolean; userId?: string } = {},
) {
  const ids = [apiKey, secret];
  let n = 0;
  const store = createMemoryApiKeyStore({
    generateId: () => ids.shift() ?? `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    clock: { now: () => 0 },
  });
  const record = await store.create(opts.userId ?? 'user-1', { persistentAllowed: opts.persistentAllowed });
  return { store, record };
}

export function splitUrl(url: string): { path: string; query: string } {
  const i = url.indexOf('?');
  return i === -1 ? { path: url, query: '' } : { path: url.slice(0, i), query: url.slice(i + 1) };
}

export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected a rejection');
}
