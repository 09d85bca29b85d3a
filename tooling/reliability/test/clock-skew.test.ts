/**
 * Fault: the signer's clock is off by ±11 minutes (issue 10). Signatures are valid for SIGNATURE_TTL = 600 s
 * around the server's time (spec: export-api-and-signing §3, timestamp window), so a request signed 11 minutes
 * in the past or future is a clean 403 with Indico's error envelope (export API) or `{ok: false}` (management),
 * and nothing is written; 9 minutes off is still accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyDigest } from '../../../apps/server/src/admin-auth.js';
import { type Served, serve, signedUrl } from '../src/server-harness.js';

const MIN = 60_000;

describe.each(['KEY', 'ALL_SIGNED'])('signer clock skew (API_MODE=%s, SIGNATURE_TTL=600)', (mode) => {
  let ctx: Served;
  beforeAll(async () => {
    ctx = await serve({ API_MODE: mode, SIGNATURE_TTL: '600' });
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it.each([-11, 11])('answers a signed export request with a %i min skew with a clean 403', async (skew) => {
    const res = await fetch(`${ctx.base}${signedUrl('/export/categ/2.json', {}, ctx.admin, Date.now() + skew * MIN)}`);
    expect(res.status).toBe(403);
    const body = (await res.json()) as { _type: string; message: string };
    expect(body._type).toBe('HTTPAPIError');
    expect(body.message).toMatch(/timestamp|signature/i);
  });

  it.each([-9, 9])('accepts a %i min skew (inside the window)', async (skew) => {
    const res = await fetch(`${ctx.base}${signedUrl('/export/categ/2.json', {}, ctx.admin, Date.now() + skew * MIN)}`);
    expect(res.status).toBe(200);
  });

  it.each([-11, 11])('refuses a management write signed with a %i min skew (403, nothing written)', async (skew) => {
    const body = JSON.stringify({ name: 'Skewed', parentId: '0' });
    const url = signedUrl(
      `/manage/categories/skew${skew}`,
      { bodysha256: bodyDigest(body) },
      ctx.admin,
      Date.now() + skew * MIN,
    );
    const res = await fetch(`${ctx.base}${url}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { ok: boolean }).ok).toBe(false);
    expect(await ctx.rt.catalog.getCategory(`skew${skew}`)).toBeNull();
  });
});
