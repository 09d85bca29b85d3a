import { createMemoryCatalog } from '@indico/export-api';
import { describe, expect, it } from 'vitest';
import { exportCatalog, ImportError, importCatalog, objectRefs, parseDump } from '../src/catalog-io.js';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { createRuntime } from '../src/runtime.js';
import { silent, testConfig, trackEntries } from './helpers.js';

describe('catalog import / export', () => {
  it('round-trips the demo catalog through JSON, recording every imported event for livesync', async () => {
    const source = createMemoryCatalog();
    await loadDemoData(source, { generated: 6, now: Date.UTC(2026, 0, 1) });
    const dump = await exportCatalog(source, { userIds: [DEMO_ADMIN_ID, '36024'] });
    // the seed's examples: category 2 "TEST Category", events 137344 and 137346, user 36024
    expect(dump.categories.find((c) => c.id === '2')?.name).toBe('TEST Category');
    expect(dump.events.map((e) => e.id)).toEqual(expect.arrayContaining(['137344', '137346']));
    expect(dump.users.map((u) => u.id)).toEqual([DEMO_ADMIN_ID, '36024']);
    // part 2: rooms, reservation 93094, the registrant, the video bookings
    expect(dump.rooms.map((r) => `${r.location}/${r.id}`)).toEqual(['CERN/101', 'CERN/120']);
    expect(dump.reservations.map((r) => r.id)).toEqual([93094]);
    expect(dump.registrants.map((r) => `${r.eventId}/${r.id}`)).toEqual(['301397/0']);
    expect(dump.videoBookings.map((b) => b.uniqueId)).toEqual(expect.arrayContaining(['vidyo1', 'webcast1']));
    // parents come before children
    const seen = new Set<string>();
    for (const c of dump.categories) {
      if (c.parentId !== null) expect(seen.has(c.parentId)).toBe(true);
      seen.add(c.id);
    }

    const rt = createRuntime(testConfig(), { logger: silent });
    const counts = await importCatalog(rt.writer, parseDump(JSON.stringify(dump)));
    expect(counts.events).toBe(dump.events.length);
    expect(await exportCatalog(rt.catalog, { userIds: [DEMO_ADMIN_ID, '36024'] })).toEqual(dump);
    const events = (await trackEntries(rt)).filter((e) => e.kind === 'event');
    // every event once as created (the registrant import adds a data_changed of its event)
    expect(new Set(events.map((e) => e.id)).size).toBe(dump.events.length);
    await rt.close();
  });

  it('rejects files that are not catalog dumps, naming the problem', () => {
    expect(() => parseDump('{')).toThrow(ImportError);
    expect(() => parseDump('{"format":"other","version":1}')).toThrow(/format/);
    // files written before part 2 have no rooms etc.: read as empty
    expect(parseDump('{"format":"indico-server-catalog","version":1,"categories":[],"events":[]}').rooms).toEqual([]);
    expect(() =>
      parseDump('{"format":"indico-server-catalog","version":1,"categories":[{"name":"x"}],"events":[]}'),
    ).toThrow(/categories\.0\.id/);
  });

  it('names the record the catalog refused', async () => {
    const rt = createRuntime(testConfig(), { logger: silent });
    const dump = parseDump(
      JSON.stringify({
        format: 'indico-server-catalog',
        version: 1,
        categories: [{ id: '5', name: 'Orphan', parentId: 'missing' }],
        events: [],
      }),
    );
    await expect(importCatalog(rt.writer, dump)).rejects.toThrow(/categories 5:/);
    await rt.close();
  });

  it('lists every event and contribution as livesync references for a full export', async () => {
    const catalog = createMemoryCatalog();
    await loadDemoData(catalog, { generated: 0, now: Date.UTC(2026, 0, 1) });
    const refs: Array<{ kind: string; id: string }> = [];
    for await (const r of objectRefs(catalog)) refs.push(r);
    expect(refs).toContainEqual({ kind: 'event', id: '137346' });
    const contributions = await catalog.getContributions('137346');
    for (const c of contributions) expect(refs).toContainEqual({ kind: 'contribution', id: `137346.${c.id}` });
  });
});
