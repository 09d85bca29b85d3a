/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { describe, expect, it } from 'vitest';
import { collect, type HookDefinition, HookRegistry } from '../src/index.js';
import { get, seedCatalog, seedHandler } from './helpers.js';

// A resource added by a package user: the number of contributions per event, iterated with the standard
// paging rules, with its own detail levels and parameter.
const contributionCount: HookDefinition = {
  name: 'contribution-count',
  pattern: '(stats)/(?<idlist>[0-9]+(?:-[0-9]+)*)',
  formats: ['json', 'xml'],
  detailLevels: { counts: 2 },
  defaultDetail: 'counts',
  async handler(ctx) {
    const events = (await ctx.catalog.getEvents(ctx.groups.idlist!.split('-'))).filter((e) => e !== null);
    const { items, complete } = await collect(events, {
      common: ctx.common,
      key: (e) => e.id,
      sortKeys: { id: (e) => e.id, start: (e) => e.startDate, end: (e) => e.endDate, title: (e) => e.title },
    });
    const min = Number(ctx.params.get('min') ?? 0);
    const results = [];
    for (const e of items) {
      const n = (await ctx.catalog.getContributions(e.id)).length;
      if (n >= min) results.push({ _type: 'Stats', id: e.id, contributions: n });
    }
    return { results, complete, additionalInfo: { generatedBy: 'test' } };
  },
};

describe('hooks registry', () => {
  it('serves a registered resource through the full pipeline (params, detail limits, envelope, formats)', async () => {
    const h = seedHandler(await seedCatalog(), { hooks: [contributionCount] });
    const res = await get(h, '/export/stats/137346-137344.json');
    expect(res.json.results).toEqual([
      { _type: 'Stats', id: '137346', contributions: 4 },
      { _type: 'Stats', id: '137344', contributions: 0 },
    ]);
    expect(res.json.additionalInfo).toEqual({ generatedBy: 'test' });
    expect((await get(h, '/export/stats/137346.json', 'min=5')).json.results).toEqual([]);
    const tooMany = await get(h, '/export/stats/137346.json', 'n=3');
    expect(tooMany.json.message).toBe(
      "You can only request up to 2 records per request with the detail level 'counts'",
    );
    expect((await get(h, '/export/stats/137346.xml')).body).toContain('<stats id="137346">');
    expect((await get(h, '/export/stats/137346.ics')).status).toBe(404); // not in the hook's formats
  });

  it('does not let a user hook shadow a core resource registered before it', async () => {
    const h = seedHandler(await seedCatalog(), {
      hooks: [{ name: 'shadow', pattern: '(event)/(?<id>[0-9]+)', handler: async () => ({ results: ['shadow'] }) }],
    });
    expect((await get(h, '/export/event/137346.json')).json.results[0].id).toBe('137346');
  });

  it('rejects a hook with an invalid pattern or a default detail that is not a level', () => {
    expect(() => new HookRegistry([{ name: 'bad', pattern: '(', handler: async () => ({ results: [] }) }])).toThrow(
      TypeError,
    );
    expect(
      () =>
        new HookRegistry([
          {
            name: 'bad',
            pattern: 'x',
            detailLevels: { a: 1 },
            defaultDetail: 'b',
            handler: async () => ({ results: [] }),
          },
        ]),
    ).toThrow(/default detail/);
  });

  it('checks guest access and hasAccess before running the handler', async () => {
    let ran = false;
    const h = seedHandler(await seedCatalog(), {
      hooks: [
        {
          name: 'members',
          pattern: '(members)/(?<id>[0-9]+)',
          guestAllowed: false,
          handler: async () => {
            ran = true;
            return { results: [] };
          },
        },
        {
          name: 'closed',
          pattern: '(closed)/(?<id>[0-9]+)',
          hasAccess: () => false,
          handler: async () => {
            ran = true;
            return { results: [] };
          },
        },
      ],
    });
    expect((await get(h, '/export/members/1.json')).json.message).toBe('Guest access to this resource is forbidden.');
    expect((await get(h, '/export/closed/1.json')).json.message).toBe('Access to this resource is restricted.');
    expect(ran).toBe(false);
  });
});
