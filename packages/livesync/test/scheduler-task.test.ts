import { Client, createMemoryStore, Scheduler, TaskRegistry } from '@indico/scheduler';
import { createFakeClock } from '@indico/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryTrackStore, SyncManager } from '../src/index.js';
import { LiveSyncUpdateTask } from '../src/scheduler.js';
import { CollectingAgent } from './helpers.js';

describe('LiveSyncUpdateTask', () => {
  it('runs every active agent on its schedule, acknowledges, skips inactive ones and trims', async () => {
    const clock = createFakeClock(Date.UTC(2026, 0, 1, 12, 0, 50));
    const manager = new SyncManager({ store: createMemoryTrackStore(), granularity: 100, clock });
    const active = new CollectingAgent({ id: 'active' });
    const idle = new CollectingAgent({ id: 'idle' });
    await manager.registerNewAgent(active);
    await manager.registerNewAgent(idle);
    await manager.activateAgent('active');
    await manager.add(clock.now() - 200_000, { ref: { kind: 'event', id: '1' }, changes: 'created' });

    const registry = new TaskRegistry().register(LiveSyncUpdateTask);
    const store = createMemoryStore();
    const sched = new Scheduler({
      store,
      registry,
      clock,
      timers: clock,
      services: { livesync: manager },
      taskMaxTries: 1,
    });
    const client = new Client({ store, registry, clock });
    await client.enqueue(new LiveSyncUpdateTask({ interval: 15, createdOn: clock.now() }));
    // inline mode: the launch finishes within a few ticks (no real time passes)
    for (let i = 0; i < 5; i++) {
      await sched.tick();
      await new Promise((r) => setImmediate(r));
    }

    // spec §2.10: active agents run and are acknowledged; inactive ones are skipped
    expect(active.sink.all().map((r) => r.objectId)).toEqual(['1']);
    expect(await active.getLastTS()).toBe(manager.bucketOf(clock.now()) - 1);
    expect(await idle.getLastTS()).toBeNull();
    // idle's null pointer blocks nothing, so the delivered bucket is gone
    expect(await manager.getTrack().isEmpty()).toBe(true);
    await sched.close();
  });
});
