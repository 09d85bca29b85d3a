import { CHANGE_TYPES, type ChangeEntry, type ChangeType, type ObjectKind, refKey } from './changes.js';
import type { RecordChange } from './record.js';

export interface Ref {
  kind: ObjectKind;
  id: string;
}

type Awaitable<T> = T | Promise<T>;

/**
 * What compaction needs to know about the live data to cascade changes (spec §3.2 step 3). Every
 * method is optional: without a resolver a change applies to its own object only, and categories
 * (which are never sent) produce nothing.
 */
export interface ContentResolver {
  /** Whether the object exists now (soft-deleted objects do not). Default: true. */
  exists?(ref: Ref): Awaitable<boolean>;
  /**
   * Descendants of an event, session or contribution: contributions (of the event or its sessions),
   * subcontributions, attachments and notes. Not the object itself.
   */
  contents?(ref: Ref, options: { includeDeleted: boolean }): Awaitable<readonly Ref[]>;
  /**
   * Event ids in the category's whole subtree, skipping events in excluded categories. With
   * `inheritingOnly`, only events whose protection is inherited from this category.
   */
  eventsInCategory?(categoryId: string, options: { inheritingOnly: boolean }): Awaitable<readonly string[]>;
}

const TYPE_BIT = Object.fromEntries(CHANGE_TYPES.map((t, i) => [t, 1 << i])) as Record<ChangeType, number>;

const DELETED = 1;
const CREATED = 2;
const UPDATED = 4;

const CASCADE_UPDATE: ReadonlySet<ChangeType> = new Set([
  'moved',
  'protection_changed',
  'set_public',
  'set_private',
  'acl_changed',
]);
const PROTECTION_ONLY: ReadonlySet<ChangeType> = new Set([
  'protection_changed',
  'set_public',
  'set_private',
  'acl_changed',
]);
const CATEGORY_CHANGES: ReadonlySet<ChangeType> = new Set([...CASCADE_UPDATE, 'published', 'unpublished']);

export interface CompactedChange {
  kind: ObjectKind;
  id: string;
  change: RecordChange;
}

/**
 * Folds a window of track entries into one change per object. The window is consumed as a stream;
 * memory grows with the number of distinct objects, not of entries. The result does not depend on
 * the order of the entries (spec §3.2 step 6): every entry is first reduced into a per-object set.
 *
 * Rules (spec §3.2 truth table): created+deleted (or created/published + unpublished) cancel out,
 * deleted beats created beats updated, undeleted re-creates an object that exists now, moves and
 * protection changes cascade as updates, categories and sessions are never emitted themselves.
 */
export async function compactChanges(
  window: AsyncIterable<[number, ChangeEntry]> | Iterable<[number, ChangeEntry]>,
  resolver: ContentResolver = {},
): Promise<CompactedChange[]> {
  // One small integer per object (a bit per change type) keeps the fold compact for large windows.
  const seen = new Map<string, { ref: Ref; mask: number }>();
  for await (const [, entry] of window) {
    const key = refKey(entry);
    let slot = seen.get(key);
    if (!slot) {
      slot = { ref: { kind: entry.kind, id: entry.id }, mask: 0 };
      seen.set(key, slot);
    }
    for (const t of entry.changes) slot.mask |= TYPE_BIT[t] ?? 0;
  }

  const bits = new Map<string, { ref: Ref; bits: number }>();
  const or = (ref: Ref, bit: number) => {
    const key = refKey(ref);
    const slot = bits.get(key);
    if (slot) slot.bits |= bit;
    else bits.set(key, { ref: { kind: ref.kind, id: ref.id }, bits: bit });
  };
  const exists = async (ref: Ref) => (resolver.exists ? resolver.exists(ref) : true);
  const contents = async (ref: Ref, includeDeleted: boolean) =>
    resolver.contents ? resolver.contents(ref, { includeDeleted }) : [];
  const subtree = async (categoryId: string, inheritingOnly: boolean) =>
    resolver.eventsInCategory ? resolver.eventsInCategory(categoryId, { inheritingOnly }) : [];
  /** The object itself (sessions are traversed, never emitted) and, optionally, its contents. */
  const withContents = async (ref: Ref, includeDeleted: boolean): Promise<Ref[]> => [
    ref,
    ...(await contents(ref, includeDeleted)),
  ];
  const eventsWithContents = async (categoryId: string, inheritingOnly: boolean): Promise<Ref[]> => {
    const out: Ref[] = [];
    for (const id of await subtree(categoryId, inheritingOnly))
      out.push(...(await withContents({ kind: 'event', id }, false)));
    return out;
  };

  const createSet: Ref[] = [];
  const publishSet: Ref[] = [];
  const unpublishSet: Ref[] = [];
  const deleteSet: Ref[] = [];
  const undeleteSet: Ref[] = [];
  const cascadeSet: Array<{ ref: Ref; protectionOnly: boolean }> = [];
  const locationSet: Ref[] = [];

  for (const { ref, mask } of seen.values()) {
    let kept = CHANGE_TYPES.filter((t) => mask & TYPE_BIT[t]);
    if (ref.kind === 'category') kept = kept.filter((t) => CATEGORY_CHANGES.has(t));
    // Step 1: a non-deletion change of an object that no longer exists is skipped.
    if (kept.some((t) => t !== 'deleted') && !(await exists(ref))) kept = kept.filter((t) => t === 'deleted');
    const has = (t: ChangeType) => kept.includes(t);
    if (has('created')) createSet.push(ref);
    if (has('published')) publishSet.push(ref);
    if (has('unpublished')) unpublishSet.push(ref);
    if (has('deleted')) deleteSet.push(ref);
    if (has('undeleted')) undeleteSet.push(ref);
    if (has('location_changed')) locationSet.push(ref);
    const cascading = kept.filter((t) => CASCADE_UPDATE.has(t));
    if (cascading.length > 0) {
      const protectionOnly = cascading.every((t) => PROTECTION_ONLY.has(t)) && !has('published') && !has('unpublished');
      cascadeSet.push({ ref, protectionOnly });
    }
    if (has('data_changed')) {
      or(ref, UPDATED);
      if (ref.kind === 'contribution') {
        for (const c of await contents(ref, false)) if (c.kind === 'subcontribution') or(c, UPDATED);
      }
    }
  }

  for (const { ref, protectionOnly } of cascadeSet) {
    const targets =
      ref.kind === 'category' ? await eventsWithContents(ref.id, protectionOnly) : await withContents(ref, false);
    for (const t of targets) or(t, UPDATED);
  }
  for (const ref of unpublishSet) {
    const targets = ref.kind === 'category' ? await eventsWithContents(ref.id, false) : await withContents(ref, false);
    for (const t of targets) or(t, DELETED);
  }
  for (const ref of publishSet) {
    const targets = ref.kind === 'category' ? await eventsWithContents(ref.id, false) : await withContents(ref, false);
    for (const t of targets) or(t, CREATED);
  }
  for (const ref of deleteSet) for (const t of await withContents(ref, false)) or(t, DELETED);
  for (const ref of createSet) for (const t of await withContents(ref, true)) or(t, CREATED);
  for (const ref of locationSet) {
    if (ref.kind === 'event') {
      or(ref, UPDATED);
      for (const c of await contents(ref, false)) if (c.kind === 'contribution') or(c, UPDATED);
    } else if (ref.kind === 'session') {
      for (const c of await contents(ref, false)) if (c.kind === 'contribution') or(c, UPDATED);
    } else or(ref, UPDATED);
  }
  // Undelete last: it clears the deleted bit of objects that exist now.
  for (const ref of undeleteSet) {
    for (const t of await withContents(ref, false)) {
      if (!(await exists(t))) continue;
      const key = refKey(t);
      const slot = bits.get(key);
      if (slot) slot.bits = (slot.bits & ~DELETED) | CREATED;
      else bits.set(key, { ref: t, bits: CREATED });
    }
  }

  const out: CompactedChange[] = [];
  for (const { ref, bits: b } of bits.values()) {
    if (ref.kind === 'category' || ref.kind === 'session') continue;
    if (b & CREATED && b & DELETED) continue;
    const change: RecordChange = b & DELETED ? 'deleted' : b & CREATED ? 'created' : 'updated';
    out.push({ kind: ref.kind, id: ref.id, change });
  }
  out.sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return out;
}
