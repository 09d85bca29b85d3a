import { createFakeClock, type FakeClock } from '@indico/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChangeCollector,
  type ChangeEntry,
  type ChangeType,
  type ContentResolver,
  compactChanges,
  formatEntry,
  isLivesyncError,
  type ObjectKind,
  recordChange,
  runActiveAgents,
  SyncManager,
  type TrackStore,
  withChanges,
} from '../../src/index.js';
import { CollectingAgent, catalogResolver, collect, recordingLogger, Sink } from '../helpers.js';

export interface LivesyncStoreHandle {
  store: TrackStore;
  cleanup(): Promise<void>;
}

const G = 100; // seconds per bucket (spec §2.12)
const T0 = 1297082086 * 1000; // spec §2.15 scenario 1

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(isLivesyncError(err), `expected a LivesyncError, got ${String(err)}`).toBe(true);
    return (err as { code: string }).code;
  }
  return undefined;
}

const ev = (id: string, categoryPath?: string[]) => ({ kind: 'event' as const, id, categoryPath });

/**
 * SyncManager, capture, agents and compaction over one TrackStore. Called once per adapter, so the
 * compaction truth table (spec §3.2) and the reliability scenarios run on every store.
 */
export function describeLivesyncContract(name: string, make: () => Promise<LivesyncStoreHandle>): void {
  describe(`livesync contract: ${name}`, () => {
    let handle: LivesyncStoreHandle;
    let clock: FakeClock;
    let manager: SyncManager;
    const build = (resolver?: ContentResolver, excludedCategories?: string[]) =>
      new SyncManager({ store: handle.store, granularity: G, clock, resolver, excludedCategories });

    beforeEach(async () => {
      handle = await make();
      clock = createFakeClock(T0);
      manager = build();
    });
    afterEach(async () => {
      await handle.cleanup();
    });

    describe('SyncManager', () => {
      it('puts a change into bucket floor(epochSeconds / granularity)', async () => {
        // spec §2.15 scenario 1: epoch 1297082086 -> bucket 12970820
        await manager.add(T0, { ref: ev('7'), changes: 'data_changed' });
        const items = await collect(manager.getTrack().iterate());
        expect(items.map(([b]) => b)).toEqual([12970820]);
        expect(formatEntry(...items[0]!)).toMatch(/^12970820 <event 7> \[data_changed\] 2011-02-07T12:34:46/);
        expect(manager.getGranularity()).toBe(G);
      });

      it('rejects an unknown change type or object kind and writes nothing', async () => {
        const bad = [
          { ref: ev('1'), changes: 'created' as ChangeType },
          { ref: ev('2'), changes: 'exploded' as ChangeType },
        ];
        expect(await codeOf(manager.record(bad))).toBe('UNKNOWN_CHANGE_TYPE');
        expect(
          await codeOf(manager.record([{ ref: { kind: 'meeting' as ObjectKind, id: '1' }, changes: 'created' }])),
        ).toBe('UNKNOWN_OBJECT_KIND');
        expect(await codeOf(manager.record([{ ref: { kind: 'event', id: '' }, changes: 'created' }]))).toBe(
          'INVALID_ARGUMENT',
        );
        expect(await manager.getTrack().isEmpty()).toBe(true);
      });

      it('stores identical entries of a bucket once and keeps different action sets', async () => {
        // spec §2.15 scenario 20
        await manager.add(T0, { ref: ev('1'), changes: ['data_changed'] });
        await manager.add(T0, { ref: ev('1'), changes: ['data_changed'] });
        await manager.add(T0, { ref: ev('1'), changes: ['deleted'] });
        expect(await manager.getTrack().get(manager.bucketOf(T0))).toHaveLength(2);
      });

      it('refuses a duplicate agent id and leaves the existing agent untouched', async () => {
        await manager.add(T0, { ref: ev('1'), changes: 'created' });
        await manager.registerNewAgent(new CollectingAgent({ id: 'a', name: 'First' }));
        await manager.advance('a', 5);
        expect(await codeOf(manager.registerNewAgent(new CollectingAgent({ id: 'a', name: 'Second' })))).toBe(
          'DUPLICATE_AGENT',
        );
        expect((await manager.getAgent('a')).name).toBe('First');
        expect(await manager.getTrack().getPointerTimestamp('a')).toBe(5);
      });

      it('rejects moving the pointer of an unknown agent, querying without criteria, removing a ghost', async () => {
        expect(await codeOf(manager.advance('ghost', 3))).toBe('AGENT_NOT_FOUND');
        expect(await codeOf(() => manager.query())).toBe('NO_CRITERIA');
        expect(await codeOf(collect(manager.query('ghost')))).toBe('AGENT_NOT_FOUND');
        expect(await codeOf(manager.removeAgent('ghost'))).toBe('AGENT_NOT_FOUND');
        expect((await manager.getTrack().pointers()).size).toBe(0);
      });

      it('queries (pointer, till] per agent, a fresh agent seeing everything', async () => {
        const g = G * 1000;
        for (const b of [1, 2, 3]) await manager.add(b * g, { ref: ev(String(b)), changes: 'data_changed' });
        await manager.registerNewAgent(new CollectingAgent({ id: 'a' }));
        await manager.registerNewAgent(new CollectingAgent({ id: 'fresh' }));
        await manager.advance('a', 1);
        // spec §2.15 scenarios 6 and 7
        expect((await collect(manager.query('a', 3))).map(([b]) => b)).toEqual([2, 3]);
        expect((await collect(manager.query('a', 2))).map(([b]) => b)).toEqual([2]);
        expect((await collect(manager.query('fresh'))).map(([b]) => b)).toEqual([1, 2, 3]);
      });

      it('excludes whole category subtrees but keeps publish/unpublish boundary changes', async () => {
        const m = build(undefined, ['5']);
        await m.record([
          { ref: { kind: 'category', id: '5' }, changes: 'moved' },
          { ref: { kind: 'category', id: '6', categoryPath: ['0', '5'] }, changes: 'moved' },
          { ref: ev('1', ['0', '5']), changes: 'data_changed' },
          { ref: ev('2', ['0', '5', '6']), changes: ['data_changed'] },
          { ref: ev('3', ['0', '5', '6']), changes: ['unpublished', 'data_changed'] },
          { ref: ev('4', ['0', '7']), changes: 'data_changed' },
        ]);
        expect(m.objectExcluded(ev('2', ['0', '5', '6']))).toBe(true);
        expect(m.objectExcluded(ev('4', ['0', '7']))).toBe(false);
        const entries = (await collect(m.getTrack().iterate())).map(([, e]) => `${e.kind}:${e.id}:${e.changes}`);
        expect(entries.sort()).toEqual(['event:3:unpublished', 'event:4:data_changed']);
      });

      it('reset(agentsOnly) drops agents with their pointers and keeps the track', async () => {
        await manager.add(T0, { ref: ev('1'), changes: 'created' });
        await manager.registerNewAgent(new CollectingAgent({ id: 'a' }));
        await manager.reset({ agentsOnly: true });
        expect((await manager.getAllAgents()).size).toBe(0);
        expect((await manager.getTrack().pointers()).size).toBe(0);
        expect(await manager.getTrack().size()).toBe(1);
      });

      it('reset(trackOnly) drops the buckets and keeps agents able to acknowledge', async () => {
        await manager.add(T0, { ref: ev('1'), changes: 'created' });
        await manager.registerNewAgent(new CollectingAgent({ id: 'a' }));
        await manager.reset({ trackOnly: true });
        expect(await manager.getTrack().isEmpty()).toBe(true);
        await manager.advance('a', 9);
        expect(await (await manager.getAgent('a')).getLastTS()).toBe(9);
        expect(await codeOf(manager.reset({ agentsOnly: true, trackOnly: true }))).toBe('INVALID_ARGUMENT');
      });

      it('reset() drops agents, pointers and track', async () => {
        await manager.add(T0, { ref: ev('1'), changes: 'created' });
        await manager.registerNewAgent(new CollectingAgent({ id: 'a' }));
        await manager.getTrack().addPointer('loose', 3);
        await manager.reset();
        expect(await manager.getTrack().isEmpty()).toBe(true);
        expect((await manager.getTrack().pointers()).size).toBe(0);
        expect((await manager.getAllAgents()).size).toBe(0);
      });
    });

    describe('change capture', () => {
      it('collapses a unit of work into one entry per object with one timestamp', async () => {
        // spec §2.15 scenario 2: create + rename an event in one unit of work
        await withChanges(manager, async () => {
          await recordChange(manager, ev('9'), 'created');
          await recordChange(manager, { kind: 'category', id: '2' }, 'data_changed');
          clock.advance(5000);
          await recordChange(manager, ev('9'), ['data_changed', 'title_changed']);
          expect(await manager.getTrack().isEmpty()).toBe(true);
        });
        const entries = (await collect(manager.getTrack().iterate())).map(([, e]) => e);
        expect(entries).toHaveLength(2);
        const event = entries.find((e) => e.kind === 'event')!;
        expect(event.changes).toEqual(['created', 'data_changed', 'title_changed']);
        expect(new Set(entries.map((e) => e.ts)).size).toBe(1);
      });

      it('records a change made outside any unit of work at once instead of dropping it', async () => {
        // spec §2.15 scenario 3 (port: never silently lost)
        await recordChange(manager, ev('3'), 'deleted');
        expect((await collect(manager.getTrack().iterate())).map(([, e]) => e.id)).toEqual(['3']);
      });

      it('records only the last attempt of a retried unit of work', async () => {
        // spec §2.15 scenario 4
        const c = new ChangeCollector(manager);
        c.add(ev('1'), 'created');
        c.reset();
        c.add(ev('2'), 'created');
        expect(await c.flush()).toBe(1);
        expect((await collect(manager.getTrack().iterate())).map(([, e]) => e.id)).toEqual(['2']);
      });

      it('writes nothing when the unit of work throws, and rejects bad input at once', async () => {
        await expect(
          withChanges(manager, async () => {
            await recordChange(manager, ev('1'), 'created');
            throw new Error('domain write failed');
          }),
        ).rejects.toThrow('domain write failed');
        const c = new ChangeCollector(manager);
        expect(await codeOf(() => c.add(ev('1'), 'bogus' as ChangeType))).toBe('UNKNOWN_CHANGE_TYPE');
        expect(c.size).toBe(0);
        expect(await manager.getTrack().isEmpty()).toBe(true);
      });
    });

    describe('compaction truth table (spec §3.2), order-independent', () => {
      type Row = {
        name: string;
        entries: Array<[ObjectKind, string, ChangeType[]]>;
        expected: string[];
        deletedNow?: string[];
      };
      const E = (changes: ChangeType[]): [ObjectKind, string, ChangeType[]] => ['event', '10', changes];
      const children = (change: string) => [
        `attachment:10.0a1:${change}`,
        `contribution:10.0:${change}`,
        `note:10n1:${change}`,
        `subcontribution:10.0.0:${change}`,
      ];
      const rows: Row[] = [
        {
          name: 'created',
          entries: [E(['created'])],
          expected: ['event:10:created', ...children('created'), 'contribution:10.1:created'],
        },
        {
          name: 'data_changed x n',
          entries: [E(['data_changed']), E(['data_changed'])],
          expected: ['event:10:updated'],
        },
        {
          name: 'created, data_changed',
          entries: [E(['created']), E(['data_changed'])],
          expected: ['event:10:created', ...children('created'), 'contribution:10.1:created'],
        },
        { name: 'deleted', entries: [E(['deleted'])], expected: ['event:10:deleted', ...children('deleted')] },
        {
          name: 'data_changed, deleted',
          entries: [E(['data_changed']), E(['deleted'])],
          expected: ['event:10:deleted', ...children('deleted')],
        },
        {
          name: 'created, deleted',
          entries: [E(['created']), E(['deleted'])],
          expected: ['contribution:10.1:created'],
        },
        {
          name: 'created, data_changed, deleted',
          entries: [E(['created']), E(['data_changed']), E(['deleted'])],
          expected: ['contribution:10.1:created'],
        },
        {
          name: 'deleted, undeleted (exists now)',
          entries: [E(['deleted']), E(['undeleted'])],
          expected: ['event:10:created', ...children('created')],
        },
        {
          name: 'created, data_changed, deleted, undeleted',
          entries: [E(['created']), E(['data_changed']), E(['deleted']), E(['undeleted'])],
          expected: ['event:10:created', ...children('created'), 'contribution:10.1:created'],
        },
        {
          name: 'undeleted, data_changed',
          entries: [E(['undeleted']), E(['data_changed'])],
          expected: ['event:10:created', ...children('created')],
        },
        {
          name: 'deleted, undeleted, deleted (deleted now)',
          entries: [E(['deleted']), E(['undeleted']), E(['deleted'])],
          deletedNow: ['event:10'],
          expected: ['event:10:deleted', ...children('deleted')],
        },
        { name: 'moved', entries: [E(['moved'])], expected: ['event:10:updated', ...children('updated')] },
        {
          name: 'protection_changed',
          entries: [E(['protection_changed'])],
          expected: ['event:10:updated', ...children('updated')],
        },
        {
          name: 'moved, deleted',
          entries: [E(['moved']), E(['deleted'])],
          expected: ['event:10:deleted', ...children('deleted')],
        },
        {
          name: 'created, moved',
          entries: [E(['created']), E(['moved'])],
          expected: ['event:10:created', ...children('created'), 'contribution:10.1:created'],
        },
        { name: 'published', entries: [E(['published'])], expected: ['event:10:created', ...children('created')] },
        { name: 'unpublished', entries: [E(['unpublished'])], expected: ['event:10:deleted', ...children('deleted')] },
        { name: 'published, unpublished', entries: [E(['published']), E(['unpublished'])], expected: [] },
        {
          name: 'created, unpublished',
          entries: [E(['created']), E(['unpublished'])],
          expected: ['contribution:10.1:created'],
        },
        {
          name: 'location_changed on an event',
          entries: [E(['location_changed'])],
          expected: ['contribution:10.0:updated', 'event:10:updated'],
        },
        {
          name: 'event created + its soft-deleted child deleted (clone)',
          entries: [E(['created']), ['contribution', '10.1', ['deleted']]],
          expected: ['event:10:created', ...children('created')],
        },
        {
          name: 'category created / deleted / data_changed / location_changed / undeleted',
          entries: [['category', '1', ['created', 'deleted', 'data_changed', 'location_changed', 'undeleted']]],
          expected: [],
        },
        {
          name: 'category protection_changed reaches inheriting events only',
          entries: [['category', '1', ['protection_changed']]],
          expected: ['contribution:20.0:updated', 'event:20:updated'],
        },
        {
          // spec §2.15 scenario 17 (1.x spelling of a protection change)
          name: 'category set_private reaches the inheriting events and their contents; the category is not sent',
          entries: [['category', '2', ['set_private']]],
          expected: ['contribution:20.0:updated', 'event:20:updated'],
        },
        {
          name: 'category moved reaches every event of the subtree',
          entries: [['category', '1', ['moved']]],
          expected: ['contribution:20.0:updated', 'event:10:updated', 'event:20:updated', ...children('updated')],
        },
        {
          name: 'category published',
          entries: [['category', '2', ['published']]],
          expected: ['contribution:20.0:created', 'event:20:created'],
        },
        {
          name: 'category unpublished',
          entries: [['category', '2', ['unpublished']]],
          expected: ['contribution:20.0:deleted', 'event:20:deleted'],
        },
        {
          name: 'contribution data_changed also updates its subcontributions',
          entries: [['contribution', '10.0', ['data_changed']]],
          expected: ['contribution:10.0:updated', 'subcontribution:10.0.0:updated'],
        },
        {
          name: 'session protection_changed reaches its contributions; the session is never sent',
          entries: [['session', '10.s1', ['protection_changed']]],
          expected: ['contribution:10.0:updated'],
        },
      ];

      for (const row of rows) {
        it(`${row.name}`, async () => {
          const resolver = catalogResolver(row.deletedNow);
          const m = build(resolver);
          // one entry per bucket, in the row's order
          const g = G * 1000;
          for (const [i, [kind, id, changes]] of row.entries.entries()) {
            await m.add(T0 - (row.entries.length - i) * g, { ref: { kind, id }, changes });
          }
          const agent = new CollectingAgent({ id: 'truth' });
          await m.registerNewAgent(agent);
          const sent = (await agent.simulate()).map((r) => `${r.kind}:${r.objectId}:${r.change}`).sort();
          expect(sent).toEqual([...row.expected].sort());
          // same result for the reversed window
          const window = await collect(m.query('truth'));
          const reversed = await compactChanges([...window].reverse(), resolver);
          expect(reversed.map((c) => `${c.kind}:${c.id}:${c.change}`).sort()).toEqual(sent);
        });
      }

      it('gives the same records for every permutation of a mixed window', async () => {
        const window: Array<[number, ChangeEntry]> = (
          [
            ['event', '10', ['created']],
            ['event', '10', ['data_changed']],
            ['contribution', '10.0', ['deleted']],
            ['event', '20', ['moved']],
          ] as Array<[ObjectKind, string, ChangeType[]]>
        ).map(([kind, id, changes], i) => [i, { ts: i, kind, id, changes }]);
        const key = async (w: Array<[number, ChangeEntry]>) =>
          JSON.stringify(await compactChanges(w, catalogResolver()));
        const expected = await key(window);
        const permute = (xs: Array<[number, ChangeEntry]>): Array<Array<[number, ChangeEntry]>> =>
          xs.length <= 1
            ? [xs]
            : xs.flatMap((x, i) => permute([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
        for (const p of permute(window)) expect(await key(p)).toBe(expected);
      });
    });

    describe('agents', () => {
      const g = G * 1000;
      const nowBucket = () => manager.bucketOf(clock.now());

      async function addEvents(n: number, at = clock.now() - g) {
        await manager.record(
          Array.from({ length: n }, (_, i) => ({ ref: ev(String(i)), changes: 'created' as ChangeType })),
          { timestamp: at },
        );
      }

      it('leaves the bucket still filling for the next run and acknowledges floor(now/g) - 1', async () => {
        // spec §2.15 scenario 8
        const agent = new CollectingAgent({ id: 'a' });
        await manager.registerNewAgent(agent);
        await manager.activateAgent('a');
        await manager.add(clock.now() - g, { ref: ev('old'), changes: 'created' });
        await manager.add(clock.now(), { ref: ev('current'), changes: 'created' });
        const [res] = await runActiveAgents(manager);
        expect(res).toMatchObject({ id: 'a', status: 'acknowledged', till: nowBucket() - 1 });
        expect(agent.sink.all().map((r) => r.objectId)).toEqual(['old']);
        expect(await agent.getLastTS()).toBe(nowBucket() - 1);
        clock.advance(g);
        await runActiveAgents(manager);
        expect(agent.sink.all().map((r) => r.objectId)).toEqual(['old', 'current']);
      });

      it('treats a bucket as still open within the late-write margin after its end', async () => {
        const boundary = (nowBucket() + 1) * g;
        clock.set(boundary + 1000); // 1 s into a new bucket, inside the default 2 s margin
        expect(manager.lastClosedBucket(clock.now())).toBe(nowBucket() - 2);
        clock.set(boundary + 2000);
        expect(manager.lastClosedBucket(clock.now())).toBe(nowBucket() - 1);
        const strict = new SyncManager({ store: handle.store, granularity: G, clock, lateWriteMarginMs: 0 });
        clock.set(boundary);
        expect(strict.lastClosedBucket(clock.now())).toBe(nowBucket() - 1);
      });

      it('keeps pointers independent', async () => {
        // spec §2.15 scenario 9
        const a = new CollectingAgent({ id: 'a' });
        const b = new CollectingAgent({ id: 'b' });
        await manager.registerNewAgent(a);
        await manager.registerNewAgent(b);
        await addEvents(2);
        expect(await a.run()).toBe(nowBucket() - 1);
        await a.acknowledge();
        expect(await b.getLastTS()).toBeNull();
        expect((await b.simulate()).map((r) => r.objectId)).toEqual(['0', '1']);
      });

      it('uploads 2500 records as 1000, 1000, 500 with a heartbeat after each batch', async () => {
        // spec §2.15 scenario 11
        const agent = new CollectingAgent({ id: 'a' });
        await manager.registerNewAgent(agent);
        await addEvents(2500);
        let beats = 0;
        expect(await agent.run(clock.now(), { heartbeat: () => void beats++ })).not.toBeNull();
        expect(agent.sink.received.map((b) => b.length)).toEqual([1000, 1000, 500]);
        expect(beats).toBe(3);
      });

      it('sink failing on batch 3 of 5: no pointer move, the next run re-sends, every record arrives', async () => {
        // issue "Reliability"; spec §2.15 scenario 10
        const sink = new Sink();
        sink.failBatches.add(2);
        const agent = new CollectingAgent({ id: 'a', sink, batchSize: 10 });
        await manager.registerNewAgent(agent);
        await manager.activateAgent('a');
        await addEvents(50);
        await manager.record([{ ref: ev('0'), changes: 'deleted' }], { timestamp: clock.now() - g });
        const [first] = await runActiveAgents(manager);
        expect(first?.status).toBe('not-acknowledged');
        expect(await agent.getLastTS()).toBeNull();
        expect(sink.received).toHaveLength(2);
        const [second] = await runActiveAgents(manager);
        expect(second?.status).toBe('acknowledged');
        // the whole window went again: 2 batches before the failure + 5 on the retry
        expect(sink.received.map((b) => b.length)).toEqual([10, 10, 10, 10, 10, 10, 9]);
        const ids = new Set(sink.all().map((r) => r.objectId));
        // event 0 was created and deleted in the window: nothing is sent for it (spec §3.2)
        expect(ids).toEqual(new Set(Array.from({ length: 49 }, (_, i) => String(i + 1))));
        expect([...sink.state.keys()].sort()).toEqual(Array.from({ length: 49 }, (_, i) => `event:${i + 1}`).sort());
        expect(await agent.getLastTS()).toBe(nowBucket() - 1);
      });

      it('logs and keeps the pointer when _run throws; other agents still run', async () => {
        const logger = recordingLogger();
        const m = new SyncManager({ store: handle.store, granularity: G, clock, logger });
        await m.registerNewAgent(new CollectingAgent({ id: 'a-bad', explode: true }));
        const good = new CollectingAgent({ id: 'b-good' });
        await m.registerNewAgent(good);
        await m.activateAgent('a-bad');
        await m.activateAgent('b-good');
        await m.add(clock.now() - g, { ref: ev('1'), changes: 'created' });
        const results = await runActiveAgents(m);
        expect(results.map((r) => r.status)).toEqual(['not-acknowledged', 'acknowledged']);
        expect(await m.getTrack().getPointerTimestamp('a-bad')).toBeNull();
        expect(
          logger.lines.some((l) => l.level === 'error' && String((l.obj as { err: Error }).err).includes('exploded')),
        ).toBe(true);
        expect(good.sink.all()).toHaveLength(1);
      });

      it('never moves a pointer backwards on acknowledge', async () => {
        const agent = new CollectingAgent({ id: 'a' });
        await manager.registerNewAgent(agent);
        await addEvents(1);
        const till = await agent.run();
        expect(till).toBe(nowBucket() - 1);
        await manager.preActivateAgent('a'); // pointer jumps to the current bucket mid-run
        await agent.acknowledge();
        expect(await agent.getLastTS()).toBe(nowBucket());
        await manager.close();
        await manager.close();
      });

      it('does not acknowledge when _run gives no result', async () => {
        const agent = new CollectingAgent({ id: 'a', noResult: true });
        await manager.registerNewAgent(agent);
        await addEvents(1);
        expect(await agent.run()).toBeNull();
        expect(await agent.getLastTS()).toBeNull();
      });

      it('skips inactive agents and delivers their backlog after activation', async () => {
        // spec §2.15 scenario 12
        const agent = new CollectingAgent({ id: 'a' });
        await manager.registerNewAgent(agent);
        await addEvents(3);
        expect((await runActiveAgents(manager))[0]?.status).toBe('inactive');
        expect(await agent.getLastTS()).toBeNull();
        await manager.activateAgent('a');
        await runActiveAgents(manager);
        expect(agent.sink.all()).toHaveLength(3);
      });

      it('follows the activation protocol: add, pre-activate, export, activate', async () => {
        // spec §2.7 activation protocol, §2.15 scenario 13
        await manager.add(clock.now() - 5 * g, { ref: ev('before'), changes: 'created' });
        const agent = new CollectingAgent({ id: 'a' });
        await manager.registerNewAgent(agent);
        const stored = await manager.getAgent('a');
        expect([stored.active, stored.recording, await stored.getLastTS()]).toEqual([false, false, null]);
        expect(await manager.preActivateAgent('a')).toBe(nowBucket());
        expect((await manager.getAgent('a')).recording).toBe(true);
        await agent.exportAll([ev('before'), ev('other')]);
        expect(agent.sink.all().map((r) => `${r.objectId}:${r.change}`)).toEqual(['before:created', 'other:created']);
        expect(await agent.getLastTS()).toBe(nowBucket());
        await manager.activateAgent('a');
        clock.advance(g);
        await manager.add(clock.now() - 1, { ref: ev('after'), changes: 'data_changed' });
        clock.advance(g);
        await runActiveAgents(manager);
        expect(agent.sink.all().map((r) => r.objectId)).toEqual(['before', 'other', 'after']);
      });

      it('acknowledges an empty window without sending anything', async () => {
        // spec §2.15 scenario 21
        const agent = new CollectingAgent({ id: 'a' });
        await manager.registerNewAgent(agent);
        await manager.activateAgent('a');
        await manager.add(clock.now() - 3 * g, { ref: ev('1'), changes: 'created' });
        await manager.advance('a', nowBucket() - 2);
        const [res] = await runActiveAgents(manager);
        expect(res?.status).toBe('acknowledged');
        expect(agent.sink.all()).toEqual([]);
        expect(await agent.getLastTS()).toBe(nowBucket() - 1);
      });

      it('trims buckets every agent has acknowledged; an agent without a pointer blocks nothing', async () => {
        const agent = new CollectingAgent({ id: 'a' });
        await manager.registerNewAgent(agent);
        await manager.registerNewAgent(new CollectingAgent({ id: 'idle' }));
        await manager.activateAgent('a');
        await manager.add(clock.now() - 3 * g, { ref: ev('1'), changes: 'created' });
        await manager.add(clock.now() - 2 * g, { ref: ev('2'), changes: 'created' });
        await manager.add(clock.now(), { ref: ev('3'), changes: 'created' });
        await runActiveAgents(manager);
        expect(await manager.trim()).toBe(2);
        expect((await collect(manager.getTrack().iterate())).map(([, e]) => e.id)).toEqual(['3']);
      });
    });
  });
}
