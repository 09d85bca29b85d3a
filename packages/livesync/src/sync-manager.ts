import type { SyncAgent } from './agent.js';
import { createFileAgent } from './agents/file.js';
import { createHttpPushAgent } from './agents/http.js';
import {
  assertObjectRef,
  type ChangeEntry,
  type ChangeType,
  changeEntryCodec,
  normalizeChanges,
  type ObjectRef,
} from './changes.js';
import type { ContentResolver } from './compaction.js';
import { LivesyncError } from './errors.js';
import { type Clock, type Logger, silentLogger, systemClock } from './logger.js';
import type { AgentRecord, TrackItem, TrackStore } from './store.js';
import { SetMultiPointerTrack } from './track.js';

/** Rebuilds an agent object from its stored record. */
export type AgentFactory = (record: AgentRecord) => SyncAgent;

export interface SyncManagerOptions {
  store: TrackStore;
  /** Seconds per bucket (default 100, as in Indico 1.2). */
  granularity?: number;
  clock?: Clock;
  logger?: Logger;
  /** Category ids whose whole subtree is not recorded (spec §3.2). */
  excludedCategories?: Iterable<string>;
  /** Agent types beyond the built-in `http` and `file`, by `type` name. */
  agentTypes?: Record<string, AgentFactory>;
  /** Live-data lookups used by agents to cascade changes during compaction. */
  resolver?: ContentResolver;
  /**
   * How long after a bucket ends a run still treats it as open (default 2000 ms), so a writer that
   * took its timestamp just before the boundary and commits just after it is not skipped.
   */
  lateWriteMarginMs?: number;
}

/** A change to record: an object and one or more change types. */
export interface ChangeInput {
  ref: ObjectRef;
  changes: ChangeType | readonly ChangeType[];
}

const NEVER_EXCLUDED: ReadonlySet<ChangeType> = new Set(['published', 'unpublished']);

/**
 * The agent manager and the track's front door (seed §4.2): records changes into bucket
 * `floor(epochSeconds / granularity)`, keeps the agents and their pointers.
 */
export class SyncManager {
  readonly store: TrackStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly resolver: ContentResolver;
  readonly excludedCategories: ReadonlySet<string>;
  readonly lateWriteMarginMs: number;
  private readonly granularity: number;
  private readonly track: SetMultiPointerTrack<ChangeEntry>;
  private readonly agentTypes: Record<string, AgentFactory>;
  private readonly local = new Map<string, SyncAgent>();
  private closed = false;

  constructor(options: SyncManagerOptions) {
    const g = options.granularity ?? 100;
    if (!(Number.isFinite(g) && g > 0))
      throw new TypeError(`granularity must be a positive number of seconds, got ${g}`);
    this.store = options.store;
    this.granularity = g;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.resolver = options.resolver ?? {};
    const margin = options.lateWriteMarginMs ?? 2000;
    if (!(Number.isFinite(margin) && margin >= 0)) throw new TypeError(`lateWriteMarginMs must be >= 0, got ${margin}`);
    this.lateWriteMarginMs = margin;
    this.excludedCategories = new Set(options.excludedCategories ?? []);
    this.track = new SetMultiPointerTrack<ChangeEntry>({ store: this.store, codec: changeEntryCodec });
    this.agentTypes = { http: createHttpPushAgent, file: createFileAgent, ...options.agentTypes };
  }

  /** Seconds per bucket. */
  getGranularity(): number {
    return this.granularity;
  }

  getTrack(): SetMultiPointerTrack<ChangeEntry> {
    return this.track;
  }

  /** The bucket an epoch-millisecond time falls in. */
  bucketOf(epochMs: number): number {
    return Math.floor(epochMs / 1000 / this.granularity);
  }

  /**
   * The newest bucket a run at `epochMs` may deliver: the one before the bucket still filling
   * (`floor(now / g) - 1`, spec §2.7), or one earlier within `lateWriteMarginMs` of a boundary.
   */
  lastClosedBucket(epochMs: number): number {
    return this.bucketOf(epochMs - this.lateWriteMarginMs) - 1;
  }

  /**
   * Whether changes of this object are ignored: it lies in (or is) an excluded category's subtree.
   * Legacy Indico only looked at the direct parent; we exclude the whole subtree (spec §2.6.3, §3.2).
   */
  objectExcluded(ref: ObjectRef): boolean {
    if (this.excludedCategories.size === 0) return false;
    if (ref.kind === 'category' && this.excludedCategories.has(ref.id)) return true;
    return (ref.categoryPath ?? []).some((c) => this.excludedCategories.has(c));
  }

  /**
   * Validates changes and turns them into track items with one shared timestamp; excluded objects
   * are dropped except for their `published` / `unpublished` changes (they mark the boundary).
   * Throws on the first bad input; nothing is written by a caller that then fails.
   */
  prepareChanges(changes: readonly ChangeInput[], timestamp: number = this.clock.now()): TrackItem[] {
    if (!Number.isFinite(timestamp)) throw new LivesyncError('INVALID_ARGUMENT', `Bad timestamp ${timestamp}`);
    const validated = changes.map(({ ref, changes: types }) => {
      assertObjectRef(ref);
      return { ref, types: normalizeChanges(types) };
    });
    const bucket = this.bucketOf(timestamp);
    const items: TrackItem[] = [];
    for (const { ref, types } of validated) {
      const kept = this.objectExcluded(ref) ? types.filter((t) => NEVER_EXCLUDED.has(t)) : types;
      if (kept.length === 0) continue;
      const entry: ChangeEntry = { ts: timestamp, kind: ref.kind, id: ref.id, changes: kept };
      items.push({ bucket, member: changeEntryCodec.encode(entry) });
    }
    return items;
  }

  /** Records changes directly (one write, all or nothing); returns the number of entries written. */
  async record(changes: readonly ChangeInput[], options: { timestamp?: number } = {}): Promise<number> {
    const items = this.prepareChanges(changes, options.timestamp);
    if (items.length > 0) await this.store.addEntries(items, 'set');
    return items.length;
  }

  /** Seed `add(timestamp, action)`: records one object's changes at an epoch-ms timestamp. */
  async add(timestamp: number, change: ChangeInput): Promise<void> {
    await this.record([change], { timestamp });
  }

  /**
   * Stores a new agent (inactive, not recording, pointer null). A duplicate id is an error and
   * changes nothing (Indico 1.2 silently rewound the existing agent).
   */
  async registerNewAgent(agent: SyncAgent): Promise<void> {
    if (!(await this.store.createAgent(agent.toRecord()))) {
      throw new LivesyncError('DUPLICATE_AGENT', `An agent with id '${agent.id}' already exists`);
    }
    agent.setManager(this);
    this.local.set(agent.id, agent);
  }

  /** Removes an agent and its pointer. */
  async removeAgent(agent: SyncAgent | string): Promise<void> {
    const id = typeof agent === 'string' ? agent : agent.id;
    if (!(await this.store.deleteAgent(id))) throw agentNotFound(id);
    this.local.delete(id);
  }

  /** One agent, rebuilt from the store (so its state is current). */
  async getAgent(id: string): Promise<SyncAgent> {
    const record = await this.store.getAgent(id);
    if (!record) throw agentNotFound(id);
    return this.hydrate(record);
  }

  /** Every agent by id. Agents whose type is unknown here are logged and left out. */
  async getAllAgents(): Promise<Map<string, SyncAgent>> {
    const out = new Map<string, SyncAgent>();
    for (const record of await this.store.listAgents()) {
      try {
        out.set(record.id, this.hydrate(record));
      } catch (err) {
        this.logger.warn({ agent: record.id, type: record.type, err }, 'livesync: skipping agent of unknown type');
      }
    }
    return out;
  }

  /** Entries after the agent's pointer, up to bucket `till` (inclusive), oldest first. */
  query(agentId?: string, till: number | null = null): AsyncGenerator<[number, ChangeEntry]> {
    if (agentId === undefined) throw new LivesyncError('NO_CRITERIA', 'No criteria specified: pass an agent id');
    return this.queryAgent(agentId, till);
  }

  private async *queryAgent(agentId: string, till: number | null): AsyncGenerator<[number, ChangeEntry]> {
    const pos = await this.store.getPointer(agentId);
    if (pos === undefined) throw agentNotFound(agentId);
    yield* this.track.iterate(pos, till);
  }

  /** Moves the agent's pointer (works on an empty track too). */
  async advance(agentId: string, newLastTS: number): Promise<void> {
    try {
      await this.track.movePointer(agentId, newLastTS);
    } catch (err) {
      if ((err as LivesyncError).code === 'POINTER_NOT_FOUND') throw agentNotFound(agentId);
      throw err;
    }
  }

  /**
   * Activation step 2: the pointer goes to the bucket of `now` and the agent starts recording. The
   * full export (step 3) covers everything at or before that bucket.
   */
  async preActivateAgent(id: string, now: number = this.clock.now()): Promise<number> {
    await this.getAgent(id);
    const bucket = this.bucketOf(now);
    await this.advance(id, bucket);
    await this.store.updateAgent(id, { recording: true });
    return bucket;
  }

  /** Activation step 4: the periodic run pushes everything after the pointer from now on. */
  async activateAgent(id: string): Promise<void> {
    if (!(await this.store.updateAgent(id, { active: true }))) throw agentNotFound(id);
  }

  async deactivateAgent(id: string): Promise<void> {
    if (!(await this.store.updateAgent(id, { active: false }))) throw agentNotFound(id);
  }

  /**
   * Without flags: drops every agent and the whole track. `agentsOnly`: drops the agents and their
   * pointers (no stale pointers are left to block trimming). `trackOnly`: drops the buckets but keeps
   * agents and pointers, so agents can still acknowledge.
   */
  async reset(options: { agentsOnly?: boolean; trackOnly?: boolean } = {}): Promise<void> {
    if (options.agentsOnly && options.trackOnly) {
      throw new LivesyncError('INVALID_ARGUMENT', 'reset: agentsOnly and trackOnly are mutually exclusive');
    }
    if (!options.trackOnly) {
      await this.store.clearAgents();
      this.local.clear();
    }
    if (!options.agentsOnly) await this.store.clearTrack();
    if (!options.agentsOnly && !options.trackOnly) {
      for (const pid of (await this.store.getPointers()).keys()) await this.store.removePointer(pid);
    }
  }

  /** Removes buckets no agent can read again (see MultiPointerTrack.trim). */
  async trim(): Promise<number> {
    return this.track.trim();
  }

  /** Releases the store (a Redis store leaves the caller's client open). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.local.clear();
    await this.store.close();
  }

  private hydrate(record: AgentRecord): SyncAgent {
    const local = this.local.get(record.id);
    const agent = local && local.type === record.type ? local : this.build(record);
    agent.applyRecord(record);
    agent.setManager(this);
    return agent;
  }

  private build(record: AgentRecord): SyncAgent {
    const factory = this.agentTypes[record.type];
    if (!factory) throw new LivesyncError('UNKNOWN_AGENT_TYPE', `Unknown agent type '${record.type}'`);
    return factory(record);
  }
}

function agentNotFound(id: string): LivesyncError {
  return new LivesyncError('AGENT_NOT_FOUND', `Agent '${id}' doesn't exist`);
}
