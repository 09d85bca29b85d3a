import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestRedis, hasRedis } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSeedPart2Fixtures } from '../src/fixtures.js';
import { type Authenticator, createNodeListener, type ReservationRecord } from '../src/index.js';
import { createRedisCatalog } from '../src/redis.js';
import { seedHandler } from './helpers.js';

// spec §9.8 bookRoom: "fails if there is a collision"; two concurrent requests for one slot never both succeed.
const asUser: Authenticator = async () => ({ user: { id: '1' } });

describe.skipIf(!hasRedis())('bookRoom against real Redis', () => {
  let r: ReturnType<typeof createTestRedis>;
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((done) => s.close(done));
    await r.cleanup();
  });

  /** One "server process": its own Redis connection, catalog and HTTP listener. */
  async function startServer(): Promise<string> {
    const catalog = createRedisCatalog({ client: r.duplicate(), prefix: r.prefix });
    const server = http.createServer(createNodeListener(seedHandler(catalog, { authenticate: asUser })));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('accepts exactly one of many parallel HTTP requests for the same slot, across two servers', async () => {
    r = createTestRedis();
    await loadSeedPart2Fixtures(createRedisCatalog({ client: r.client, prefix: r.prefix }));
    const bases = [await startServer(), await startServer()];
    const N = 24;
    const responses = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        fetch(`${bases[i % 2]}/api/roomBooking/bookRoom.json`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          // every request overlaps 10:00-10:30 of the same day
          body: `location=CERN&roomid=120&from=2013-01-07T10:${String(i % 30).padStart(2, '0')}&to=2013-01-07T11:00&reason=r${i}&username=jdoe`,
        }).then(async (res) => ({
          status: res.status,
          json: (await res.json()) as { message?: string; results?: { reservationID: number } },
        })),
      ),
    );
    const ok = responses.filter((x) => x.json.results?.reservationID !== undefined);
    const refused = responses.filter((x) => typeof x.json.message === 'string');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(N - 1);
    for (const x of refused) expect(x.json.message).toMatch(/^Failed to create the booking\./);
    const stored = await createRedisCatalog({ client: r.client, prefix: r.prefix }).getReservations('CERN', 120);
    // the seed reservation plus the single winner
    expect(stored.map((s) => s.id)).toEqual([93094, ok[0]!.json.results!.reservationID]);
  });

  it('never stores two overlapping bookings under parallel catalog calls with random windows', async () => {
    r = createTestRedis();
    const catalogs = [0, 1, 2].map(() => createRedisCatalog({ client: r.duplicate(), prefix: r.prefix }));
    await loadSeedPart2Fixtures(catalogs[0]!);
    const H = 3_600_000;
    const day = Date.UTC(2013, 0, 8);
    // deterministic pseudo-random windows of 1-3 hours in a 12-hour day
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const requests = Array.from({ length: 60 }, (_, i) => {
      const start = day + rnd(24) * (H / 2);
      return catalogs[i % 3]!.bookRoom({
        location: 'CERN',
        roomId: 120,
        startDT: start,
        endDT: start + (1 + rnd(3)) * H,
        repeatability: null,
        bookedForName: 'DOE, John',
        reason: `r${i}`,
        usesAVC: false,
        needsAVCSupport: false,
        needsStartupSupport: false,
        isConfirmed: true,
        isCancelled: false,
        isRejected: false,
        vcList: [],
      });
    });
    const outcomes = await Promise.all(requests);
    const accepted = outcomes.filter((o) => o.ok).length;
    expect(accepted).toBeGreaterThan(0);
    const stored: ReservationRecord[] = (await catalogs[0]!.getReservations('CERN', 120)).filter(
      (x) => x.startDT >= day,
    );
    expect(stored).toHaveLength(accepted);
    const sorted = stored.sort((a, b) => a.startDT - b.startDT);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.startDT).toBeGreaterThanOrEqual(sorted[i - 1]!.endDT);
  });
});
