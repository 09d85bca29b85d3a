import { FileAgent, HttpPushAgent, isLivesyncError, runActiveAgents, type SyncManager } from '@indico/livesync';
import { LiveSyncUpdateTask } from '@indico/livesync/scheduler';
import { type Client, OneShotTask, type TaskClass, type TaskContext, TaskRegistry } from '@indico/scheduler';
import type { Logger } from 'pino';
import type { AgentConfig } from './config.js';

/**
 * One run of every active livesync agent, now (the periodic LiveSyncUpdateTask waits for its interval).
 * Enqueued by operators, e.g. after an import; idempotent like every agent run (at-least-once delivery).
 */
export class LiveSyncRunTask extends OneShotTask {
  static override typeId = 'LiveSyncRunTask';

  async run(ctx: TaskContext): Promise<void> {
    const manager = (ctx.services as { livesync: SyncManager }).livesync;
    const results = await runActiveAgents(manager, {
      now: ctx.now(),
      logger: ctx.logger,
      heartbeat: () => ctx.heartbeat(),
    });
    const failed = results.filter((r) => r.status === 'failed');
    if (failed.length > 0) throw new Error(`livesync agents failed: ${failed.map((r) => r.id).join(', ')}`);
  }
}

/** The task types every process of this server registers (web clients and daemons must agree). */
export function createTaskRegistry(extra: readonly TaskClass[] = []): TaskRegistry {
  const registry = new TaskRegistry().register(LiveSyncUpdateTask).register(LiveSyncRunTask);
  for (const cls of extra) registry.register(cls);
  return registry;
}

/**
 * Makes sure each configured agent exists and is active. A new agent goes through the activation
 * protocol without a full export: it receives the changes made from its activation on.
 * Several processes may race here; DUPLICATE_AGENT from the loser is fine.
 */
export async function ensureAgents(manager: SyncManager, agents: readonly AgentConfig[], logger: Logger) {
  const existing = await manager.getAllAgents();
  for (const a of agents) {
    if (existing.get(a.id)?.active) continue;
    if (!existing.has(a.id)) {
      const agent =
        a.type === 'http'
          ? new HttpPushAgent({ id: a.id, url: a.url, batchSize: a.batchSize })
          : new FileAgent({ id: a.id, path: a.path, batchSize: a.batchSize });
      try {
        await manager.registerNewAgent(agent);
      } catch (err) {
        if (!(isLivesyncError(err) && err.code === 'DUPLICATE_AGENT')) throw err;
      }
      // Pointer one bucket back: with no full export, a change recorded in the activation's own bucket
      // would otherwise count as already delivered. (Re-sending a little is fine: at-least-once.)
      await manager.preActivateAgent(a.id, manager.clock.now() - manager.getGranularity() * 1000);
    }
    await manager.activateAgent(a.id);
    logger.info({ agent: a.id, type: a.type }, 'livesync agent active');
  }
}

/** Spools the periodic tasks (idempotent: a periodic key has one live schedule however often this runs). */
export async function ensurePeriodicTasks(client: Client, intervalMinutes: number): Promise<void> {
  await client.enqueue(new LiveSyncUpdateTask({ interval: intervalMinutes }));
}
