import { AsyncLocalStorage } from 'node:async_hooks';
import { assertObjectRef, type ChangeType, normalizeChanges, type ObjectRef, refKey } from './changes.js';
import type { TrackItem } from './store.js';
import type { ChangeInput, SyncManager } from './sync-manager.js';

/**
 * Collects the changes of one unit of work (a request, a task run), one set of change types per
 * object, and writes them with one shared timestamp on `flush()` (spec §2.6.2).
 */
export class ChangeCollector {
  readonly manager: SyncManager;
  private readonly pending = new Map<string, { ref: ObjectRef; types: Set<ChangeType> }>();

  constructor(manager: SyncManager) {
    this.manager = manager;
  }

  /** Adds changes of one object; validates now (a bad kind or type throws and adds nothing). */
  add(ref: ObjectRef, changes: ChangeType | readonly ChangeType[]): void {
    assertObjectRef(ref);
    const types = normalizeChanges(changes);
    const key = refKey(ref);
    let slot = this.pending.get(key);
    if (!slot) {
      slot = { ref: { ...ref }, types: new Set() };
      this.pending.set(key, slot);
    }
    for (const t of types) slot.types.add(t);
  }

  /** Number of objects touched so far. */
  get size(): number {
    return this.pending.size;
  }

  /** Forgets everything collected (a retried unit of work records only its last attempt). */
  reset(): void {
    this.pending.clear();
  }

  /** The collected changes, one per object. */
  changes(): ChangeInput[] {
    return [...this.pending.values()].map(({ ref, types }) => ({ ref, changes: [...types] }));
  }

  /** Track items for the collected changes at one timestamp (used by the Redis MULTI helper). */
  prepare(timestamp: number = this.manager.clock.now()): TrackItem[] {
    return this.manager.prepareChanges(this.changes(), timestamp);
  }

  /** Writes the collected changes (one write) and clears the buffer; returns entries written. */
  async flush(options: { timestamp?: number } = {}): Promise<number> {
    const changes = this.changes();
    this.pending.clear();
    if (changes.length === 0) return 0;
    return this.manager.record(changes, options);
  }
}

const storage = new AsyncLocalStorage<ChangeCollector>();

/** Runs `fn` with `collector` as the current unit of work for `recordChange`. */
export function runWithCollector<R>(collector: ChangeCollector, fn: () => R): R {
  return storage.run(collector, fn);
}

/** The collector of the current unit of work, if any. */
export function currentCollector(): ChangeCollector | undefined {
  return storage.getStore();
}

/**
 * Runs `fn` as one unit of work: its recorded changes are flushed together when it resolves, and
 * dropped when it throws (the domain write is assumed rolled back).
 */
export async function withChanges<R>(
  manager: SyncManager,
  fn: (collector: ChangeCollector) => Promise<R> | R,
): Promise<R> {
  const collector = new ChangeCollector(manager);
  const result = await runWithCollector(collector, () => fn(collector));
  await collector.flush();
  return result;
}

/**
 * Records a change. Inside a unit of work of the same manager (express middleware, `withChanges`)
 * it is collected and written at the end; anywhere else it is written at once. Never dropped.
 */
export async function recordChange(
  manager: SyncManager,
  ref: ObjectRef,
  changes: ChangeType | readonly ChangeType[],
  options: { timestamp?: number } = {},
): Promise<void> {
  const collector = storage.getStore();
  if (collector && collector.manager === manager && options.timestamp === undefined) {
    collector.add(ref, changes);
    return;
  }
  await manager.record([{ ref, changes }], options);
}
