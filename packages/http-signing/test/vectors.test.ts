import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildIndicoRequest,
  canonicalQuery,
  computeSignature,
  isSignatureValid,
  signRequest,
  verifyRequest,
} from '../src/index.js';
import { loadVectors, rejection, splitUrl, storeWithKey, VECTORS_FILE, type Vector } from './helpers.js';

// spec: export-api-and-signing §4.5: every vector of shared/vectors/signing.json gives its recorded outcome.
const vectors = loadVectors();
const signed = vectors.filter((v) => v.secret_key !== null);

function serverCanonical(v: Vector, flavor: 'indico1x2x' | 'indico3x'): string {
  const { path, query } = splitUrl(v.expected_url);
  const q = canonicalQuery(query, { flavor });
  return q === '' ? path : `${path}?${q}`;
}

describe('signing.json vectors', () => {
  it('uses an unchanged copy of the shared vector file', () => {
    const shared = new URL('../../../../shared/vectors/signing.json', import.meta.url);
    if (!existsSync(shared)) return; // the copy under test/fixtures is the source of truth outside this workspace
    expect(JSON.parse(readFileSync(VECTORS_FILE, 'utf8'))).toEqual(JSON.parse(readFileSync(shared, 'utf8')));
    expect(vectors).toHaveLength(16);
  });

  it.each(signed.map((v) => [v.id, v] as const))(
    '%s: the recorded signature is HMAC-SHA1 of string_to_sign',
    (_, v) => {
      expect(computeSignature(v.secret_key!, v.string_to_sign!)).toBe(v.signature);
    },
  );

  it.each(signed.map((v) => [v.id, v] as const))(
    '%s: canonicalQuery rebuilds both servers’ canonical strings from the sent URL',
    (_, v) => {
      expect(serverCanonical(v, 'indico1x2x')).toBe(v.server_canonical_indico1x_2x);
      expect(serverCanonical(v, 'indico3x')).toBe(v.server_canonical_indico3x);
    },
  );

  it.each(signed.map((v) => [v.id, v] as const))(
    '%s: each server accepts the signature exactly when the vector says so',
    (_, v) => {
      expect(computeSignature(v.secret_key!, v.server_canonical_indico1x_2x!) === v.signature).toBe(
        v.signature_accepted_indico1x_2x,
      );
      expect(computeSignature(v.secret_key!, v.server_canonical_indico3x!) === v.signature).toBe(
        v.signature_accepted_indico3x,
      );
    },
  );

  it.each(signed.map((v) => [v.id, v] as const))(
    '%s: verifyRequest accepts the URL iff a genuine 1.x/2.x or 3.x server accepts it',
    async (_, v) => {
      const { store, record } = await storeWithKey(v.api_key, v.secret_key!, { persistentAllowed: v.persistent });
      const { path, query } = splitUrl(v.expected_url);
      const isPost = path.startsWith('/api/');
      const input = isPost ? { method: 'POST', path, body: query, query: '' } : { method: 'GET', path, query };
      const now = () => (v.timestamp ?? 1_700_000_000) * 1000;
      const accepted = v.signature_accepted_indico1x_2x || v.signature_accepted_indico3x;
      const run = () => verifyRequest(input, { mode: 'ALL_SIGNED', keyStore: store, now, allowPersistent: true });
      if (!accepted) {
        expect((await rejection(run())).message).toBe('Signature invalid');
        return;
      }
      const outcome = await run();
      // spec §3.4: onlypublic=yes still validates the key but runs as anonymous
      expect(outcome.kind).toBe(v.only_public ? 'public-only' : 'user');
      expect(outcome.signed).toBe(true);
      expect(outcome.persistent).toBe(v.persistent);
      if (outcome.kind === 'user') expect(outcome.userId).toBe(record.userId);
    },
  );

  it.each(signed.map((v) => [v.id, v] as const))('%s: isSignatureValid agrees with the recorded verdicts', (_, v) => {
    const { path, query } = splitUrl(v.expected_url);
    const accepted = v.signature_accepted_indico1x_2x || v.signature_accepted_indico3x;
    expect(isSignatureValid(path, query, v.secret_key!, { post: path.startsWith('/api/') })).toBe(accepted);
    // any other secret, or an upper-case copy of the signature, is refused
    expect(isSignatureValid(path, query, '11111111-1111-4111-8111-111111111111')).toBe(false);
    const upper = query.replace(/signature=([0-9a-f]+)/, (_m, hex: string) => `signature=${hex.toUpperCase()}`);
    expect(isSignatureValid(path, upper, v.secret_key!)).toBe(false);
    expect(isSignatureValid(path, `${query}&signature=${v.signature}`, v.secret_key!)).toBe(false);
  });

  it('persistent vector: refused unless both the key and the server allow persistent signatures', async () => {
    // spec §4.1 step 1 / §12 item 11
    const v = vectors.find((x) => x.id === 'persistent')!;
    const { path, query } = splitUrl(v.expected_url);
    for (const [keyFlag, serverFlag] of [
      [false, true],
      [true, false],
      [false, false],
    ] as const) {
      const { store } = await storeWithKey(v.api_key, v.secret_key!, { persistentAllowed: keyFlag });
      const err = await rejection(
        verifyRequest({ method: 'GET', path, query }, { keyStore: store, allowPersistent: serverFlag }),
      );
      expect(err.message).toBe('Signature invalid (no timestamp)');
    }
  });

  it.each(signed.map((v) => [v.id, v] as const))(
    '%s: our client signs exactly the canonical string each server rebuilds',
    (_, v) => {
      const opts = {
        apiKey: v.api_key,
        secretKey: v.secret_key,
        onlyPublic: v.only_public,
        persistent: v.persistent,
        timestamp: v.timestamp ?? undefined,
        keyParam: v.key_param,
      };
      expect(signRequest(v.path, v.params, opts).stringToSign).toBe(v.server_canonical_indico1x_2x);
      expect(signRequest(v.path, v.params, { ...opts, flavor: 'indico3x' }).stringToSign).toBe(
        v.server_canonical_indico3x,
      );
    },
  );

  it.each(
    vectors.filter((v) => v.client === 'canonical_indico12' || v.secret_key === null).map((v) => [v.id, v] as const),
  )('%s: buildIndicoRequest produces the recorded URL', (_, v) => {
    const url = buildIndicoRequest(v.path, v.params, {
      apiKey: v.api_key,
      secretKey: v.secret_key,
      onlyPublic: v.only_public,
      persistent: v.persistent,
      timestamp: v.timestamp ?? undefined,
      keyParam: v.key_param,
    });
    expect(url).toBe(v.expected_url);
  });

  it('key_only vector: an unsigned key request is authenticated in KEY mode and public-only in SIGNED mode', async () => {
    // spec §3.3 decision table, "ak, no signature" column
    const v = vectors.find((x) => x.id === 'key_only')!;
    const { store, record } = await storeWithKey(v.api_key, '11111111-1111-4111-8111-111111111111');
    const { path, query } = splitUrl(v.expected_url);
    const asKey = await verifyRequest({ method: 'GET', path, query }, { mode: 'KEY', keyStore: store });
    expect(asKey).toMatchObject({ kind: 'user', userId: record.userId, via: 'api-key' });
    const asSigned = await verifyRequest({ method: 'GET', path, query }, { mode: 'SIGNED', keyStore: store });
    expect(asSigned).toMatchObject({ kind: 'public-only', reason: 'unsigned' });
  });
});
