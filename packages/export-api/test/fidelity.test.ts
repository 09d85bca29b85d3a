import { describe, expect, it } from 'vitest';
import { expectSeedSubset, get, seedCatalog, seedExample, seedHandler } from './helpers.js';

// The seed's contribution titles went through OCR: `dlc2`/`dlc1`/`d2slc1` are `d1c2`/`d1c1`/`d2s1c1`
// (the same contribution is spelled both ways in different examples). Normalise before comparing.
function fixOcr<T>(v: T): T {
  return JSON.parse(
    JSON.stringify(v)
      .replace(/"dlc(\d)"/g, '"d1c$1"')
      .replace(/"d2slc1"/g, '"d2s1c1"'),
  );
}

describe('fidelity with the seed examples (seed 5.3.1-5.3.4, 5.3.7)', () => {
  it('categ/2.json?from=today&to=today lists both events of TEST Category like the seed', async () => {
    const seed = seedExample('categ-2');
    const h = seedHandler(await seedCatalog(), {
      nowSec: seed.ts,
      baseUrl: 'https://my.indico',
      host: 'http://pcituds07.cern.ch/indico/',
    });
    const res = await get(h, '/export/categ/2.json', 'from=today&to=today&pretty=yes');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expectSeedSubset(res.json, seed);
    // spec §9.1: categ adds additionalInfo.eventCategories and moreFutureEvents
    expect(res.json.additionalInfo.eventCategories[0].categoryId).toBe('2');
    expect(res.json.additionalInfo.moreFutureEvents).toBe(true);
  });

  it('event/137346.json?occ=yes gives the two daily occurrences of the seed', async () => {
    const seed = seedExample('event-occ');
    const h = seedHandler(await seedCatalog(), { nowSec: seed.ts });
    const res = await get(h, '/export/event/137346.json', 'occ=yes&pretty=yes');
    expectSeedSubset(res.json, seed);
  });

  it('event/137346.json?detail=contributions lists the four contributions in the seed order', async () => {
    const seed = fixOcr(seedExample('event-contributions'));
    const h = seedHandler(await seedCatalog(), { nowSec: seed.ts });
    const res = await get(h, '/export/event/137346.json', 'detail=contributions&pretty=yes');
    expectSeedSubset(res.json, seed);
  });

  it('event/137346.json?detail=sessions groups contributions by session like the seed (1.2 slot shape)', async () => {
    const seed = fixOcr(seedExample('event-sessions'));
    const h = seedHandler(await seedCatalog(), { nowSec: seed.ts });
    const res = await get(h, '/export/event/137346.json', 'detail=sessions&pretty=yes');
    const { sessions: seedSessions, ...seedEvent } = seed.results[0];
    const { results, ...seedEnvelope } = seed;
    expectSeedSubset(res.json, seedEnvelope);
    const actual = res.json.results[0];
    expectSeedSubset(actual, seedEvent);
    // spec §10: 1.2 emits one SessionSlot per slot; the doc's older `Session` fields moved into `session`.
    expect(actual.sessions).toHaveLength(seedSessions.length);
    const slot = actual.sessions[0];
    const s = seedSessions[0];
    expect(slot._type).toBe('SessionSlot');
    expect(slot._fossil).toBe('sessionMetadata');
    expect(slot.id).toBe(`${s.id}-0`);
    expectSeedSubset(slot.startDate, s.startDate);
    expectSeedSubset(slot.contributions, s.contributions);
    for (const k of [
      'title',
      'numSlots',
      'color',
      'textColor',
      'isPoster',
      'material',
      'sessionConveners',
      'location',
      'address',
      'room',
    ]) {
      expectSeedSubset(slot.session[k], s[k], `session.${k}`);
    }
  });

  it('timetable/137346.json reproduces the seed timetable entry c0', async () => {
    const seed = seedExample('timetable');
    const h = seedHandler(await seedCatalog('2013'), { nowSec: seed.ts });
    const res = await get(h, '/export/timetable/137346.json', 'ak=00000000-0000-0000-0000-000000000000&pretty=yes');
    expectSeedSubset(res.json, seed);
    expect(res.json.count).toBe(1); // spec §6.1: count of a dict result = number of events
  });

  it('event/search/ic hep.json finds the five ICHEP events of the seed, in date order', async () => {
    const seed = seedExample('search');
    const h = seedHandler(await seedCatalog(), { nowSec: seed.ts, serverTimezone: 'UTC' });
    const res = await get(h, '/export/event/search/ic hep.json', 'ak=00000000-0000-0000-0000-000000000000&pretty=yes');
    expectSeedSubset(res.json, seed);
  });

  it('user/36024.json returns the avatar of the seed to that user', async () => {
    const seed = seedExample('user');
    const h = seedHandler(await seedCatalog(), {
      nowSec: seed.ts,
      authenticate: async () => ({ user: { id: '36024' } }),
    });
    const res = await get(h, '/export/user/36024.json', 'ak=00000000-0000-0000-0000-000000000000');
    const { url: _url, ...rest } = seed; // the seed's url omits &pretty=yes although the request had it
    expectSeedSubset(res.json, rest);
  });
});
