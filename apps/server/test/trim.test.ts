import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileAgent, runActiveAgents } from '@indico/livesync';
import { createFakeClock } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { ensurePeriodicTasks, LiveSyncTrimTask, trimTrack } from '../src/tasks.js';
import { silent, testConfig } from './helpers.js';

const T0 = Date.UTC(2030, 0, 1);
const change = (i: number) => ({
  ref: { kind: 'event' as const, id: `e${i}`, categoryPath: ['0'] },
  changes: 'data_changed' as const,
});

// Issue 9: the scheduled trim keeps the livesync track from growing without bound.
describe('scheduled livesync trim', () => {
  let rt: Runtime;
  let dir: string | null = null;
  afterEach(async () => {
    await rt?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const setup = () => {
    const clock = createFakeClock(T0);
    rt = createRuntime(testConfig({ LIVESYNC_GRANULARITY: '1' }), { logger: silent, clock });
    return clock;
  };

  it('with an agent: trims up to its pointer each round, so the track stays small while changes keep coming', async () => {
    const clock = setup();
    dir = mkdtempSync(path.join(os.tmpdir(), 'trim-'));
    await rt.livesync.registerNewAgent(new FileAgent({ id: 'files', path: path.join(dir, 'out.jsonl') }));
    await rt.livesync.preActivateAgent('files');
    await rt.livesync.activateAgent('files');
    const sizes: number[] = [];
    for (let i = 0; i < 20; i++) {
      clock.advance(5_000);
      await rt.livesync.record([change(i)]);
      await runActiveAgents(rt.livesync, { now: clock.now() });
      await trimTrack(rt.livesync, clock.now());
      sizes.push(await rt.livesync.getTrack().size());
    }
    // the track never held more than a couple of buckets, and every change of a closed bucket was delivered
    // before its bucket went (the last one's bucket is still open: it waits on the track)
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2);
    const delivered = readFileSync(path.join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { objectId: string }).objectId);
    expect(new Set(delivered)).toEqual(new Set(Array.from({ length: 19 }, (_, i) => `e${i}`)));
    // a lagging agent holds the track: nothing after its pointer is dropped
    for (let i = 0; i < 5; i++) {
      clock.advance(5_000);
      await rt.livesync.record([change(100 + i)]);
    }
    await trimTrack(rt.livesync, clock.now());
    const pending: string[] = [];
    for await (const [, e] of rt.livesync.query('files')) pending.push(e.id);
    expect(pending).toEqual(['e19', 'e100', 'e101', 'e102', 'e103', 'e104']);
  });

  it('without agents: drops every closed bucket but the last, so the track stops growing', async () => {
    const clock = setup();
    for (let i = 0; i < 20; i++) {
      clock.advance(5_000);
      await rt.livesync.record([change(i)]);
    }
    expect(await rt.livesync.getTrack().size()).toBe(20);
    const removed = await trimTrack(rt.livesync, clock.now());
    expect(removed).toBeGreaterThanOrEqual(18);
    expect(await rt.livesync.getTrack().size()).toBeLessThanOrEqual(2);
    // the newest change is still there
    const left: string[] = [];
    for await (const [, e] of rt.livesync.getTrack().iterate()) left.push(e.id);
    expect(left).toContain('e19');
  });

  it('is spooled as a periodic task with the configured interval, and its run trims', async () => {
    const clock = setup();
    await ensurePeriodicTasks(rt.client, 15, 30);
    await ensurePeriodicTasks(rt.client, 15, 30);
    const spooled = (await rt.client.getSpool()).map((op) => JSON.stringify(op));
    const trims = spooled.filter((s) => s.includes('LiveSyncTrimTask'));
    expect(trims.length).toBeGreaterThan(0);
    expect(trims.every((s) => s.includes('"interval":30'))).toBe(true);

    for (let i = 0; i < 10; i++) {
      clock.advance(5_000);
      await rt.livesync.record([change(i)]);
    }
    const task = new LiveSyncTrimTask({ interval: 30 });
    await task.run({ services: { livesync: rt.livesync }, now: () => clock.now(), logger: silent } as never);
    expect(await rt.livesync.getTrack().size()).toBeLessThanOrEqual(2);
  });
});
