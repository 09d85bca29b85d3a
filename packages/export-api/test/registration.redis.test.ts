import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSeedPart2Fixtures, PART2_CHECKIN_SECRET } from '../src/fixtures.js';
import type { Authenticator, ExportChange } from '../src/index.js';
import { createNodeListener } from '../src/index.js';
import { createRedisCatalog, createRedisResultCache } from '../src/redis.js';
import { seedHandler } from './helpers.js';

// spec §9.5 over real HTTP with the Redis catalog: writes are atomic and never cached.
const manager: Authenticator = async () => ({ user: { id: '36024' } });

describe.skipIf(!hasRedis())('registration writes on Redis', () => {
  let r: ReturnType<typeof createTestRedis>;
  let server: http.Server | undefined;
  afterEach(async () => {
    if (server) await new Promise((done) => server!.close(done));
    server = undefined;
    await r.cleanup();
  });

  it('keeps both fields when pay and check-in run concurrently, and reports each change', async () => {
    r = createTestRedis();
    const catalog = createRedisCatalog({ client: r.client, prefix: r.prefix });
    await loadSeedPart2Fixtures(catalog);
    await catalog.updateRegistrantState('301397', '0', { checkedIn: false, checkinDate: null });
    const changes: ExportChange[] = [];
    const handler = seedHandler(catalog, {
      authenticate: manager,
      onChange: (c) => void changes.push(...c),
      cache: createRedisResultCache({ client: r.client, prefix: r.prefix }),
    });
    server = http.createServer(createNodeListener(handler));
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/event/301397/registrant/0`;
    const post = (p: string, body: string) =>
      fetch(`${base}/${p}.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }).then((res) => res.json() as Promise<{ results: Record<string, unknown> }>);
    const before = await fetch(`${base.replace('/api/', '/export/')}.json`).then((res) => res.json());
    expect((before as { results: { paid: boolean } }).results.paid).toBe(false);
    const [paid, checked] = await Promise.all([
      post('pay', 'is_paid=yes'),
      post('checkin', `secret=${PART2_CHECKIN_SECRET}&checked_in=yes`),
    ]);
    expect(paid.results).toEqual({ paid: true, amount_paid: 4 });
    expect(checked.results.checked_in).toBe(true);
    const stored = await catalog.getRegistrant('301397', '0');
    expect(stored).toMatchObject({ paid: true, amountPaid: 4, checkedIn: true });
    expect(changes.map((c) => c.detail).sort()).toEqual(['registrant 0 checked in', 'registrant 0 paid']);
    const after = await fetch(`${base.replace('/api/', '/export/')}.json`).then((res) => res.json());
    expect((after as { results: { paid: boolean } }).results.paid).toBe(true);
    // never cached, although the handler has a cache: nothing under the cache prefix
    expect(await r.client.keys(`${r.prefix}{export}:cache:*`)).toEqual([]);
  });
});
