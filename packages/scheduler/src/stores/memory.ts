import type { TaskRecord } from '../record.js';
import { encodeTaskData, parseTaskUid, taskUid } from '../record.js';
import { TaskStatus as S } from '../states.js';
import type {
  ClaimedTask,
  Completion,
  DaemonInfo,
  DaemonState,
  DeadLetter,
  IndexEntry,
  IndexName,
  NewTask,
  OccurrenceRecord,
  PruneOptions,
  RestartResult,
  RunResult,
  SchedulerStore,
  SpoolEntry,
  SpoolItem,
  SpoolOutcome,
  StepInput,
  StepOutput,
  StoreCounts,
  TaskTarget,
} from '../store.js';
import { decodeSpoolItem, encodeSpoolEntry, rowToRecord, type TaskRow, targetOf } from './codec.js';

/** Memory store extras for tests: push a raw (possibly corrupt) spool item, or corrupt a stored task. */
export interface MemorySchedulerStore extends SchedulerStore {
  pushRawSpoolItem(raw: string): void;
  corruptTask(id: number): void;
}

/** Ordered by (score, id), like the waiting ZSET with its id tie-break. */
class SortedQueue {
  private items: Array<{ score: number; id: number }> = [];
  private scores = new Map<number, number>();

  get size(): number {
    return this.items.length;
  }

  private position(score: number, id: number): number {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const it = this.items[mid]!;
      if (it.score < score || (it.score === score && it.id < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(id: number, score: number): void {
    this.remove(id);
    this.items.splice(this.position(score, id), 0, { score, id });
    this.scores.set(id, score);
  }

  remove(id: number): boolean {
    const score = this.scores.get(id);
    if (score === undefined) return false;
    this.items.splice(this.position(score, id), 1);
    this.scores.delete(id);
    return true;
  }

  has(id: number): boolean {
    return this.scores.has(id);
  }

  first(): { score: number; id: number } | undefined {
    return this.items[0];
  }

  slice(offset: number, limit: number): Array<{ score: number; id: number }> {
    return this.items.slice(offset, offset + limit);
  }
}

const LIVE = new Set<number>([S.SPOOLED, S.QUEUED, S.RUNNING]);

/** The reference adapter: plain Maps, each method one synchronous step. */
export function createMemoryStore(): MemorySchedulerStore {
  let spool: string[] = [];
  let counter = 0;
  const tasks = new Map<number, TaskRow>();
  const refs = new Map<string, number>();
  const keys = new Map<string, number>();
  const waiting = new SortedQueue();
  const running = new Map<number, number>();
  const finished = new Map<string, number>();
  const failed = new Map<string, number>();
  const retired = new Map<string, number>();
  const occurrences = new Map<string, string>();
  const deadLetter: string[] = [];
  const daemonSeen = new Map<string, number>();
  const daemonInfo = new Map<string, string>();
  const listeners = new Set<() => void>();
  let closed = false;

  const resolve = (target: TaskTarget | null): number | null => {
    if (!target) return null;
    if ('id' in target) return tasks.has(target.id) ? target.id : null;
    const m = /^#(\d+)$/.exec(target.ref);
    if (m && tasks.has(Number(m[1]))) return Number(m[1]);
    const id = refs.get(target.ref);
    return id !== undefined && tasks.has(id) ? id : null;
  };

  const index = (name: 'finished' | 'failed') => (name === 'finished' ? finished : failed);

  const retire = (id: number, row: TaskRow, now: number) => {
    if (row.k !== null && keys.get(row.k) === id) keys.delete(row.k);
    retired.set(taskUid(id), now);
  };

  const addTask = (task: NewTask & { id: number }, now: number): SpoolOutcome => {
    const data = task.data;
    const ref = `#${task.id}`;
    if (data.key !== null) {
      const existing = keys.get(data.key);
      const row = existing === undefined ? undefined : tasks.get(existing);
      if (existing !== undefined && row && LIVE.has(row.s) && row.dq === 0) {
        refs.set(ref, existing);
        return { op: 'add', result: 'duplicate', id: existing, ref, typeId: data.typeId };
      }
    }
    const id = task.id;
    const row: TaskRow = {
      d: encodeTaskData(data),
      s: S.SPOOLED,
      t: task.startOn,
      st: null,
      en: null,
      oc: 0,
      rn: 0,
      o: null,
      err: null,
      dq: 0,
      r: ref,
      k: data.key,
      kd: data.kind === 'periodic' ? 'p' : 'o',
    };
    tasks.set(id, row);
    if (data.key !== null) keys.set(data.key, id);
    if (task.startOn === null) return { op: 'add', result: 'spooled', id, ref, typeId: data.typeId };
    row.s = S.QUEUED;
    waiting.add(id, task.startOn);
    void now;
    return { op: 'add', result: 'queued', id, ref, typeId: data.typeId };
  };

  const delTask = (target: TaskTarget | null, now: number): SpoolOutcome => {
    const id = resolve(target);
    const ref = target && 'ref' in target ? target.ref : null;
    if (id === null) return { op: 'del', result: 'noop', id: null, ref };
    const row = tasks.get(id)!;
    switch (row.s) {
      case S.RUNNING:
        if (row.dq === 1) return { op: 'del', result: 'noop', id, ref };
        row.dq = 1;
        if (row.k !== null && keys.get(row.k) === id) keys.delete(row.k);
        return { op: 'del', result: 'dequeue-running', id, ref };
      case S.NONE:
        return { op: 'del', result: 'noop', id, ref };
      case S.QUEUED:
        waiting.remove(id);
        break;
      case S.FAILED:
      case S.TERMINATED:
        failed.delete(taskUid(id));
        break;
      case S.FINISHED:
        finished.delete(taskUid(id));
        break;
    }
    row.s = S.NONE;
    retire(id, row, now);
    return { op: 'del', result: 'dequeued', id, ref };
  };

  const changeTask = (target: TaskTarget | null, startOn: unknown): SpoolOutcome => {
    const id = resolve(target);
    const ref = target && 'ref' in target ? target.ref : null;
    if (id === null || typeof startOn !== 'number') return { op: 'change', result: 'not-waiting', id, ref };
    const row = tasks.get(id)!;
    if (row.s !== S.QUEUED || !waiting.has(id)) return { op: 'change', result: 'not-waiting', id, ref };
    row.t = startOn;
    waiting.add(id, startOn);
    return { op: 'change', result: 'moved', id, ref };
  };

  const complete = (r: RunResult, now: number): Completion => {
    const row = tasks.get(r.id);
    if (!row || row.s !== S.RUNNING || row.rn !== r.run) {
      return { id: r.id, accepted: false, status: row?.s ?? S.NONE, index: null, occurrence: null, requeuedAt: null };
    }
    running.delete(r.id);
    row.st = r.startedOn;
    row.en = r.endedOn;
    row.o = null;
    row.err = r.error;
    const status = r.outcome === 'finished' ? S.FINISHED : r.outcome === 'terminated' ? S.TERMINATED : S.FAILED;
    const indexName = status === S.FINISHED ? 'finished' : status === S.FAILED ? 'failed' : null;
    if (row.kd === 'p' && status !== S.TERMINATED) {
      const occ = row.oc++;
      const record: OccurrenceRecord = {
        taskId: r.id,
        id: occ,
        status,
        scheduledOn: row.t ?? r.startedOn,
        startedOn: r.startedOn,
        endedOn: r.endedOn,
        delay: r.delay,
        attempts: r.attempts,
        error: r.error,
      };
      occurrences.set(`${r.id}:${occ}`, JSON.stringify(record));
      index(indexName!).set(taskUid(r.id, occ), now);
      if (row.dq === 1) {
        row.s = S.NONE;
        retire(r.id, row, now);
        return { id: r.id, accepted: true, status: row.s, index: indexName, occurrence: occ, requeuedAt: null };
      }
      if (r.nextStartOn !== null) {
        row.s = S.QUEUED;
        row.t = r.nextStartOn;
        row.en = null;
        waiting.add(r.id, r.nextStartOn);
        return {
          id: r.id,
          accepted: true,
          status: row.s,
          index: indexName,
          occurrence: occ,
          requeuedAt: r.nextStartOn,
        };
      }
      row.s = status;
      row.t = null;
      retire(r.id, row, now);
      return { id: r.id, accepted: true, status, index: indexName, occurrence: occ, requeuedAt: null };
    }
    if (row.dq === 1 || indexName === null) {
      row.s = row.dq === 1 ? S.NONE : status;
      retire(r.id, row, now);
      return { id: r.id, accepted: true, status: row.s, index: null, occurrence: null, requeuedAt: null };
    }
    row.s = status;
    index(indexName).set(taskUid(r.id), now);
    return { id: r.id, accepted: true, status, index: indexName, occurrence: null, requeuedAt: null };
  };

  const claim = (until: number, max: number, owner: string, now: number): ClaimedTask[] => {
    const out: ClaimedTask[] = [];
    while (out.length < max) {
      const head = waiting.first();
      if (!head || head.score > until) break;
      waiting.remove(head.id);
      const row = tasks.get(head.id)!;
      row.s = S.RUNNING;
      row.rn += 1;
      row.o = owner;
      row.st = now;
      row.en = null;
      running.set(head.id, now);
      out.push({
        id: head.id,
        run: row.rn,
        data: row.d,
        ref: row.r,
        kind: row.kd === 'p' ? 'periodic' : 'oneshot',
        key: row.k,
        startOn: head.score,
        occurrences: row.oc,
        startedOn: now,
      });
    }
    return out;
  };

  const pushDeadLetter = (letter: DeadLetter) => {
    deadLetter.push(JSON.stringify(letter));
  };

  const toEntry = (uid: string, score: number): IndexEntry => {
    const parsed = parseTaskUid(uid);
    const row = parsed ? tasks.get(parsed.id) : undefined;
    const occRaw = parsed && parsed.occurrence !== null ? occurrences.get(`${parsed.id}:${parsed.occurrence}`) : null;
    return {
      uid,
      score,
      task: parsed && row ? rowToRecord(parsed.id, row) : null,
      occurrence: occRaw ? (JSON.parse(occRaw) as OccurrenceRecord) : null,
    };
  };

  const forget = (uid: string) => {
    const parsed = parseTaskUid(uid);
    if (!parsed) return;
    if (parsed.occurrence !== null) {
      occurrences.delete(`${parsed.id}:${parsed.occurrence}`);
      return;
    }
    const row = tasks.get(parsed.id);
    if (!row || LIVE.has(row.s)) return;
    tasks.delete(parsed.id);
    if (refs.get(row.r) === parsed.id) refs.delete(row.r);
    if (row.k !== null && keys.get(row.k) === parsed.id) keys.delete(row.k);
    for (let i = 0; i < row.oc; i++) occurrences.delete(`${parsed.id}:${i}`);
  };

  const store: MemorySchedulerStore = {
    async spool(entries: SpoolEntry[]) {
      const ids: number[] = [];
      for (const e of entries) {
        if (e.op === 'add') {
          const id = counter++;
          ids.push(id);
          spool.push(encodeSpoolEntry({ ...e, task: { ...e.task, id, data: { ...e.task.data, ref: `#${id}` } } }));
        } else spool.push(encodeSpoolEntry(e));
      }
      for (const l of listeners) queueMicrotask(l);
      return ids;
    },
    pushRawSpoolItem(raw: string) {
      spool.push(raw);
    },
    corruptTask(id: number) {
      const row = tasks.get(id);
      if (row) row.d = '{not json';
    },
    async readSpool(): Promise<SpoolItem[]> {
      return spool.map(decodeSpoolItem);
    },
    async clearSpool() {
      const n = spool.length;
      spool = [];
      return n;
    },
    async getTask(target) {
      const id = resolve(target);
      return id === null ? null : rowToRecord(id, tasks.get(id)!);
    },
    async getOccurrence(taskId, occurrence) {
      const raw = occurrences.get(`${taskId}:${occurrence}`);
      return raw ? (JSON.parse(raw) as OccurrenceRecord) : null;
    },
    async restartFailed(id, startOn, _now): Promise<RestartResult> {
      const row = tasks.get(id);
      if (!row) return 'not-found';
      if (row.s !== S.FAILED) return 'inconsistent';
      failed.delete(taskUid(id));
      retired.delete(taskUid(id));
      row.s = S.QUEUED;
      row.t = startOn;
      row.err = null;
      waiting.add(id, startOn);
      return 'ok';
    },
    async counts(): Promise<StoreCounts> {
      return {
        spooled: spool.length,
        waiting: waiting.size,
        running: running.size,
        finished: finished.size,
        failed: failed.size,
        deadLetter: deadLetter.length,
      };
    },
    async daemons(): Promise<DaemonState[]> {
      return [...daemonSeen].map(([id, lastSeen]) => ({
        ...(JSON.parse(daemonInfo.get(id) ?? '{}') as DaemonInfo),
        id,
        lastSeen,
      }));
    },
    async list(name: IndexName, offset, limit): Promise<IndexEntry[]> {
      if (name === 'waiting') return waiting.slice(offset, limit).map((e) => toEntry(taskUid(e.id), e.score));
      if (name === 'running') {
        return [...running]
          .sort((a, b) => a[1] - b[1] || a[0] - b[0])
          .slice(offset, offset + limit)
          .map(([id, score]) => toEntry(taskUid(id), score));
      }
      return [...index(name)]
        .sort((a, b) => b[1] - a[1])
        .slice(offset, offset + limit)
        .map(([uid, score]) => toEntry(uid, score));
    },
    async deadLetters(offset, limit) {
      return deadLetter.slice(offset, offset + limit).map((raw) => JSON.parse(raw) as DeadLetter);
    },
    async touchDaemon(info, now) {
      daemonSeen.set(info.id, now);
      daemonInfo.set(info.id, JSON.stringify(info));
    },
    async removeDaemon(id) {
      daemonSeen.delete(id);
      daemonInfo.delete(id);
    },
    async step(input: StepInput): Promise<StepOutput> {
      const completed = input.results.map((r) => complete(r, input.now));
      const outcomes: SpoolOutcome[] = [];
      let shutdown: string | null = null;
      while (outcomes.length < input.spool && spool.length > 0) {
        const raw = spool.shift()!;
        const item = decodeSpoolItem(raw);
        if (item.op === 'shutdown') {
          shutdown = typeof item.message === 'string' ? item.message : '';
          outcomes.push({ op: 'shutdown', result: 'shutdown', id: null, ref: null, message: shutdown });
          break;
        }
        let outcome: SpoolOutcome | null = null;
        if (item.op === 'add') {
          const t = item.task as Partial<NewTask> | undefined;
          const d = t?.data;
          if (
            d &&
            typeof d === 'object' &&
            typeof t.id === 'number' &&
            typeof d.typeId === 'string' &&
            (t.startOn === null || typeof t.startOn === 'number')
          ) {
            outcome = addTask({ data: { ...d, key: d.key ?? null }, startOn: t.startOn ?? null, id: t.id }, input.now);
          }
        } else if (item.op === 'del') {
          outcome = delTask(targetOf(item.target), input.now);
        } else if (item.op === 'change') {
          if (targetOf(item.target) && typeof item.startOn === 'number')
            outcome = changeTask(targetOf(item.target), item.startOn);
        }
        if (!outcome) {
          const reason =
            item.op === 'invalid' ? 'unreadable or unknown spool instruction' : `malformed ${item.op} instruction`;
          pushDeadLetter({ at: input.now, reason, raw, taskId: null });
          outcome = { op: item.op, result: 'dead-lettered', id: null, ref: null, message: reason };
        }
        outcomes.push(outcome);
      }
      const claimed =
        shutdown === null && input.claim > 0
          ? claim(input.claimUntil ?? input.now, input.claim, input.owner, input.now)
          : [];
      return {
        spool: outcomes,
        shutdown,
        completed,
        claimed,
        nextDue: waiting.first()?.score ?? null,
        spoolPending: spool.length > 0,
      };
    },
    async heartbeat(id, run, now) {
      const row = tasks.get(id);
      if (!row || row.s !== S.RUNNING || row.rn !== run) return false;
      running.set(id, now);
      return true;
    },
    async terminate(id, run, now, nextStartOn, reason) {
      const row = tasks.get(id);
      if (!row || row.s !== S.RUNNING || row.rn !== run) return false;
      running.delete(id);
      row.o = null;
      row.err = reason;
      row.en = now;
      if (row.kd === 'p') {
        const occ = row.oc++;
        const record: OccurrenceRecord = {
          taskId: id,
          id: occ,
          status: S.TERMINATED,
          scheduledOn: row.t ?? now,
          startedOn: row.st ?? now,
          endedOn: now,
          delay: 0,
          attempts: 0,
          error: reason,
        };
        occurrences.set(`${id}:${occ}`, JSON.stringify(record));
        failed.set(taskUid(id, occ), now);
        if (row.dq === 0 && nextStartOn !== null) {
          row.s = S.QUEUED;
          row.t = nextStartOn;
          row.en = null;
          waiting.add(id, nextStartOn);
          return true;
        }
        row.s = S.TERMINATED;
        retire(id, row, now);
        return true;
      }
      row.s = S.TERMINATED;
      failed.set(taskUid(id), now);
      return true;
    },
    async recover(now, leaseMs, deadOwners) {
      const out: number[] = [];
      for (const [id] of [...running]) {
        const row = tasks.get(id)!;
        const seen = row.o === null ? undefined : daemonSeen.get(row.o);
        const alive = seen !== undefined && seen >= now - leaseMs && !deadOwners.includes(row.o!);
        if (alive) continue;
        running.delete(id);
        row.o = null;
        if (row.dq === 1) {
          row.s = S.NONE;
          retire(id, row, now);
        } else {
          row.s = S.QUEUED;
          waiting.add(id, row.t ?? now);
        }
        out.push(id);
      }
      for (const owner of deadOwners) {
        daemonSeen.delete(owner);
        daemonInfo.delete(owner);
      }
      return out;
    },
    async deadLetterTask(id, run, reason, now) {
      const row = tasks.get(id);
      if (!row || row.rn !== run) return;
      running.delete(id);
      waiting.remove(id);
      pushDeadLetter({ at: now, reason, raw: row.d, taskId: id });
      tasks.delete(id);
      if (refs.get(row.r) === id) refs.delete(row.r);
      if (row.k !== null && keys.get(row.k) === id) keys.delete(row.k);
    },
    async prune(now, options: PruneOptions) {
      let removed = 0;
      for (const idx of [finished, failed, retired]) {
        const victims: string[] = [];
        if (options.maxAge !== undefined) {
          for (const [uid, score] of idx) if (score < now - options.maxAge) victims.push(uid);
        }
        if (options.maxCount !== undefined && idx.size - victims.length > options.maxCount) {
          const dropping = new Set(victims);
          const rest = [...idx].filter(([uid]) => !dropping.has(uid)).sort((a, b) => a[1] - b[1]);
          for (const [uid] of rest.slice(0, rest.length - options.maxCount)) victims.push(uid);
        }
        for (const uid of victims) {
          idx.delete(uid);
          if (idx !== retired) removed++;
          forget(uid);
        }
      }
      return removed;
    },
    async subscribe(listener) {
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
    },
  };
  void (null as unknown as TaskRecord);
  return store;
}
