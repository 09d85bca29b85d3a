/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { describe, expect, it } from 'vitest';
import {
  type Catalog,
  createExportHandler,
  createMemoryCatalog,
  type EventRecord,
  ExportDate,
  type Requester,
  toIndicoJson,
} from '../src/index.js';
import { shareJsonValue } from '../src/serializers/json.js';

const T0 = Date.UTC(2026, 2, 1, 9);
const H = 3_600_000;

function item(i: number) {
  return {
    id: String(i),
    title: `Zürich / talk ${i} – 東京`,
    url: `https://x.org/event/${i}/`,
    start: new ExportDate(T0 + i * H, 'Europe/Zurich'),
    nested: { list: [1, 'a/b', null, undefined], empty: {} },
    gone: undefined,
  };
}

describe('shared result items (shareJsonValue)', () => {
  it('serializes an envelope with shared items to the same bytes as without', () => {
    const envelope = (items: unknown[]) => ({
      count: items.length,
      additionalInfo: { note: 'a/b ü', quote: '"\u0000results\u0000"' },
      _type: 'HTTPAPIResult',
      complete: true,
      url: 'https://x.org/export/categ/1.json?from=a/b',
      ts: 1,
      results: items,
    });
    const plain = toIndicoJson(envelope([item(1), item(2), 'x/y', 3, null]), false);
    const sharedItems = [shareJsonValue(item(1)), shareJsonValue(item(2)), 'x/y', 3, null];
    expect(toIndicoJson(envelope(sharedItems), false)).toBe(plain);
    // again: now from the remembered text of each item
    expect(toIndicoJson(envelope(sharedItems), false)).toBe(plain);
    expect(toIndicoJson(envelope(sharedItems), true)).toBe(
      toIndicoJson(envelope([item(1), item(2), 'x/y', 3, null]), true),
    );
    expect(JSON.parse(plain).results[0].title).toBe('Zürich / talk 1 – 東京');
    // the same first item with other items after it: its own text, not the remembered one
    const a1 = shareJsonValue(item(7));
    const [b1, c1] = [shareJsonValue(item(8)), shareJsonValue(item(9))];
    const first = toIndicoJson(envelope([a1, b1]), false);
    expect(first).toBe(toIndicoJson(envelope([item(7), item(8)]), false));
    expect(toIndicoJson(envelope([a1, c1]), false)).toBe(toIndicoJson(envelope([item(7), item(9)]), false));
    expect(toIndicoJson(envelope([a1, b1, c1]), false)).toBe(
      toIndicoJson(envelope([item(7), item(8), item(9)]), false),
    );
    expect(toIndicoJson(envelope([a1, b1]), false)).toBe(first);
  });

  it('freezes a shared item so nobody can change the remembered text', () => {
    const shared = shareJsonValue(item(5));
    expect(Object.isFrozen(shared)).toBe(true);
    expect(Object.isFrozen(shared.nested.list)).toBe(true);
    expect(() => {
      (shared as any).title = 'changed';
    }).toThrow(TypeError);
  });
});

/**
 * The memory catalog with the promise the Redis catalog makes: listed events are frozen, and the same object is
 * handed out again while the stored record is unchanged (an edit yields a new object).
 */
function frozenListing(inner: Catalog): Catalog {
  const byContent = new Map<string, EventRecord>();
  const share = (e: EventRecord) => {
    const key = JSON.stringify(e);
    let hit = byContent.get(key);
    if (!hit) {
      hit = structuredClone(e);
      shareJsonValue(hit);
      byContent.set(key, hit);
    }
    return hit;
  };
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'eventsInCategory') {
        return async function* (id: string, w: { from: number | null; to: number | null }) {
          for await (const e of target.eventsInCategory(id, w)) yield share(e);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const protectedTo = (ids: string[]) => ({ isProtected: true, allowedUserIds: ids });

function event(id: string, categoryId: string, start: number, title = `Event ${id}`): EventRecord {
  return {
    id,
    title,
    description: '<p>d/e</p>',
    type: 'meeting',
    startDate: start,
    endDate: start + H,
    timezone: 'Europe/Zurich',
    categoryId,
    location: 'CERN',
    room: '40/S2',
    address: 'Route de Meyrin',
    creator: { id: 'c', fullName: 'Creator', affiliation: 'CERN', email: 'c@example.org' },
    chairs: [{ id: 'ch', fullName: 'Chair', affiliation: 'CERN', email: 'ch@example.org' }],
    creationDate: T0 - 10 * H,
    modificationDate: T0 - H,
    material: [
      {
        id: 'm1',
        title: 'Slides',
        resources: [
          { kind: 'link', id: 'r1', name: 'public', url: 'https://x.org/a' },
          { kind: 'link', id: 'r2', name: 'secret', url: 'https://x.org/b', protection: protectedTo(['u1']) },
        ],
      },
    ],
  };
}

async function catalogWithEvents(): Promise<Catalog> {
  const c = createMemoryCatalog();
  await c.putCategory({ id: '0', name: 'Home', parentId: null });
  await c.putCategory({ id: '1', name: 'Physics', parentId: '0' });
  await c.putCategory({ id: '2', name: 'Chemistry', parentId: '0' });
  for (let i = 0; i < 6; i++) await c.putEvent(event(`e${i}`, i % 2 ? '1' : '2', T0 + i * 24 * H));
  return c;
}

describe('categ export over a catalog of frozen records (fossils reused across requests)', () => {
  const requests: Array<[string, string]> = [
    ['/export/categ/0.json', 'from=2026-02-01&to=2026-04-01&nocache=yes'],
    ['/export/categ/0.json', 'from=2026-02-01&to=2026-04-01&nocache=yes&tz=Asia/Tokyo'],
    ['/export/categ/1-2.json', 'from=2026-02-01&to=2026-04-01&nocache=yes&order=title&descending=yes'],
    ['/export/categ/0.jsonp', 'from=2026-02-01&to=2026-04-01&nocache=yes&jsonp=cb'],
    ['/export/categ/0.xml', 'from=2026-02-01&to=2026-04-01&nocache=yes'],
    ['/export/categ/0.json', 'from=2026-02-01&to=2026-04-01&nocache=yes&pretty=yes'],
    ['/export/categ/0.json', 'from=2026-02-01&to=2026-04-01&nocache=yes&detail=contributions'],
  ];

  it('answers with the same bytes as the plain catalog, for each requester, again and again', async () => {
    let user: Requester | null = null;
    const handlerOver = (catalog: Catalog) =>
      createExportHandler({
        catalog,
        baseUrl: 'https://x.org',
        serverTimezone: 'Europe/Zurich',
        clock: { now: () => T0 },
        authenticate: async () => ({ user }),
      });
    const plain = handlerOver(await catalogWithEvents());
    const frozen = handlerOver(frozenListing(await catalogWithEvents()));
    const users: Array<Requester | null> = [null, { id: 'u1' }, { id: 'u2' }, { id: 'c' }, null];
    for (const u of users) {
      user = u;
      for (const [path, query] of requests) {
        const want = await plain({ method: 'GET', path, query });
        expect(want.status).toBe(200);
        for (let round = 0; round < 2; round++) {
          const got = await frozen({ method: 'GET', path, query });
          expect(got.body, `${u?.id ?? 'anonymous'} ${path}?${query}`).toBe(want.body);
        }
      }
    }
    user = { id: 'u1' };
    const mine = JSON.parse((await frozen({ method: 'GET', path: requests[0]![0], query: requests[0]![1] })).body);
    expect(mine.results[0].material[0].resources.map((r: any) => r.name)).toEqual(['public', 'secret']);
    user = null;
    const anon = JSON.parse((await frozen({ method: 'GET', path: requests[0]![0], query: requests[0]![1] })).body);
    expect(anon.results[0].material[0].resources.map((r: any) => r.name)).toEqual(['public']);
  });

  it('shows an edited event or category at once', async () => {
    const inner = await catalogWithEvents();
    const h = createExportHandler({
      catalog: frozenListing(inner),
      baseUrl: 'https://x.org',
      clock: { now: () => T0 },
    });
    const ask = async () =>
      JSON.parse(
        (await h({ method: 'GET', path: '/export/categ/1.json', query: 'from=2026-02-01&to=2026-04-01&nocache=yes' }))
          .body,
      );
    const before = await ask();
    expect(before.results[0].title).toBe('Event e1');
    expect(before.results[0].category).toBe('Physics');
    await inner.putEvent(event('e1', '1', T0 + 24 * H, 'Renamed / e1'));
    await inner.putCategory({ id: '1', name: 'Particle physics', parentId: '0' });
    const after = await ask();
    expect(after.results[0].title).toBe('Renamed / e1');
    expect(after.results[0].category).toBe('Particle physics');
    expect(after.results[1]).toEqual({ ...before.results[1], category: 'Particle physics' });
  });
});
