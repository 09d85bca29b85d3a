import type { ObjectKind } from './changes.js';

/** What a compacted window says about one object (spec §3.2, final value by priority deleted > created > updated). */
export type RecordChange = 'created' | 'updated' | 'deleted';

/**
 * One record sent to a remote service. `kind` + `objectId` name the object (use them as the upsert
 * key: treat `created` for a known object as an update and `deleted` for an unknown one as a no-op).
 * `id` is deterministic for the object, change and window, so a re-sent window carries the same ids.
 */
export interface SyncRecord {
  id: string;
  kind: ObjectKind;
  objectId: string;
  change: RecordChange;
}

export function makeRecord(kind: ObjectKind, objectId: string, change: RecordChange, window: string): SyncRecord {
  return { id: `${kind}:${objectId}:${change}@${window}`, kind, objectId, change };
}

/** Readable line for `simulate`: object, id and the MOD / CRT / DEL flags (seed `record_str`). */
export function formatRecord(record: SyncRecord): string {
  const flag = (c: RecordChange, label: string) => (record.change === c ? label : '   ');
  const obj = `${record.kind} ${record.objectId}`;
  return `${obj.padEnd(40)} ${record.id.padEnd(20)} ${flag('updated', 'MOD')} ${flag('created', 'CRT')} ${flag('deleted', 'DEL')}`;
}
