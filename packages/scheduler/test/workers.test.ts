import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Client,
  createMemoryStore,
  type Logger,
  type MultitaskMode,
  Scheduler,
  type SchedulerEvents,
  TaskStatus,
} from '../src/index.js';
import { registry, WorkerCrash, WorkerEcho, WorkerFail, WorkerHang } from './fixtures/worker-module.js';

const workerModule = fileURLToPath(new URL('./fixtures/worker-module.ts', import.meta.url));

function waitFor<E extends keyof SchedulerEvents>(
  sched: Scheduler,
  event: E,
  count: number,
  timeoutMs = 20_000,
): Promise<Array<SchedulerEvents[E]>> {
  const seen: Array<SchedulerEvents[E]> = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} ${event}`)), timeoutMs);
    sched.on(event, (p) => {
      seen.push(p);
      if (seen.length === count) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

describe.each(['threads', 'processes'] as MultitaskMode[])('multitaskMode %s', (mode) => {
  let sched: Scheduler | null = null;
  afterEach(async () => {
    await sched?.close();
  });

  it('runs tasks in workers, forwards their logs and heartbeats, and reports a crashed worker as FAILED', async () => {
    // spec: scheduler §1.8 (ThreadWorker / ProcessWorker), §1.21 scenario 19 (worker crash -> FAILED, no retry)
    const store = createMemoryStore();
    const lines: Array<{ obj: object; msg?: string }> = [];
    const logger: Logger = {
      debug: () => {},
      info: (obj, msg) => lines.push({ obj, msg }),
      warn: (obj, msg) => lines.push({ obj, msg }),
      error: (obj, msg) => lines.push({ obj, msg }),
    };
    sched = new Scheduler({
      store,
      registry,
      multitaskMode: mode,
      workerModule,
      taskMaxTries: 3,
      retryBackoff: 0,
      sleepInterval: 50,
      logger,
    });
    const client = new Client({ store, registry });
    const now = Date.now();
    await client.enqueue(new WorkerEcho(now, { params: { value: 7 } }));
    await client.enqueue(new WorkerFail(now));
    await client.enqueue(new WorkerCrash(now));
    const finished = waitFor(sched, 'task:finished', 1);
    const failed = waitFor(sched, 'task:failed', 2);
    void sched.run();
    const [done] = await finished;
    const fails = await failed;
    expect(done).toMatchObject({ typeId: 'WorkerEcho', attempts: 1 });
    expect(Object.fromEntries(fails.map((f) => [f.typeId, f.reason]))).toEqual({
      WorkerFail: 'error',
      WorkerCrash: 'worker-crashed',
    });
    const crash = (await client.listFailed()).find((e) => e.task?.typeId === 'WorkerCrash')!;
    expect(crash.task!.status).toBe(TaskStatus.FAILED);
    expect(crash.task!.lastError).toBe('worker crashed');
    const failTask = (await client.listFailed()).find((e) => e.task?.typeId === 'WorkerFail')!;
    expect(failTask.task!.lastError).toMatch(/fails in the worker/);
    expect(lines.some((l) => l.msg === 'echo from worker' && (l.obj as { value?: number }).value === 7)).toBe(true);
    expect(lines.some((l) => l.msg === 'echo from worker' && (l.obj as { taskId?: number }).taskId === 0)).toBe(true);
  }, 40_000);

  it('kills the worker of a task terminated as AWOL', async () => {
    // spec: §3.3 lesson 2 "on termination, actually signal or abort the worker"; §1.11 / T8
    const store = createMemoryStore();
    const pids: number[] = [];
    const logger: Logger = {
      debug: () => {},
      info: (obj, msg) => {
        if (msg === 'hanging') pids.push((obj as { pid: number }).pid);
      },
      warn: () => {},
      error: () => {},
    };
    sched = new Scheduler({
      store,
      registry,
      multitaskMode: mode,
      workerModule,
      sleepInterval: 50,
      awolThreshold: { WorkerHang: 6000 }, // longer than a worker's start-up; counted from its heartbeat
      logger,
    });
    const client = new Client({ store, registry });
    await client.enqueue(new WorkerHang(Date.now()));
    const terminated = waitFor(sched, 'task:terminated', 1);
    void sched.run();
    const [t] = await terminated;
    expect(t).toMatchObject({ typeId: 'WorkerHang', reason: 'awol' });
    expect((await client.getTask(0)).status).toBe(TaskStatus.TERMINATED);
    expect(pids).toHaveLength(1); // the worker really ran before it was given up on
    if (mode === 'processes') {
      const pid = pids[0]!;
      const deadline = Date.now() + 10_000;
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(alive()).toBe(false);
    }
  }, 40_000);
});
