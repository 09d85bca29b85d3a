import type { JsonValue } from './json.js';
import type { StoredRule } from './recurrence.js';
import type { TaskStatus } from './states.js';

export type TaskKind = 'oneshot' | 'periodic';

/** A task as data: what the store keeps and what any process rehydrates through the registry. */
export interface TaskRecord {
  /** Assigned by the daemon when it applies the `add` instruction (starts at 0); null while spooled. */
  id: number | null;
  /** Client-side handle, known from enqueue on, so a task can be dequeued or moved before it has an id. */
  ref: string;
  typeId: string;
  kind: TaskKind;
  params: JsonValue;
  status: TaskStatus;
  /** When the task is due (epoch ms); for a periodic task its next occurrence; null when there is none. */
  startOn: number | null;
  expiryDate: number | null;
  createdOn: number;
  startedOn: number | null;
  endedOn: number | null;
  rule: StoredRule | null;
  /** Periodic schedules: one schedule per key, whoever registers it and however often. */
  key: string | null;
  /** Number of occurrence records (periodic) so far; occurrence ids are 0, 1, 2, ... */
  occurrences: number;
  /** Launch counter; a result is accepted only for the launch it belongs to. */
  runs: number;
  /** Daemon currently running the task. */
  owner: string | null;
  lastError: string | null;
  awolThreshold: number | null;
}

/** The immutable part of a task, written once by `add`. */
export interface TaskData {
  typeId: string;
  kind: TaskKind;
  params: JsonValue;
  rule: StoredRule | null;
  expiryDate: number | null;
  createdOn: number;
  key: string | null;
  ref: string;
  awolThreshold: number | null;
}

export function taskUid(id: number, occurrence?: number): string {
  return occurrence === undefined ? `task${id}` : `task${id}:${occurrence}`;
}

/** Parses `task12` / `task12:3`. */
export function parseTaskUid(uid: string): { id: number; occurrence: number | null } | null {
  const m = /^task(\d+)(?::(\d+))?$/.exec(uid);
  if (!m) return null;
  return { id: Number(m[1]), occurrence: m[2] === undefined ? null : Number(m[2]) };
}

/**
 * Stored form of TaskData: short member names, nulls left out, and ref / kind / key kept in their own fields, so
 * a small task's hash stays within Redis's compact (listpack) encoding.
 */
export function encodeTaskData(data: TaskData): string {
  const o: Record<string, unknown> = { y: data.typeId, c: data.createdOn };
  if (data.params !== null) o.p = data.params;
  if (data.rule !== null) o.ru = data.rule;
  if (data.expiryDate !== null) o.x = data.expiryDate;
  if (data.awolThreshold !== null) o.a = data.awolThreshold;
  return JSON.stringify(o);
}

/** Inverse of `encodeTaskData`; throws on anything that is not a stored task. */
export function decodeTaskData(d: string, extras: { ref: string; kind: TaskKind; key: string | null }): TaskData {
  const o = JSON.parse(d) as Record<string, unknown>;
  if (!o || typeof o !== 'object' || typeof o.y !== 'string') throw new Error('stored task data has no type');
  return {
    typeId: o.y,
    kind: extras.kind,
    params: (o.p ?? null) as TaskData['params'],
    rule: (o.ru ?? null) as TaskData['rule'],
    expiryDate: (o.x ?? null) as number | null,
    createdOn: Number(o.c ?? 0),
    key: extras.key,
    ref: extras.ref,
    awolThreshold: (o.a ?? null) as number | null,
  };
}
