import { isPushSyncAgent, type RunContext } from './agent.js';
import type { SyncManager } from './sync-manager.js';

export interface AgentRunResult {
  id: string;
  status: 'inactive' | 'acknowledged' | 'not-acknowledged' | 'failed';
  till: number | null;
  error?: unknown;
}

/**
 * Runs every active agent once (the body of LiveSyncUpdateTask, spec §2.10): inactive agents are
 * skipped with a warning; a successful run is acknowledged. One agent failing is logged and does
 * not stop the others (Indico 1.2 skipped the remaining agents).
 */
export async function runActiveAgents(
  manager: SyncManager,
  options: RunContext & { now?: number } = {},
): Promise<AgentRunResult[]> {
  const logger = options.logger ?? manager.logger;
  const now = options.now ?? manager.clock.now();
  const results: AgentRunResult[] = [];
  for (const agent of (await manager.getAllAgents()).values()) {
    if (!agent.active || !isPushSyncAgent(agent)) {
      logger.warn({ agent: agent.id }, 'livesync: agent is not active, skipping');
      results.push({ id: agent.id, status: 'inactive', till: null });
      continue;
    }
    try {
      const till = await agent.run(now, { ...options, logger });
      if (till === null) {
        results.push({ id: agent.id, status: 'not-acknowledged', till: null });
        continue;
      }
      await agent.acknowledge();
      results.push({ id: agent.id, status: 'acknowledged', till });
    } catch (err) {
      logger.error({ agent: agent.id, err }, 'livesync: agent failed');
      results.push({ id: agent.id, status: 'failed', till: null, error: err });
    }
  }
  return results;
}
