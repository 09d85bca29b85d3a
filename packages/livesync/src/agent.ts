import type { ChangeEntry } from './changes.js';
import { compactChanges, type Ref } from './compaction.js';
import { LivesyncError } from './errors.js';
import type { Logger } from './logger.js';
import { formatRecord, makeRecord, type SyncRecord } from './record.js';
import type { AgentRecord } from './store.js';
import type { SyncManager } from './sync-manager.js';

export interface SyncAgentOptions {
  id: string;
  name?: string;
  description?: string;
  /** Seconds; kept for the seed's sake (Indico's admin UI passed 60), not used for scheduling. */
  updateTime?: number;
  /** Whose view of the data renders records; opaque to this package. */
  access?: unknown;
}

/** Public description of an agent (the seed's fossil). */
export interface AgentInfo {
  id: string;
  type: string;
  name: string;
  description: string;
  active: boolean;
  recording: boolean;
  lastTS: number | null;
  lastDT: Date | null;
  specific: Record<string, unknown>;
}

/** A consumer of the track with its own pointer (seed §4.3). */
export abstract class SyncAgent {
  /** Type name under which SyncManager rebuilds this agent from the store. */
  abstract readonly type: string;
  readonly id: string;
  name: string;
  description: string;
  readonly updateTime: number;
  readonly access: unknown;
  active = false;
  recording = false;
  lastTry: number | null = null;
  protected manager: SyncManager | undefined;

  constructor(options: SyncAgentOptions) {
    if (typeof options.id !== 'string' || options.id === '' || /\s/.test(options.id)) {
      throw new LivesyncError(
        'INVALID_ARGUMENT',
        `Agent id must be a non-empty string without spaces, got ${JSON.stringify(options.id)}`,
      );
    }
    this.id = options.id;
    this.name = options.name ?? options.id;
    this.description = options.description ?? '';
    this.updateTime = options.updateTime ?? 60;
    this.access = options.access;
  }

  setManager(manager: SyncManager): void {
    this.manager = manager;
  }

  getManager(): SyncManager {
    if (!this.manager) throw new TypeError(`Agent '${this.id}' is not registered with a SyncManager`);
    return this.manager;
  }

  /** Agent-specific options persisted with it (e.g. a URL); override in subclasses. */
  getOptions(): Record<string, unknown> {
    return {};
  }

  toRecord(): AgentRecord {
    return {
      id: this.id,
      type: this.type,
      name: this.name,
      description: this.description,
      updateTime: this.updateTime,
      active: this.active,
      recording: this.recording,
      lastTry: this.lastTry,
      options: this.getOptions(),
    };
  }

  /** Loads the persisted state into this object. */
  applyRecord(record: AgentRecord): void {
    this.name = record.name;
    this.description = record.description;
    this.active = record.active;
    this.recording = record.recording;
    this.lastTry = record.lastTry;
  }

  /** The agent's pointer: the last bucket it delivered, or null. */
  async getLastTS(): Promise<number | null> {
    return this.getManager().getTrack().getPointerTimestamp(this.id);
  }

  /** Start of the pointer's bucket as a date, or null. */
  async getLastDT(): Promise<Date | null> {
    const ts = await this.getLastTS();
    return ts === null ? null : new Date(ts * this.getManager().getGranularity() * 1000);
  }

  /** Readable line for one record (`simulate`). */
  recordStr(record: SyncRecord): string {
    return formatRecord(record);
  }

  async info(): Promise<AgentInfo> {
    return {
      id: this.id,
      type: this.type,
      name: this.name,
      description: this.description,
      active: this.active,
      recording: this.recording,
      lastTS: await this.getLastTS(),
      lastDT: await this.getLastDT(),
      specific: this.getOptions(),
    };
  }
}

/** The window a run covers: buckets in (from, till]; `from` null means from the beginning. */
export interface SyncWindow {
  from: number | null;
  till: number;
}

export interface RunContext {
  logger?: Logger;
  /** Called after every uploaded batch (e.g. the scheduler's heartbeat). */
  heartbeat?: () => void | Promise<void>;
}

export interface AgentRunContext extends RunContext {
  logger: Logger;
  /** The window being pushed, or null for an initial export. */
  window: SyncWindow | null;
}

/** Whether a value is a PushSyncAgent (structural, so it holds across bundles and realms). */
export function isPushSyncAgent(value: unknown): value is PushSyncAgent {
  const v = value as Partial<PushSyncAgent> | null;
  return typeof v?.run === 'function' && typeof v.acknowledge === 'function' && typeof v._run === 'function';
}

/** An agent that pushes compacted records to a remote service (seed §4.3). */
export abstract class PushSyncAgent extends SyncAgent {
  /**
   * Pushes the window (pointer, manager.lastClosedBucket(currentTS)]: the bucket still filling is
   * left for the next run. `currentTS` is epoch ms; null means "up to the newest bucket". Returns the
   * window end on success (then call `acknowledge()`), or null: no records sink, `_run` gave no
   * result, or something threw (logged; the pointer stays where it was).
   */
  async run(currentTS: number | null = this.getManager().clock.now(), ctx: RunContext = {}): Promise<number | null> {
    const manager = this.getManager();
    const logger = ctx.logger ?? manager.logger;
    try {
      const from = await manager.getTrack().getPointerTimestamp(this.id);
      const till =
        currentTS === null
          ? (await manager.getTrack().isEmpty())
            ? null
            : await manager.getTrack().mostRecentTS()
          : manager.lastClosedBucket(currentTS);
      if (till === null || (from !== null && till <= from)) {
        logger.debug({ agent: this.id, from, till }, 'livesync: nothing new for agent');
        return null;
      }
      const window = { from, till };
      const records = this._generateRecords(manager.query(this.id, till), till, window);
      const result = await this._run(records, { ...ctx, logger, window });
      if (result === undefined || result === null) {
        logger.info({ agent: this.id, window }, "livesync: 'acknowledge' not done - no result from _run");
        return null;
      }
      this.lastTry = till;
      await manager.store.updateAgent(this.id, { lastTry: till });
      return till;
    } catch (err) {
      logger.error({ agent: this.id, err }, 'livesync: agent run failed; its pointer stays where it was');
      return null;
    }
  }

  /** Moves the pointer to the end of the last successful run (never backwards). */
  async acknowledge(): Promise<void> {
    if (this.lastTry === null) return;
    const manager = this.getManager();
    const current = await manager.getTrack().getPointerTimestamp(this.id);
    // Never move backwards (e.g. the agent was pre-activated while this run was in flight).
    if (current === null || current < this.lastTry) await manager.advance(this.id, this.lastTry);
    await manager.store.updateAgent(this.id, { lastTry: null });
    this.lastTry = null;
  }

  /**
   * Compaction hook: turns the raw window into records, one per object (spec §3.2 truth table,
   * order-independent). Override to render richer records.
   */
  async *_generateRecords(
    data: AsyncIterable<[number, ChangeEntry]>,
    lastTS: number | null,
    window?: SyncWindow,
  ): AsyncGenerator<SyncRecord> {
    const label = `${window?.from ?? 'start'}-${lastTS ?? 'end'}`;
    for (const c of await compactChanges(data, this.getManager().resolver))
      yield makeRecord(c.kind, c.id, c.change, label);
  }

  /** Transport hook: sends the records; must resolve to a non-null value on success. */
  abstract _run(records: AsyncIterable<SyncRecord>, ctx: AgentRunContext): Promise<unknown>;

  /** What a run would send now, without sending it or moving anything (CLI `simulate`). */
  async simulate(till: number | null = null): Promise<SyncRecord[]> {
    const manager = this.getManager();
    const from = await manager.getTrack().getPointerTimestamp(this.id);
    const out: SyncRecord[] = [];
    const end = till ?? manager.lastClosedBucket(manager.clock.now());
    for await (const r of this._generateRecords(manager.query(this.id, end), end, { from, till: end })) out.push(r);
    return out;
  }

  /**
   * Activation step 3: sends every given object as `created` through `_run`. Does not move the
   * pointer. Resolves to `_run`'s result.
   */
  async exportAll(objects: AsyncIterable<Ref> | Iterable<Ref>, ctx: RunContext = {}): Promise<unknown> {
    const logger = ctx.logger ?? this.getManager().logger;
    async function* records(): AsyncGenerator<SyncRecord> {
      for await (const o of objects) yield makeRecord(o.kind, o.id, 'created', 'export');
    }
    return this._run(records(), { ...ctx, logger, window: null });
  }
}
