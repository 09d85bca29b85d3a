import { FileAgent, HttpPushAgent, isLivesyncError, type SyncManager } from '@indico/livesync';
import { LiveSyncUpdateTask } from '@indico/livesync/scheduler';
import { type Client, type TaskClass, TaskRegistry } from '@indico/scheduler';
import type { Logger } from 'pino';
import type { AgentConfig } from './config.js';

/** The task types every process of this server registers (web clients and daemons must agree). */
export function createTaskRegistry(extra: readonly TaskClass[] = []): TaskRegistry {
  const registry = new TaskRegistry().register(LiveSyncUpdateTask);
  for (const cls of extra) registry.register(cls);
  return registry;
}

/**
 * Makes sure each configured agent exists and is active. A new agent goes through the activation
 * protocol without a full export (pointer = now): it receives the changes made from now on.
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
      await manager.preActivateAgent(a.id);
    }
    await manager.activateAgent(a.id);
    logger.info({ agent: a.id, type: a.type }, 'livesync agent active');
  }
}

/** Spools the periodic tasks (idempotent: a periodic key has one live schedule however often this runs). */
export async function ensurePeriodicTasks(client: Client, intervalMinutes: number): Promise<void> {
  await client.enqueue(new LiveSyncUpdateTask({ interval: intervalMinutes }));
}
