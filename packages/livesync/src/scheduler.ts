import { PeriodicTask, type TaskContext } from '@indico/scheduler';
import { runActiveAgents } from './runner.js';
import type { SyncManager } from './sync-manager.js';

/** Stored parameters of the task. */
export interface LiveSyncUpdateParams {
  /** Trim buckets every agent has acknowledged after each cycle (default true). */
  trim: boolean;
  [key: string]: boolean;
}

export interface LiveSyncUpdateTaskOptions {
  /** Minutes between runs (default 15, as `indico_livesync agent add_task`). */
  interval?: number;
  /** Start of the schedule grid; defaults to the creation time. */
  dtstart?: Date | number;
  createdOn?: Date | number;
  /** Schedule identity: enqueueing a second task with the same key is a no-op (default the typeId). */
  key?: string;
  trim?: boolean;
}

/** What the scheduler's `services` must hold for this task: the SyncManager, or `{ livesync: SyncManager }`. */
export type LiveSyncServices = SyncManager | { livesync: SyncManager };

const isManager = (v: unknown): v is SyncManager =>
  typeof (v as SyncManager | null)?.getTrack === 'function' && typeof (v as SyncManager).getAllAgents === 'function';

function managerFrom(services: unknown): SyncManager {
  if (isManager(services)) return services;
  const candidate = (services as { livesync?: unknown } | null)?.livesync;
  if (isManager(candidate)) return candidate;
  throw new TypeError(
    'LiveSyncUpdateTask needs the Scheduler `services` to be a SyncManager or { livesync: SyncManager }',
  );
}

/**
 * Periodic @indico/scheduler task running every active agent each `interval` minutes (spec §2.10):
 * inactive agents are skipped, each successful run is acknowledged, a failing agent is logged and
 * does not stop the others. The heartbeat is refreshed after every uploaded batch.
 */
export class LiveSyncUpdateTask extends PeriodicTask<LiveSyncUpdateParams> {
  static override typeId = 'LiveSyncUpdateTask';

  constructor(options: LiveSyncUpdateTaskOptions = {}) {
    super(
      'MINUTELY',
      { interval: options.interval ?? 15, ...(options.dtstart === undefined ? {} : { dtstart: options.dtstart }) },
      {
        params: { trim: options.trim ?? true },
        ...(options.createdOn === undefined ? {} : { createdOn: options.createdOn }),
        ...(options.key === undefined ? {} : { key: options.key }),
      },
    );
  }

  async run(ctx: TaskContext): Promise<void> {
    const manager = managerFrom(ctx.services);
    const results = await runActiveAgents(manager, {
      now: ctx.now(),
      logger: ctx.logger,
      heartbeat: () => ctx.heartbeat(),
    });
    ctx.logger.info({ results: results.map(({ id, status, till }) => ({ id, status, till })) }, 'livesync: cycle done');
    if (this.params?.trim !== false) {
      const removed = await manager.trim();
      if (removed > 0) ctx.logger.info({ removed }, 'livesync: trimmed acknowledged buckets');
    }
  }
}
