import { decodeTaskData, type TaskData, type TaskRecord } from '../record.js';
import type { SpoolItem, TaskTarget } from '../store.js';

/**
 * The stored shape of a task (a Redis hash; the memory store keeps the same fields): `d` the immutable TaskData as
 * JSON, the rest mutable and written by transitions only.
 */
export interface TaskRow {
  d: string;
  /** status */
  s: number;
  /** startOn (due time), or null */
  t: number | null;
  st: number | null;
  en: number | null;
  /** occurrence count */
  oc: number;
  /** launch counter */
  rn: number;
  /** owning daemon while running */
  o: string | null;
  err: string | null;
  /** 1 when dequeued while running: the current run is the last one */
  dq: 0 | 1;
  /** ref and schedule key, copied out of `d` so transitions never parse it */
  r: string;
  k: string | null;
  /** 'o' one-shot, 'p' periodic */
  kd: 'o' | 'p';
}

export function rowToRecord(id: number, row: TaskRow): TaskRecord {
  let data: Partial<TaskData>;
  try {
    data = decodeTaskData(row.d, { ref: row.r || `#${id}`, kind: row.kd === 'p' ? 'periodic' : 'oneshot', key: row.k });
  } catch {
    data = {};
  }
  return {
    id,
    ref: row.r || `#${id}`,
    typeId: data.typeId ?? '?',
    kind: row.kd === 'p' ? 'periodic' : 'oneshot',
    params: data.params ?? null,
    status: row.s as TaskRecord['status'],
    startOn: row.t,
    expiryDate: data.expiryDate ?? null,
    createdOn: data.createdOn ?? 0,
    startedOn: row.st,
    endedOn: row.en,
    rule: data.rule ?? null,
    key: row.k,
    occurrences: row.oc,
    runs: row.rn,
    owner: row.o,
    lastError: row.err,
    awolThreshold: data.awolThreshold ?? null,
  };
}

/** Spool items travel as JSON strings in both stores (so a corrupted item is representable and dead-lettered). */
export function encodeSpoolEntry(entry: unknown): string {
  return JSON.stringify(entry);
}

export function decodeSpoolItem(raw: string): SpoolItem {
  try {
    const v = JSON.parse(raw) as { op?: unknown };
    if (v && typeof v === 'object' && ['add', 'del', 'change', 'shutdown'].includes(v.op as string)) {
      return v as SpoolItem;
    }
  } catch {
    // falls through
  }
  return { op: 'invalid', raw };
}

export function targetOf(value: unknown): TaskTarget | null {
  if (!value || typeof value !== 'object') return null;
  const t = value as { id?: unknown; ref?: unknown };
  if (typeof t.id === 'number' && Number.isInteger(t.id)) return { id: t.id };
  if (typeof t.ref === 'string') return { ref: t.ref };
  return null;
}
