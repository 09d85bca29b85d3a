import { describe, expect, it } from 'vitest';
import { ExportDate, toIcs } from '../src/index.js';
import { stampIcs, toIcsTemplate } from '../src/serializers/ics.js';
import { seedCatalog, seedHandler } from './helpers.js';

function results() {
  const long = `DTSTAMP:19000101T000000Z ${'a/b '.repeat(60)}\nDTSTAMP:19000101T000000Z`;
  return [1, 2, 3].map((i) => ({
    _fossil: 'conferenceMetadata',
    id: String(i),
    title: i === 2 ? long : `Event ${i}`,
    description: i === 3 ? `<p>${long}</p>` : 'Short',
    url: `https://x.org/event/${i}/`,
    location: 'CERN',
    room: 'DTSTAMP:19000101T000000Z',
    startDate: new ExportDate(Date.UTC(2026, 1, i, 9), 'Europe/Zurich'),
    endDate: new ExportDate(Date.UTC(2026, 1, i, 10), 'Europe/Zurich'),
  }));
}

describe('ics with a reusable body (stand-in DTSTAMP)', () => {
  it('stamps a template to the same bytes as rendering at that time, also next to look-alike text', () => {
    const template = toIcsTemplate(results());
    for (const now of [0, Date.UTC(2026, 10, 28, 16, 40, 37, 999), Date.UTC(2030, 0, 1) + 1, 1308841641000]) {
      const want = toIcs(results(), now);
      expect(stampIcs(template, now)).toBe(want);
      expect(want.match(/\r\nDTSTAMP:/g)).toHaveLength(3);
    }
    expect(toIcs(results(), 0)).toContain('19000101T000000Z'); // the look-alike text survives
  });

  it('answers repeated cached ics requests with the DTSTAMP of each response', async () => {
    let nowSec = 1308899256;
    const catalog = await seedCatalog();
    const { createMemoryResultCache } = await import('../src/index.js');
    const clock = { now: () => nowSec * 1000 };
    const reused = seedHandler(catalog, { cache: createMemoryResultCache({ clock }), clock });
    const fresh = seedHandler(catalog, { cache: createMemoryResultCache({ clock }), clock, renderCacheEntries: 0 });
    const ask = async (h: typeof reused) =>
      (await h({ method: 'GET', path: '/export/categ/2.ics', query: 'from=2011-06-01&to=2011-07-01' })).body;
    const first = await ask(reused);
    expect(first).toContain('DTSTAMP:20110624T070736Z');
    expect(first).toBe(await ask(fresh));
    nowSec += 67; // within the TTL: served from the rendered body
    const later = await ask(reused);
    expect(later).toContain('DTSTAMP:20110624T070843Z');
    expect(later).not.toContain('DTSTAMP:20110624T070736Z');
    expect(later).toBe(await ask(fresh));
  });
});
