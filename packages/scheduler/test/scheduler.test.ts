import { createFakeClock } from '@indico/test-utils';
import { describe, expect, it } from 'vitest';
import {
  Client,
  createMemoryStore,
  OneShotTask,
  Scheduler,
  type TaskContext,
  TaskRegistry,
  TaskStatus,
} from '../src/index.js';
import { createServices, registry, SleepTask, TickTask } from './fixtures/tasks.js';

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** Stops the scheduler while the fake clock moves on 3 s, past the tests' shutdown timeouts. */
const stopAdvancing = async (clock: ReturnType<typeof createFakeClock>, sched: Scheduler) => {
  const stopped = sched.stop();
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    await flush();
  }
  await stopped;
};

describe('Scheduler', () => {
  it('waits for running tasks on a graceful stop and records their results', async () => {
    // spec: issue "Graceful shutdown waits for running tasks up to a timeout"; §1.13 (legacy lost these results)
    const clock = createFakeClock(Date.UTC(2026, 0, 1));
    const store = createMemoryStore();
    const services = createServices(clock);
    const sched = new Scheduler({ store, registry, clock, timers: clock, services, sleepInterval: 1000 });
    const client = new Client({ store, registry, clock });
    await client.enqueue(new SleepTask(clock.now(), { params: { ms: 5000 }, createdOn: clock.now() }));
    const loop = sched.run();
    await flush();
    await flush();
    expect(sched.activeCount).toBe(1);
    const stopped = sched.stop('bye');
    for (let i = 0; i < 6; i++) {
      clock.advance(1000);
      await flush();
    }
    await stopped;
    await expect(loop).resolves.toBe('bye');
    expect((await client.getTask(0)).status).toBe(TaskStatus.FINISHED);
    expect((await client.getStatus()).state).toBe(false);
  });

  it('relaunches tasks still running when the shutdown timeout expires', async () => {
    // spec: §1.13 graceful stop; at-least-once for work in flight
    const clock = createFakeClock(Date.UTC(2026, 0, 1));
    const store = createMemoryStore();
    const services = createServices(clock);
    const sched = new Scheduler({
      store,
      registry,
      clock,
      timers: clock,
      services,
      sleepInterval: 1000,
      shutdownTimeout: 2000,
    });
    const client = new Client({ store, registry, clock });
    await client.enqueue(new SleepTask(clock.now(), { params: { ms: 60_000 }, createdOn: clock.now() }));
    void sched.run();
    await flush();
    await flush();
    await stopAdvancing(clock, sched);
    const task = await client.getTask(0);
    expect(task.status).toBe(TaskStatus.QUEUED);
    expect((await client.getStatus()).waiting).toBe(1);
  });

  it('aborts the signal of tasks cut off by the shutdown timeout, read before or after the abort', async () => {
    // the AbortController is made lazily, on the first read of ctx.signal: both orders must see the abort
    const clock = createFakeClock(Date.UTC(2026, 0, 1));
    const store = createMemoryStore();
    const seen: Array<{ early: boolean; aborted: boolean; event: boolean }> = [];
    class Watch extends OneShotTask<{ early: boolean }> {
      static override typeId = 'Watch';
      async run(ctx: TaskContext) {
        let event = false;
        if (this.params.early) ctx.signal.addEventListener('abort', () => (event = true));
        await new Promise<void>((r) => clock.setTimeout(() => r(), 60_000));
        seen.push({ early: this.params.early, aborted: ctx.signal.aborted, event });
      }
    }
    const reg = new TaskRegistry().register(Watch);
    const sched = new Scheduler({
      store,
      registry: reg,
      clock,
      timers: clock,
      sleepInterval: 1000,
      shutdownTimeout: 2000,
    });
    const client = new Client({ store, registry: reg, clock });
    await client.enqueue(new Watch(clock.now(), { params: { early: true }, createdOn: clock.now() }));
    await client.enqueue(new Watch(clock.now(), { params: { early: false }, createdOn: clock.now() }));
    void sched.run();
    await flush();
    await flush();
    expect(sched.activeCount).toBe(2);
    await stopAdvancing(clock, sched);
    clock.advance(60_000);
    await flush();
    expect(seen.sort((a, b) => Number(b.early) - Number(a.early))).toEqual([
      { early: true, aborted: true, event: true },
      { early: false, aborted: true, event: false },
    ]);
  });

  describe('prefetch', () => {
    /** Sleeps params.ms on the fake timers and tracks how many of its kind run at once. */
    const gauge = { now: 0, max: 0, started: [] as number[] };
    class Busy extends OneShotTask<{ ms: number }> {
      static override typeId = 'Busy';
      async run(ctx: TaskContext) {
        gauge.started.push(ctx.taskId);
        gauge.max = Math.max(gauge.max, ++gauge.now);
        await (ctx.services as { sleep(ms: number): Promise<void> }).sleep(this.params.ms);
        gauge.now--;
      }
    }
    const reg = new TaskRegistry().register(Busy);
    const setup = async (
      prefetch: number | 'auto' | undefined,
      ms: number,
      n: number,
      awol?: number,
      stopWait = 10,
    ) => {
      Object.assign(gauge, { now: 0, max: 0, started: [] });
      const clock = createFakeClock(Date.UTC(2026, 0, 1));
      const store = createMemoryStore();
      const sched = new Scheduler({
        store,
        registry: reg,
        clock,
        timers: clock,
        services: createServices(clock),
        sleepInterval: 1000,
        concurrency: 2,
        ...(prefetch === undefined ? {} : { prefetch }),
        ...(awol === undefined ? {} : { awolThreshold: awol }),
        shutdownTimeout: stopWait,
      });
      const client = new Client({ store, registry: reg, clock });
      for (let i = 0; i < n; i++)
        await client.enqueue(new Busy(clock.now(), { params: { ms }, createdOn: clock.now() }));
      void sched.run();
      await flush();
      await flush();
      return { clock, sched, client };
    };

    it('holds claimed tasks beyond the free slots but never runs more than `concurrency` at once', async () => {
      const { clock, sched, client } = await setup(3, 1000, 8);
      expect(sched.activeCount).toBe(5); // 2 running + 3 prefetched
      expect(gauge.now).toBe(2);
      expect((await client.getStatus()).running).toBe(5); // claimed: running in the store, under this daemon
      for (let i = 0; i < 10; i++) {
        clock.advance(1000);
        await flush();
      }
      expect(gauge.max).toBe(2);
      expect(gauge.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // in claim (due) order
      expect((await client.getStatus()).finished).toBe(8);
      await stopAdvancing(clock, sched);
    });

    it('does not count the wait for a slot against the AWOL threshold', async () => {
      const { clock, sched, client } = await setup(2, 3000, 4, 4000);
      for (let i = 0; i < 8; i++) {
        clock.advance(1000);
        await flush();
      }
      // the last two waited 3 s for a slot, then ran 3 s: 6 s since their claim, 3 s since they started
      const status = await client.getStatus();
      expect(status.finished).toBe(4);
      expect(status.failed).toBe(0);
      await stopAdvancing(clock, sched);
    });

    it('gives unstarted prefetched tasks back on stop: they are queued again, never run by this daemon', async () => {
      // the two running tasks end during the graceful stop; their freed slots must not start the others
      const { clock, sched, client } = await setup(4, 500, 6, undefined, 5000);
      expect(sched.activeCount).toBe(6);
      await stopAdvancing(clock, sched);
      expect(gauge.started).toEqual([0, 1]);
      const status = await client.getStatus();
      expect(status).toMatchObject({ running: 0, finished: 2, waiting: 4 });
    });

    it("'auto' claims ahead only while runs are short", async () => {
      const long = await setup('auto', 60_000, 6);
      expect(long.sched.activeCount).toBe(2); // nothing finished yet: no prefetch
      long.clock.advance(60_000);
      await flush();
      await flush();
      expect(long.sched.activeCount).toBe(2); // runs of 60 s: still none
      await stopAdvancing(long.clock, long.sched);

      const short = await setup('auto', 0, 40);
      let most = 0;
      for (let i = 0; i < 20; i++) {
        short.clock.advance(0);
        await flush();
        most = Math.max(most, short.sched.activeCount);
      }
      expect((await short.client.getStatus()).finished).toBe(40);
      expect(most).toBeGreaterThan(2); // claimed ahead once runs were seen to be short
      expect(gauge.max).toBe(2);
      await stopAdvancing(short.clock, short.sched);
    });
  });

  it('keeps running through store errors and records the task once the store is back', async () => {
    // spec: §1.20 defect 4 / issue "never crashes the daemon"
    const clock = createFakeClock(Date.UTC(2026, 0, 1));
    const inner = createMemoryStore();
    let failures = 2;
    const store = {
      ...inner,
      step: async (input: Parameters<typeof inner.step>[0]) => {
        if (failures-- > 0) throw new Error('store unavailable');
        return inner.step(input);
      },
    };
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (_o: object, m?: string) => errors.push(m ?? '') };
    const services = createServices(clock);
    const sched = new Scheduler({ store, registry, clock, timers: clock, services, logger, sleepInterval: 1000 });
    const client = new Client({ store, registry, clock });
    await client.enqueue(new SleepTask(clock.now(), { params: { ms: 10 }, createdOn: clock.now() }));
    const loop = sched.run();
    for (let i = 0; i < 5; i++) {
      await flush();
      clock.advance(1000);
    }
    await flush();
    expect(errors.filter((e) => e === 'scheduler iteration failed')).toHaveLength(2);
    expect((await client.getTask(0)).status).toBe(TaskStatus.FINISHED);
    await sched.stop();
    await loop;
  });

  it('claims tasks due within the lookahead and starts them exactly on time, never early', async () => {
    // spec: issue "Punctuality ... never early"
    const t0 = Date.UTC(2026, 0, 1);
    const clock = createFakeClock(t0);
    const store = createMemoryStore();
    const services = createServices(clock);
    const sched = new Scheduler({ store, registry, clock, timers: clock, services, lookahead: 50 });
    const client = new Client({ store, registry, clock });
    await client.enqueue(new SleepTask(t0 + 30, { params: { ms: 1 }, createdOn: t0 }));
    await client.enqueue(new SleepTask(t0 + 80, { params: { ms: 1 }, createdOn: t0 }));
    await sched.tick();
    expect((await client.getStatus()).running).toBe(1); // only the first is within 50 ms
    clock.advance(29);
    await flush();
    expect(services.log).toHaveLength(0);
    clock.advance(1);
    await flush();
    expect(services.log.map((l) => [l.at - t0, l.delay])).toEqual([[30, 0]]);
  });

  it('runs a daily 02:30 Europe/Zurich task once per day across both DST changes', async () => {
    // spec: issue "a daily 02:30 Europe/Zurich task runs once per day"; README documents the skipped/repeated hour
    const clock = createFakeClock(Date.parse('2026-03-27T00:00:00Z'));
    const store = createMemoryStore();
    const services = createServices(clock);
    const sched = new Scheduler({ store, registry, clock, timers: clock, services, sleepInterval: 60_000 });
    const client = new Client({ store, registry, clock });
    await client.enqueue(
      new TickTask(
        'DAILY',
        { tzid: 'Europe/Zurich', byhour: [2], byminute: [30], bysecond: [0] },
        { createdOn: clock.now() },
      ),
    );
    const step = async (until: number) => {
      while (clock.now() < until) {
        clock.advance(5 * 60_000);
        await sched.tick();
        await flush();
      }
    };
    await step(Date.parse('2026-03-31T00:00:00Z'));
    clock.set(Date.parse('2026-10-23T12:00:00Z'));
    await step(Date.parse('2026-10-27T00:00:00Z'));
    const days = services.log.map((l) => new Date(l.at).toISOString().slice(0, 10));
    // 2026-10-23: the months skipped by the clock jump coalesce into one catch-up run (spec §1.10)
    expect(days).toEqual([
      '2026-03-27',
      '2026-03-28',
      '2026-03-29',
      '2026-03-30',
      '2026-10-23',
      '2026-10-24',
      '2026-10-25',
      '2026-10-26',
    ]);
    // the first 02:30 of the fall-back night (CEST, 00:30Z), within one 5-minute tick
    const oct25 = services.log.find((l) => new Date(l.at).toISOString().startsWith('2026-10-25'))!;
    expect(oct25.at - Date.parse('2026-10-25T00:30:00Z')).toBeLessThan(5 * 60_000);
  });
});
