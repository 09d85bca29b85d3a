import {
  FileAgent,
  HttpPushAgent,
  isLivesyncError,
  isPushSyncAgent,
  runActiveAgents,
  type SyncManager,
} from '@indico/livesync';
import { LiveSyncUpdateTask } from '@indico/livesync/scheduler';
import {
  type Client,
  OneShotTask,
  PeriodicTask,
  type TaskClass,
  type TaskContext,
  TaskRegistry,
} from '@indico/scheduler';
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

/**
 * Trims the livesync track. With agents: every bucket at or before the lowest agent pointer (the package's
 * `SyncManager.trim`: no agent can read those again). Without any agent nothing reads the track, so every
 * closed bucket but the last goes (an agent being activated right now points one bucket back). Returns the
 * number of buckets removed.
 */
export async function trimTrack(manager: SyncManager, now: number): Promise<number> {
  const track = manager.getTrack();
  if ((await track.pointers()).size > 0) return manager.trim();
  const keepFrom = manager.lastClosedBucket(now);
  let removed = 0;
  while (!(await track.isEmpty())) {
    const oldest = await track.oldestTS();
    if (oldest >= keepFrom) break;
    await track.deleteBucket(oldest);
    removed++;
  }
  return removed;
}

/** Periodic trim of the livesync track (LIVESYNC_TRIM_INTERVAL minutes), next to the agents' own runs. */
export class LiveSyncTrimTask extends PeriodicTask {
  static override typeId = 'LiveSyncTrimTask';

  constructor(options: { interval?: number } = {}) {
    super('MINUTELY', { interval: options.interval ?? 60 });
  }

  async run(ctx: TaskContext): Promise<void> {
    const manager = (ctx.services as { livesync: SyncManager }).livesync;
    const removed = await trimTrack(manager, ctx.now());
    ctx.logger.info({ removed, buckets: await manager.getTrack().size() }, 'livesync: track trimmed');
  }
}

/** The task types every process of this server registers (web clients and daemons must agree). */
export function createTaskRegistry(extra: readonly TaskClass[] = []): TaskRegistry {
  const registry = new TaskRegistry().register(LiveSyncUpdateTask).register(LiveSyncRunTask).register(LiveSyncTrimTask);
  for (const cls of extra) registry.register(cls);
  return registry;
}

/** A livesync object reference, as the initial export sends it (`created`). */
export type ExportRef = { kind: 'event' | 'contribution'; id: string };

export interface EnsureAgentsOptions {
  /**
   * Every exportable object, for the initial export (Indico's activation step 3) of an agent that has no
   * pointer yet. Without it, a new agent starts without an export (it receives changes from its activation).
   */
  objects?: () => AsyncIterable<ExportRef>;
}

/**
 * Makes sure each configured agent exists and is active. An agent without a pointer (new, or added with
 * `livesync agent add` and never activated) goes through Indico's activation protocol: pointer to the current
 * bucket (recording starts), the full export of `objects` as `created`, then active. Only the process whose
 * registration succeeds exports a new agent (several processes may race here: the loser leaves it alone), so
 * the export happens once; a failed export is logged and removes the agent again (the process still starts), so
 * the next start retries from scratch.
 * An agent that has a pointer but is inactive is re-activated without an export.
 */
export async function ensureAgents(
  manager: SyncManager,
  agents: readonly AgentConfig[],
  logger: Logger,
  options: EnsureAgentsOptions = {},
): Promise<void> {
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
        // Another process registered it just now: it runs the activation (and the export).
        continue;
      }
    }
    const pointer = await manager.getTrack().getPointerTimestamp(a.id);
    if (pointer === null) {
      if (options.objects) {
        if (!(await initialExport(manager, a.id, options.objects, logger))) continue;
      } else {
        // Pointer one bucket back: a change recorded in the activation's own bucket would otherwise count as
        // already delivered. (Re-sending a little is fine: at-least-once.)
        await manager.preActivateAgent(a.id, manager.clock.now() - manager.getGranularity() * 1000);
      }
    }
    await manager.activateAgent(a.id);
    logger.info({ agent: a.id, type: a.type }, 'livesync agent active');
  }
}

/** Activation steps 2 and 3: pointer to now (recording), then every object sent as `created`. */
async function initialExport(
  manager: SyncManager,
  id: string,
  objects: () => AsyncIterable<ExportRef>,
  logger: Logger,
): Promise<boolean> {
  // Pointer one bucket back: a change committed in the activation's own bucket after the export read its object
  // would otherwise count as delivered. Re-sending a little is fine (at-least-once).
  const bucket = await manager.preActivateAgent(id, manager.clock.now() - manager.getGranularity() * 1000);
  let count = 0;
  async function* counted(): AsyncGenerator<ExportRef> {
    for await (const o of objects()) {
      count++;
      yield o;
    }
  }
  let failure: unknown = null;
  try {
    const agent = await manager.getAgent(id);
    if (!isPushSyncAgent(agent)) throw new Error(`agent ${id} cannot push`);
    const result = await agent.exportAll(counted(), { logger });
    if (result === null || result === undefined) failure = new Error('the agent reported a failed export');
  } catch (err) {
    failure = err;
  }
  if (failure) {
    await manager.removeAgent(id);
    logger.error(
      { agent: id, err: failure },
      'livesync initial export failed; the agent is removed and retried at the next start',
    );
    return false;
  }
  logger.info({ agent: id, objects: count, pointer: bucket }, 'livesync initial export done');
  return true;
}

/**
 * Spools the periodic tasks (idempotent: a periodic key has one live schedule however often this runs):
 * the agents' runs every `intervalMinutes`, the track trim every `trimMinutes` (0: not spooled).
 */
export async function ensurePeriodicTasks(client: Client, intervalMinutes: number, trimMinutes = 0): Promise<void> {
  await client.enqueue(new LiveSyncUpdateTask({ interval: intervalMinutes }));
  if (trimMinutes > 0) await client.enqueue(new LiveSyncTrimTask({ interval: trimMinutes }));
}
