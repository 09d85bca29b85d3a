import { describe, expect, it } from 'vitest';
import { createMemoryResultCache } from '../src/index.js';
import { seedCatalog, seedHandler } from './helpers.js';

// Signed requests differ in every query (timestamp, signature) but share one cached result; the kept body is
// completed with each request's own url (and the ics DTSTAMP) and must equal a body rendered afresh.
describe('rendered bodies reused across requests of one cached result', () => {
  it('answers each request with its own url, byte for byte as without reuse', async () => {
    const catalog = await seedCatalog();
    let nowSec = 1308899256;
    const clock = { now: () => nowSec * 1000 };
    const reused = seedHandler(catalog, { cache: createMemoryResultCache({ clock }), clock });
    const fresh = seedHandler(catalog, { cache: createMemoryResultCache({ clock }), clock, renderCacheEntries: 0 });
    const paths = [
      '/export/categ/2.json',
      '/export/categ/2.jsonp',
      '/export/event/137346.xml',
      '/export/categ/2.ics',
      '/export/categ/2.html',
      '/export/categ/2.atom',
      '/export/event/137346.json',
    ];
    for (const path of paths) {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        nowSec += 1;
        const query = `from=2011-06-01&to=2011-07-01&timestamp=${nowSec}&z=$&y=$'<a>&x=%2F/ü${i % 2 ? '&pretty=yes' : ''}`;
        const got = await reused({ method: 'GET', path, query });
        const want = await fresh({ method: 'GET', path, query });
        expect(got.status, path).toBe(200);
        expect(got.body, `${path}?${query}`).toBe(want.body);
        seen.add(got.body);
        if (!path.endsWith('.ics') && !path.endsWith('.html')) expect(got.body).toContain(`timestamp=${nowSec}`);
      }
      if (!path.endsWith('.html')) expect(seen.size, path).toBe(4);
      // an unsigned client repeating its query gets the same completed body again
      const query = 'from=2011-06-01&to=2011-07-01&y=$&';
      const want = (await fresh({ method: 'GET', path, query })).body;
      for (let i = 0; i < 2; i++) {
        const got = await reused({ method: 'GET', path, query });
        expect(got.body).toBe(want);
        if (got.bytes) expect(got.bytes.toString('utf8')).toBe(want);
      }
    }
  });
});
