import { createFakeClock, type FakeClock } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Client,
  isSchedulerError,
  type Logger,
  Scheduler,
  type SchedulerConfig,
  type SchedulerEvents,
  type SchedulerStore,
  TaskStatus,
} from '../../src/index.js';
import {
  createServices,
  DelayedTask,
  FlakyTask,
  RecordTask,
  registry,
  SleepTask,
  SuicideTask,
  type TestServices,
  TickTask,
  tornDown,
} from '../fixtures/tasks.js';

export interface StoreUnderTest {
  store: SchedulerStore;
  /** Overwrites the stored data of task `id` with something that does not parse. */
  corruptTask(id: number): Promise<void>;
  /** Appends a raw item to the spool, bypassing the Client. */
  pushRawSpoolItem(raw: string): Promise<void>;
  cleanup(): Promise<void>;
}

// 2026-01-01T20:00:00Z: a whole minute, like the spec's 20:00:00 examples.
const T0 = Date.UTC(2026, 0, 1, 20, 0, 0);
const S = 1000;

const flush = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

interface Env {
  clock: FakeClock;
  client: Client;
  sched: Scheduler;
  services: TestServices;
  store: SchedulerStore;
  sut: StoreUnderTest;
  logs: Array<{ level: string; obj: object; msg?: string }>;
  events: Array<{ name: keyof SchedulerEvents; payload: unknown }>;
  tick(): Promise<void>;
  /** Advances the fake clock in 1 s steps, ticking the daemon after each step. */
  advance(ms: number): Promise<void>;
  newScheduler(overrides?: Partial<SchedulerConfig>): Scheduler;
}

export function describeSchedulerStoreContract(name: string, make: () => Promise<StoreUnderTest>) {
  describe(`SchedulerStore contract: ${name}`, () => {
    const cleanups: Array<() => Promise<void>> = [];
    afterEach(async () => {
      while (cleanups.length) await cleanups.pop()!();
    });

    async function setup(overrides: Partial<SchedulerConfig> = {}): Promise<Env> {
      const sut = await make();
      const clock = createFakeClock(T0);
      const services = createServices(clock);
      const logs: Env['logs'] = [];
      const logger: Logger = {
        debug: (obj, msg) => logs.push({ level: 'debug', obj, msg }),
        info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
        warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
        error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
      };
      const events: Env['events'] = [];
      const newScheduler = (o: Partial<SchedulerConfig> = {}) => {
        const s = new Scheduler({
          store: sut.store,
          registry,
          clock,
          timers: clock,
          logger,
          services,
          sleepInterval: S,
          taskMaxTries: 1,
          daemonLease: 3_600_000,
          hostname: 'test-host',
          pid: 4242,
          isProcessAlive: () => true,
          ...overrides,
          ...o,
        });
        for (const n of ['task:queued', 'task:started', 'task:finished', 'task:failed', 'task:terminated'] as const) {
          s.on(n, (payload) => events.push({ name: n, payload }));
        }
        return s;
      };
      const sched = newScheduler();
      const env: Env = {
        clock,
        client: new Client({ store: sut.store, registry, clock, daemonLease: 3_600_000 }),
        sched,
        services,
        store: sut.store,
        sut,
        logs,
        events,
        async tick() {
          await flush();
          await env.sched.tick();
          await flush();
        },
        async advance(ms) {
          for (let t = 0; t < ms; t += S) {
            clock.advance(S);
            await env.tick();
          }
        },
        newScheduler,
      };
      tornDown.length = 0;
      cleanups.push(async () => {
        await sut.cleanup();
      });
      return env;
    }

    const finishedUids = async (env: Env) => (await env.client.listFinished({ limit: 1000 })).map((e) => e.uid).sort();
    const failedUids = async (env: Env) => (await env.client.listFailed({ limit: 1000 })).map((e) => e.uid).sort();
    const counts = async (env: Env) => {
      const { spooled, waiting, running, finished, failed } = await env.client.getStatus();
      return { spooled, waiting, running, finished, failed };
    };

    it('runs a one-shot task once at its time and records it as finished (scenario 1)', async () => {
      // spec: scheduler §1.21 scenario 1, §1.5 T1/T2/T4
      const env = await setup();
      const task = new RecordTask(T0 + 2 * S, { createdOn: T0 });
      const ref = await env.client.enqueue(task);
      expect((await counts(env)).spooled).toBe(1);
      expect(task.id).toBeNull();
      await expect(env.client.getTask({ ref })).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
      await env.tick();
      const queued = await env.client.getTask({ ref });
      expect(queued.id).toBe(0);
      expect(queued.status).toBe(TaskStatus.QUEUED);
      expect((await counts(env)).waiting).toBe(1);
      await env.advance(1 * S);
      expect(env.services.log).toHaveLength(0);
      await env.advance(3 * S);
      expect(env.services.log.map((l) => l.at)).toEqual([T0 + 2 * S]);
      expect((await env.client.getTask(0)).status).toBe(TaskStatus.FINISHED);
      expect(await finishedUids(env)).toEqual(['task0']);
      expect(await counts(env)).toEqual({ spooled: 0, waiting: 0, running: 0, finished: 1, failed: 0 });
    });

    it('runs five tasks due in the same second (scenario 2)', async () => {
      // spec: scheduler §1.21 scenario 2
      const env = await setup();
      for (let i = 0; i < 5; i++) await env.client.enqueue(new RecordTask(T0 + S, { createdOn: T0 }));
      await env.tick();
      await env.advance(3 * S);
      expect(env.services.log).toHaveLength(5);
      expect(await counts(env)).toMatchObject({ finished: 5, failed: 0, waiting: 0 });
    });

    it('runs the earlier task first whatever the enqueue order (scenario 3)', async () => {
      // spec: scheduler §1.21 scenario 3
      const env = await setup();
      const a = await env.client.enqueue(new RecordTask(T0 + 4 * S, { createdOn: T0 }));
      await env.advance(S);
      const b = await env.client.enqueue(new RecordTask(T0 + 2 * S, { createdOn: T0 + S }));
      await env.advance(6 * S);
      const ta = await env.client.getTask({ ref: a });
      const tb = await env.client.getTask({ ref: b });
      expect(tb.endedOn!).toBeLessThan(ta.endedOn!);
    });

    it('records failing tasks in the failed index with status FAILED (scenario 4)', async () => {
      // spec: scheduler §1.21 scenario 4, T5
      const env = await setup();
      for (const fail of [true, false, true, false, false]) {
        await env.client.enqueue(new RecordTask(T0 + S, { params: { fail }, createdOn: T0 }));
      }
      await env.tick();
      await env.advance(3 * S);
      expect(await counts(env)).toMatchObject({ finished: 3, failed: 2 });
      const failed = await env.client.listFailed();
      expect(failed.map((e) => e.task?.status)).toEqual([TaskStatus.FAILED, TaskStatus.FAILED]);
    });

    it('retries with i x 10 s backoff and keeps only the last attempt side effects (scenario 5)', async () => {
      // spec: scheduler §1.21 scenario 5, §1.8 step 3-4
      const env = await setup({ taskMaxTries: 3 });
      await env.client.enqueue(new FlakyTask(T0 + S, { params: { failures: 2 }, createdOn: T0 }));
      await env.tick();
      await env.advance(40 * S);
      expect(env.services.log.map((l) => [l.attempt, l.at - (T0 + S)])).toEqual([
        [1, 0],
        [2, 10 * S],
        [3, 30 * S],
      ]);
      expect(env.services.mails).toEqual(['attempt 3']);
      expect((await env.client.getTask(0)).status).toBe(TaskStatus.FINISHED);
    });

    it('fails after exhausting its tries and is not rescheduled (scenario 6)', async () => {
      // spec: scheduler §1.21 scenario 6
      const env = await setup({ taskMaxTries: 3 });
      await env.client.enqueue(new FlakyTask(T0 + S, { params: { failures: 99 }, createdOn: T0 }));
      await env.tick();
      await env.advance(60 * S);
      expect(env.services.log).toHaveLength(3);
      expect((await env.client.getTask(0)).status).toBe(TaskStatus.FAILED);
      expect(await failedUids(env)).toEqual(['task0']);
      expect((await counts(env)).waiting).toBe(0);
    });

    it('leaves tasks that are not yet due in the waiting queue (scenario 7)', async () => {
      // spec: scheduler §1.21 scenario 7
      const env = await setup();
      for (let i = 0; i < 2; i++) await env.client.enqueue(new RecordTask(T0 + 200 * 60 * S, { createdOn: T0 }));
      for (const fail of [true, true, false]) {
        await env.client.enqueue(new RecordTask(T0 + 2 * S, { params: { fail }, createdOn: T0 }));
      }
      await env.tick();
      await env.advance(4 * S);
      expect(await counts(env)).toMatchObject({ waiting: 2, finished: 1, failed: 2, running: 0 });
    });

    it('requeues periodic tasks and indexes one occurrence per run (scenario 8)', async () => {
      // spec: scheduler §1.21 scenario 8, T6, §1.10
      const env = await setup();
      for (let i = 0; i < 5; i++) {
        await env.client.enqueue(
          new TickTask('SECONDLY', { bysecond: [10, 20, 30], dtstart: T0 }, { key: `tick-${i}`, createdOn: T0 }),
        );
      }
      await env.tick();
      await env.advance(31 * S);
      expect(await counts(env)).toMatchObject({ waiting: 5, finished: 15, running: 0 });
      const t0 = await env.client.getTask(0);
      expect(t0.status).toBe(TaskStatus.QUEUED);
      expect(t0.occurrences).toBe(3);
      expect((await finishedUids(env)).filter((u) => u.startsWith('task0:'))).toEqual([
        'task0:0',
        'task0:1',
        'task0:2',
      ]);
      const occ = await env.store.getOccurrence(0, 1);
      expect(occ?.scheduledOn).toBe(T0 + 20 * S);
    });

    it('keeps a periodic task scheduled after failed runs (scenario 9)', async () => {
      // spec: scheduler §1.21 scenario 9, T6 "failures do not stop a periodic task"
      const env = await setup();
      await env.client.enqueue(
        new TickTask('SECONDLY', { interval: 10, dtstart: T0 + S }, { params: { failEvery: 2 }, createdOn: T0 }),
      );
      await env.tick();
      await env.advance(35 * S);
      expect(env.services.log).toHaveLength(4);
      expect(await counts(env)).toMatchObject({ waiting: 1, finished: 2, failed: 2 });
      expect((await env.client.getTask(0)).status).toBe(TaskStatus.QUEUED);
    });

    it('computes next occurrences from the rule and drops an exhausted rule (scenario 10)', async () => {
      // spec: scheduler §1.21 scenario 10, T7
      const env = await setup();
      env.clock.set(T0 - 5 * S);
      await env.client.enqueue(new TickTask('MINUTELY', { dtstart: T0 }, { key: 'm', createdOn: T0 }));
      await env.client.enqueue(new TickTask('HOURLY', { dtstart: T0 }, { key: 'h', createdOn: T0 }));
      await env.client.enqueue(
        new TickTask('YEARLY', { dtstart: T0, until: T0 + 30 * 86_400_000 }, { key: 'y', createdOn: T0 }),
      );
      await env.tick();
      expect((await env.client.getTask(0)).startOn).toBe(T0);
      expect((await counts(env)).waiting).toBe(3);
      await env.advance(6 * S);
      expect((await env.client.getTask(0)).startOn).toBe(T0 + 60 * S);
      expect((await env.client.getTask(1)).startOn).toBe(T0 + 3600 * S);
      const y = await env.client.getTask(2);
      expect(y.startOn).toBeNull();
      expect(y.status).toBe(TaskStatus.FINISHED);
      expect((await counts(env)).waiting).toBe(2);
    });

    it('coalesces missed periodic runs into one catch-up run (scenario 11)', async () => {
      // spec: scheduler §1.21 scenario 11, §1.10 coalescing example
      const env = await setup();
      await env.client.enqueue(
        new TickTask('MINUTELY', { dtstart: T0 }, { params: { sleepMs: 15 * S }, createdOn: T0 }),
      );
      await env.tick();
      await env.advance(16 * S); // first run 20:00:00, done at 20:00:15
      expect(env.services.log).toHaveLength(1);
      env.clock.advance(T0 + 630 * S - env.clock.now()); // daemon "down" until 20:10:30: no ticks
      await env.tick();
      await env.advance(20 * S);
      expect(env.services.log).toHaveLength(2);
      expect(env.services.log[1]!.delay).toBe(630 * S - 60 * S);
      const task = await env.client.getTask(0);
      expect(task.occurrences).toBe(2);
      expect(task.startOn).toBe(T0 + 11 * 60 * S);
    });

    it('moves a waiting task and refuses to move one that is not waiting (scenario 12)', async () => {
      // spec: scheduler §1.21 scenario 12, T16
      const env = await setup();
      const ref = await env.client.enqueue(new RecordTask(T0 + 2 * S, { createdOn: T0 }));
      await env.tick();
      await env.client.moveTask({ ref }, T0 + 4 * S);
      await env.advance(6 * S);
      expect(env.services.log.map((l) => l.at)).toEqual([T0 + 4 * S]);
      await env.client.moveTask({ ref }, T0 + 60 * S);
      await env.tick();
      expect(env.logs.some((l) => l.level === 'error' && /not in the waiting queue/.test(l.msg ?? ''))).toBe(true);
      const task = await env.client.getTask({ ref });
      expect(task.status).toBe(TaskStatus.FINISHED);
      expect(task.startOn).toBe(T0 + 4 * S);
    });

    it('dequeues a waiting task to NONE and ignores a second dequeue (scenario 13)', async () => {
      // spec: scheduler §1.21 scenario 13, T11 (intended: status NONE), §1.14 idempotent dequeue
      const env = await setup();
      const task = new RecordTask(T0 + 60 * S, { createdOn: T0 });
      await env.client.enqueue(task);
      await env.tick();
      await env.client.dequeue(task);
      await env.tick();
      await env.client.dequeue(task);
      await env.tick();
      await env.advance(61 * S);
      expect(env.services.log).toHaveLength(0);
      expect((await env.client.getTask(task)).status).toBe(TaskStatus.NONE);
      expect(await counts(env)).toMatchObject({ waiting: 0, finished: 0, failed: 0, running: 0 });
    });

    it('never runs a task added and removed in the same spool batch (scenario 14)', async () => {
      // spec: scheduler §1.21 scenario 14
      const env = await setup();
      const task = new RecordTask(T0, { createdOn: T0 });
      await env.client.enqueue(task);
      await env.client.dequeue(task);
      await env.tick();
      expect((await counts(env)).waiting).toBe(0);
      await env.advance(3 * S);
      expect(env.services.log).toHaveLength(0);
      expect((await env.client.getTask(task)).status).toBe(TaskStatus.NONE);
    });

    it('lets a dequeued periodic task finish its current run and not come back (scenario 15)', async () => {
      // spec: scheduler §1.21 scenario 15, T12
      const env = await setup();
      const task = new TickTask('MINUTELY', { dtstart: T0 + S }, { params: { sleepMs: 5 * S }, createdOn: T0 });
      await env.client.enqueue(task);
      await env.tick();
      await env.advance(2 * S);
      expect((await counts(env)).running).toBe(1);
      await env.client.dequeue(task);
      await env.advance(10 * S);
      expect(env.services.log).toHaveLength(1);
      expect(await counts(env)).toMatchObject({ waiting: 0, running: 0 });
      expect((await env.client.getTask(task)).status).toBe(TaskStatus.NONE);
      await env.advance(120 * S);
      expect(env.services.log).toHaveLength(1);
    });

    it('terminates an AWOL task, tears it down and ignores its late result (scenario 16)', async () => {
      // spec: scheduler §1.21 scenario 16, §1.11, T8
      const env = await setup({ awolThreshold: { SleepTask: 5 * S } });
      await env.client.enqueue(new SleepTask(T0 + S, { params: { ms: 20 * S }, createdOn: T0 }));
      await env.tick();
      await env.advance(8 * S);
      const task = await env.client.getTask(0);
      expect(task.status).toBe(TaskStatus.TERMINATED);
      expect(tornDown).toEqual([0]);
      expect(await failedUids(env)).toEqual(['task0']);
      expect((await counts(env)).running).toBe(0);
      expect(env.events.some((e) => e.name === 'task:terminated')).toBe(true);
      await env.advance(20 * S);
      expect((await env.client.getTask(0)).status).toBe(TaskStatus.TERMINATED);
      expect(await counts(env)).toMatchObject({ finished: 0, failed: 1 });
    });

    it('reschedules a periodic task after an AWOL termination (legacy defect 6 fixed)', async () => {
      // spec: scheduler §1.20 defect 6, §3.3 lesson 2
      const env = await setup({ awolThreshold: 5 * S });
      await env.client.enqueue(
        new TickTask('MINUTELY', { dtstart: T0 + S }, { params: { sleepMs: 20 * S }, createdOn: T0 }),
      );
      await env.tick();
      await env.advance(8 * S);
      const task = await env.client.getTask(0);
      expect(task.status).toBe(TaskStatus.QUEUED);
      expect(task.startOn).toBe(T0 + 61 * S);
      expect(await failedUids(env)).toEqual(['task0:0']);
      expect((await env.store.getOccurrence(0, 0))?.status).toBe(TaskStatus.TERMINATED);
    });

    it('never terminates a long task that keeps its heartbeat (scenario 17)', async () => {
      // spec: scheduler §1.21 scenario 17, §1.11 heartbeat pattern
      const env = await setup({ awolThreshold: 5 * S });
      await env.client.enqueue(new SleepTask(T0 + S, { params: { ms: 20 * S, beat: 2 * S }, createdOn: T0 }));
      await env.tick();
      await env.advance(25 * S);
      expect((await env.client.getTask(0)).status).toBe(TaskStatus.FINISHED);
      expect(tornDown).toEqual([]);
    });

    it('relaunches every task stranded by a dead daemon (scenario 18)', async () => {
      // spec: scheduler §1.21 scenario 18, §1.20 defect 3 (all of them, not every other one)
      const env = await setup({ concurrency: 10 });
      for (let i = 0; i < 4; i++) {
        await env.client.enqueue(new SleepTask(T0 + S, { params: { ms: 1000 * S }, createdOn: T0 }));
      }
      await env.tick();
      await env.advance(2 * S);
      expect((await counts(env)).running).toBe(4);
      // The first daemon "dies" (never ticks again, never closes). A new one on the same host sees its pid dead.
      const second = env.newScheduler({ pid: 4343, isProcessAlive: () => false });
      await second.tick();
      expect(tornDown.sort()).toEqual([0, 1, 2, 3]);
      await flush();
      expect((await counts(env)).running).toBe(4);
      const runs = await Promise.all([0, 1, 2, 3].map(async (id) => (await env.client.getTask(id)).runs));
      expect(runs).toEqual([2, 2, 2, 2]);
      expect(env.services.log).toHaveLength(8);
    });

    it('relaunches tasks of a daemon whose lease expired, wherever it ran', async () => {
      // spec: scheduler §1.13 at-least-once; leases instead of the advisory running flag
      const env = await setup({ daemonLease: 30 * S });
      await env.client.enqueue(new SleepTask(T0 + S, { params: { ms: 1000 * S }, createdOn: T0 }));
      await env.tick();
      await env.advance(S);
      env.clock.advance(31 * S);
      const other = env.newScheduler({ hostname: 'other-host', daemonLease: 30 * S });
      await other.tick();
      expect((await env.client.getTask(0)).runs).toBe(2);
      expect((await env.client.getTask(0)).owner).toBe(other.daemonId);
    });

    it('stops on a shutdown instruction and keeps later instructions for the next start (scenario 20)', async () => {
      // spec: scheduler §1.21 scenario 20, §1.6 shutdown
      const env = await setup();
      await env.client.enqueue(new RecordTask(T0, { createdOn: T0 }));
      await env.tick();
      expect((await env.client.getStatus()).state).toBe(true);
      await env.client.shutdown('maintenance');
      await env.client.enqueue(new RecordTask(T0, { createdOn: T0 }));
      await expect(env.sched.run()).resolves.toBe('maintenance');
      const status = await env.client.getStatus();
      expect(status).toMatchObject({ state: false, hostname: null, pid: null, spooled: 1 });
      const next = env.newScheduler();
      await next.tick();
      await flush();
      await next.tick();
      expect(env.services.log).toHaveLength(2);
      expect((await env.client.getStatus()).spooled).toBe(0);
      await next.close();
    });

    it('reports the daemon host and pid while it runs (scenario 21, status side)', async () => {
      // spec: scheduler §1.21 scenario 21, §1.15 getStatus
      const env = await setup();
      expect((await env.client.getStatus()).state).toBe(false);
      await env.tick();
      expect(await env.client.getStatus()).toMatchObject({ state: true, hostname: 'test-host', pid: 4242 });
      await env.sched.close();
      await env.sched.close();
      expect((await env.client.getStatus()).state).toBe(false);
    });

    it('does not run an expired task and records it as failed with reason expired (scenario 22)', async () => {
      // spec: scheduler §1.21 scenario 22, §1.12 (legacy defect 1 fixed)
      const env = await setup();
      await env.client.enqueue(new RecordTask(T0 + 5 * S, { expiryDate: T0 + 2 * S, createdOn: T0 }));
      await env.tick();
      await env.advance(6 * S);
      expect(env.services.log).toHaveLength(0);
      const task = await env.client.getTask(0);
      expect(task.status).toBe(TaskStatus.FAILED);
      expect(task.lastError).toBe('expired');
      expect(await failedUids(env)).toEqual(['task0']);
      expect(env.events.find((e) => e.name === 'task:failed')?.payload).toMatchObject({ reason: 'expired' });
    });

    it('waits and retries with delay 0 when a task raises TaskDelayed (scenario 23)', async () => {
      // spec: scheduler §1.21 scenario 23, §1.8 TaskDelayed
      const env = await setup({ taskMaxTries: 2 });
      await env.client.enqueue(new DelayedTask(T0 + S, { createdOn: T0 }));
      await env.advance(3 * S); // launched 1 s late: delay 1 s on attempt 1
      await env.advance(6 * S);
      expect(env.services.log.map((l) => [l.attempt, l.at - T0, l.delay])).toEqual([
        [1, 1 * S, 0],
        [2, 6 * S, 0],
      ]);
      expect((await env.client.getTask(0)).status).toBe(TaskStatus.FINISHED);
    });

    it('applies every concurrent enqueue with unique ids increasing in spool order (scenario 24)', async () => {
      // spec: scheduler §1.21 scenario 24
      const env = await setup();
      const clients = Array.from({ length: 8 }, () => new Client({ store: env.store, registry, clock: env.clock }));
      const refs = await Promise.all(clients.map((c) => c.enqueue(new RecordTask(T0 + 60 * S, { createdOn: T0 }))));
      const spool = await env.client.getSpool();
      const spoolRefs = spool.map((e) => (e.op === 'add' ? e.task.data.ref : null));
      expect([...spoolRefs].sort()).toEqual([...refs].sort());
      await env.tick();
      const ids = await Promise.all(spoolRefs.map(async (ref) => (await env.client.getTask({ ref: ref! })).id));
      expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });

    it('restarts a failed task and refuses a terminated one (scenario 25)', async () => {
      // spec: scheduler §1.21 scenario 25, T15
      const env = await setup({ awolThreshold: { SleepTask: 2 * S } });
      await env.client.enqueue(new RecordTask(T0 + S, { params: { fail: true }, createdOn: T0 }));
      await env.client.enqueue(new SleepTask(T0 + S, { params: { ms: 60 * S }, createdOn: T0 }));
      await env.tick();
      await env.advance(5 * S);
      expect((await env.client.getTask(0)).status).toBe(TaskStatus.FAILED);
      expect((await env.client.getTask(1)).status).toBe(TaskStatus.TERMINATED);
      await env.client.startFailedTask(0);
      expect(await failedUids(env)).toEqual(['task1']);
      await env.advance(S);
      expect(env.services.log.filter((l) => l.id === 0)).toHaveLength(2);
      await expect(env.client.startFailedTask(1)).rejects.toMatchObject({ code: 'INCONSISTENT_STATUS' });
    });

    it('refuses unknown configuration keys and dead-letters unknown spool instructions (scenario 26)', async () => {
      // spec: scheduler §1.21 scenario 26, §1.20 defect 4
      const env = await setup();
      expect(() => new Scheduler({ store: env.store, registry, foo: 1 } as never)).toThrowError(
        expect.objectContaining({ code: 'CONFIGURATION' }),
      );
      await env.sut.pushRawSpoolItem('{"op":"explode"}');
      await env.sut.pushRawSpoolItem('not json at all');
      await env.client.enqueue(new RecordTask(T0, { createdOn: T0 }));
      await env.tick();
      await env.tick();
      expect(env.services.log).toHaveLength(1);
      const letters = await env.client.listDeadLetters();
      expect(letters.map((l) => l.raw)).toEqual(['{"op":"explode"}', 'not json at all']);
      expect((await env.client.getStatus()).deadLetter).toBe(2);
    });

    it('refuses bad input at enqueue time and writes nothing', async () => {
      // spec: issue "Bad input" list
      const env = await setup();
      class Unregistered extends RecordTask {
        static override typeId = 'Unregistered';
      }
      const attempts: Array<[() => Promise<unknown>, string]> = [
        [() => env.client.enqueue(new Unregistered(T0)), 'UNKNOWN_TASK_TYPE'],
        [() => env.client.enqueue(new RecordTask(T0, { params: { fn: () => 1 } as never })), 'INVALID_PARAMS'],
        [() => env.client.enqueue(new RecordTask(T0, { params: { big: 1n } as never })), 'INVALID_PARAMS'],
        [
          () =>
            env.client.enqueue(
              new TickTask('YEARLY', { dtstart: T0, bymonth: [2], bymonthday: [30] }, { createdOn: T0 }),
            ),
          'RULE_NEVER_FIRES',
        ],
      ];
      for (const [fn, code] of attempts) await expect(fn()).rejects.toMatchObject({ code });
      expect(() => new RecordTask('tomorrow' as never)).toThrowError(expect.objectContaining({ code: 'INVALID_DATE' }));
      expect(() => new RecordTask(new Date('nope'))).toThrowError(expect.objectContaining({ code: 'INVALID_DATE' }));
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(env.client.enqueue(new RecordTask(T0, { params: cyclic as never }))).rejects.toSatisfy(
        isSchedulerError,
      );
      expect(await env.client.getSpool()).toEqual([]);
      expect(await counts(env)).toEqual({ spooled: 0, waiting: 0, running: 0, finished: 0, failed: 0 });
    });

    it('moves a corrupted stored task to the dead-letter list and keeps running', async () => {
      // spec: issue "a corrupted stored task is moved to the dead-letter list with the reason"
      const env = await setup();
      await env.client.enqueue(new RecordTask(T0 + S, { createdOn: T0 }));
      await env.client.enqueue(new RecordTask(T0 + S, { createdOn: T0 }));
      await env.tick();
      await env.sut.corruptTask(0);
      await env.advance(2 * S);
      expect(env.services.log.map((l) => l.id)).toEqual([1]);
      const [letter] = await env.client.listDeadLetters();
      expect(letter).toMatchObject({ taskId: 0 });
      expect(letter!.reason).toMatch(/rehydrate/);
      expect(await counts(env)).toMatchObject({ running: 0, finished: 1 });
    });

    it('keeps one schedule per periodic key across restarts and daemons', async () => {
      // spec: issue "a periodic task registered again by a restart or by a second daemon is never duplicated"
      const env = await setup();
      await env.client.enqueue(new TickTask('MINUTELY', { dtstart: T0 }, { createdOn: T0 }));
      await env.tick();
      await env.client.enqueue(new TickTask('MINUTELY', { dtstart: T0 }, { createdOn: T0 }));
      await env.client.enqueue(new TickTask('MINUTELY', { dtstart: T0 }, { createdOn: T0 }));
      const second = env.newScheduler({ pid: 5555 });
      await second.tick();
      await env.tick();
      expect((await counts(env)).waiting + (await counts(env)).running).toBe(1);
      await env.advance(2 * 60 * S);
      expect(env.services.log.map((l) => l.at - T0)).toEqual([0, 60 * S, 120 * S]);
      await env.client.enqueue(new TickTask('MINUTELY', { dtstart: T0 }, { key: 'other', createdOn: T0 }));
      await env.tick();
      const c = await counts(env);
      expect(c.waiting + c.running).toBe(2);
    });

    it('gives each due task to exactly one of two daemons', async () => {
      // spec: issue "Several daemons against one Redis are safe: each due task runs once"
      const env = await setup({ concurrency: 3 });
      const other = env.newScheduler({ pid: 4343, concurrency: 3 });
      for (let i = 0; i < 20; i++) await env.client.enqueue(new RecordTask(T0 + S, { createdOn: T0 }));
      await env.tick();
      env.clock.advance(2 * S);
      for (let i = 0; i < 10; i++) {
        await Promise.all([env.sched.tick(), other.tick()]);
        await flush();
      }
      const ids = env.services.log.map((l) => l.id).sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect((await counts(env)).finished).toBe(20);
    });

    it('prunes finished and failed history by count and by age', async () => {
      // spec: §1.20 defect 8 (no pruning) fixed; §3.3 lesson 6
      const env = await setup({ history: { maxCount: 3, maxAge: 3600 * S }, pruneInterval: S });
      for (let i = 0; i < 6; i++) await env.client.enqueue(new RecordTask(T0 + S, { createdOn: T0 }));
      await env.tick();
      await env.advance(3 * S);
      expect((await counts(env)).finished).toBe(3);
      expect(await finishedUids(env)).toEqual(['task3', 'task4', 'task5']);
      await expect(env.client.getTask(0)).rejects.toMatchObject({ code: 'TASK_NOT_FOUND' });
      env.clock.advance(3601 * S);
      await env.tick();
      expect((await counts(env)).finished).toBe(0);
    });

    it('ends a task that calls suicide() as TERMINATED in no index (T17)', async () => {
      // spec: scheduler §1.5 T17
      const env = await setup();
      await env.client.enqueue(new SuicideTask(T0, { createdOn: T0 }));
      await env.tick();
      await env.tick();
      expect((await env.client.getTask(0)).status).toBe(TaskStatus.TERMINATED);
      expect(await counts(env)).toMatchObject({ finished: 0, failed: 0, running: 0 });
    });

    it('emits typed events with task id and type and logs with the task id', async () => {
      const env = await setup();
      await env.client.enqueue(new RecordTask(T0, { createdOn: T0 }));
      await env.tick();
      await env.tick();
      expect(env.events.map((e) => e.name)).toEqual(['task:queued', 'task:started', 'task:finished']);
      for (const e of env.events) expect(e.payload).toMatchObject({ taskId: 0, typeId: 'RecordTask' });
      const taskLines = env.logs.filter((l) => /task (started|finished)/.test(l.msg ?? ''));
      expect(taskLines.length).toBe(2);
      for (const l of taskLines) expect(l.obj).toMatchObject({ taskId: 0, typeId: 'RecordTask' });
    });

    it('lists each index for the dashboard', async () => {
      // spec: scheduler §1.16 listWaiting / listRunning / listFailed / listFinished
      const env = await setup();
      await env.client.enqueue(new RecordTask(T0 + 100 * S, { createdOn: T0 }));
      await env.client.enqueue(new SleepTask(T0, { params: { ms: 50 * S }, createdOn: T0 }));
      await env.tick();
      const waiting = await env.client.listWaiting();
      expect(waiting.map((e) => [e.uid, e.score])).toEqual([['task0', T0 + 100 * S]]);
      expect((await env.client.listRunning()).map((e) => e.task?.typeId)).toEqual(['SleepTask']);
      expect(waiting[0]!.task).toMatchObject({ id: 0, typeId: 'RecordTask', status: TaskStatus.QUEUED });
    });
  });
}
