import { LivesyncError } from './errors.js';

/** Kinds of objects whose changes are tracked (3.x entry types, spec §3.2). */
export const OBJECT_KINDS = [
  'category',
  'event',
  'contribution',
  'subcontribution',
  'session',
  'attachment',
  'note',
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/**
 * Change types: the 1.x action strings (spec §2.6.1) plus the 3.x change types (spec §3.2).
 * `set_public`, `set_private` and `acl_changed` are the 1.x spellings of a protection change.
 */
export const CHANGE_TYPES = [
  'created',
  'deleted',
  'moved',
  'data_changed',
  'title_changed',
  'protection_changed',
  'set_public',
  'set_private',
  'acl_changed',
  'location_changed',
  'undeleted',
  'published',
  'unpublished',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

const kindSet: ReadonlySet<string> = new Set(OBJECT_KINDS);
const typeSet: ReadonlySet<string> = new Set(CHANGE_TYPES);

export function isObjectKind(value: unknown): value is ObjectKind {
  return typeof value === 'string' && kindSet.has(value);
}
export function isChangeType(value: unknown): value is ChangeType {
  return typeof value === 'string' && typeSet.has(value);
}

/**
 * A changed object. `id` is Indico's uniqueId (`"12"`, `"12.3"`, `"12.3.1"`, `"12.s2"`...), captured
 * at change time so deletions can still be named. `categoryPath` lists the ids of the categories
 * above the object, root first (for a category: its ancestors, not itself); it is used only for
 * exclusion and is not stored in the track.
 */
export interface ObjectRef {
  kind: ObjectKind;
  id: string;
  categoryPath?: readonly string[];
}

/** One track element: an object, the set of change types seen for it, and the time they were recorded (epoch ms). */
export interface ChangeEntry {
  ts: number;
  kind: ObjectKind;
  id: string;
  /** Sorted, without duplicates. */
  changes: ChangeType[];
}

export function refKey(ref: { kind: ObjectKind; id: string }): string {
  return `${ref.kind}:${ref.id}`;
}

/** Throws a LivesyncError (and changes nothing) unless `ref` is a valid object reference. */
export function assertObjectRef(ref: unknown): asserts ref is ObjectRef {
  if (typeof ref !== 'object' || ref === null) {
    throw new LivesyncError('INVALID_ARGUMENT', `Expected an object reference { kind, id }, got ${String(ref)}`);
  }
  const { kind, id, categoryPath } = ref as Record<string, unknown>;
  if (!isObjectKind(kind)) {
    throw new LivesyncError(
      'UNKNOWN_OBJECT_KIND',
      `Unknown object kind ${JSON.stringify(kind)}; expected one of ${OBJECT_KINDS.join(', ')}`,
    );
  }
  if (typeof id !== 'string' || id === '') {
    throw new LivesyncError('INVALID_ARGUMENT', `Object id must be a non-empty string, got ${JSON.stringify(id)}`);
  }
  if (categoryPath !== undefined && (!Array.isArray(categoryPath) || categoryPath.some((c) => typeof c !== 'string'))) {
    throw new LivesyncError('INVALID_ARGUMENT', 'categoryPath must be an array of category id strings');
  }
}

/** Validates and normalises change types: sorted, de-duplicated; `title_changed` implies `data_changed` (spec §2.6.1). */
export function normalizeChanges(changes: ChangeType | readonly ChangeType[]): ChangeType[] {
  const list = (Array.isArray(changes) ? changes : [changes]) as unknown[];
  if (list.length === 0) throw new LivesyncError('INVALID_ARGUMENT', 'At least one change type is required');
  const out = new Set<ChangeType>();
  for (const c of list) {
    if (!isChangeType(c)) {
      throw new LivesyncError(
        'UNKNOWN_CHANGE_TYPE',
        `Unknown change type ${JSON.stringify(c)}; expected one of ${CHANGE_TYPES.join(', ')}`,
      );
    }
    out.add(c);
    if (c === 'title_changed') out.add('data_changed');
  }
  return [...out].sort();
}

/** Serialises an entry to the string stored in a bucket; equal entries serialise equally (set de-duplication). */
export function encodeEntry(entry: ChangeEntry): string {
  return JSON.stringify([entry.ts, entry.kind, entry.id, entry.changes]);
}

export function decodeEntry(raw: string): ChangeEntry {
  const [ts, kind, id, changes] = JSON.parse(raw) as [number, ObjectKind, string, ChangeType[]];
  return { ts, kind, id, changes };
}

/** Codec between track elements and their stored strings. */
export interface Codec<T> {
  encode(value: T): string;
  decode(raw: string): T;
}

export const changeEntryCodec: Codec<ChangeEntry> = { encode: encodeEntry, decode: decodeEntry };

export const jsonCodec: Codec<unknown> = {
  encode: (v) => JSON.stringify(v),
  decode: (raw) => JSON.parse(raw) as unknown,
};

/** Readable one-line form used by the CLI `list` (bucket, object, changes, time). */
export function formatEntry(bucket: number, entry: ChangeEntry): string {
  return `${bucket} <${entry.kind} ${entry.id}> [${entry.changes.join(',')}] ${new Date(entry.ts).toISOString()}`;
}
