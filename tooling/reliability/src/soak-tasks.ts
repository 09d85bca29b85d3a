/** Periodic tasks of the soak run's scheduler daemon (tooling/reliability/scripts/soak-daemon.ts). */
import { runActiveAgents, type SyncManager } from '@indico/livesync';
import { PeriodicTask, type TaskContext } from '@indico/scheduler';

export interface SoakServices {
  livesync: SyncManager;
  /** Counts beats in Redis so the soak script can see the daemon keep time. */
  countBeat(): Promise<void>;
}

/** Every second: one INCR, the cheapest useful periodic task. */
export class SoakBeatTask extends PeriodicTask {
  static override typeId = 'SoakBeatTask';
  async run(ctx: TaskContext): Promise<void> {
    await (ctx.services as SoakServices).countBeat();
  }
}

/** Every 10 s: every active livesync agent pushes what changed (LiveSyncUpdateTask's body, at soak pace). */
export class SoakPushTask extends PeriodicTask {
  static override typeId = 'SoakPushTask';
  async run(ctx: TaskContext): Promise<void> {
    const results = await runActiveAgents((ctx.services as SoakServices).livesync, {
      now: ctx.now(),
      logger: ctx.logger,
      heartbeat: () => ctx.heartbeat(),
    });
    const failed = results.filter((r) => r.status === 'failed');
    if (failed.length > 0) throw new Error(`livesync agents failed: ${failed.map((r) => r.id).join(', ')}`);
  }
}
