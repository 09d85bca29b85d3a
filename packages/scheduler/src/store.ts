import type { TaskData, TaskKind, TaskRecord } from './record.js';

/** A task is addressed by its id once the daemon has indexed it, or by the ref the client gave it at enqueue. */
export type TaskTarget = { id: number } | { ref: string };

export interface NewTask {
  data: TaskData;
  startOn: number | null;
  /** Reserved by the store when the `add` is spooled; the daemon indexes the task under it. */
  id?: number;
}

/** Instructions clients append to the spool; the daemon applies them in FIFO order. */
export type SpoolEntry =
  | { op: 'add'; task: NewTask }
  | { op: 'del'; target: TaskTarget }
  | { op: 'change'; target: TaskTarget; startOn: number }
  | { op: 'shutdown'; message: string };

/** What `readSpool` shows: an entry, or a raw item that does not parse (it will be dead-lettered). */
export type SpoolItem = SpoolEntry | { op: 'invalid'; raw: string };

export type SpoolResult =
  | 'queued'
  | 'spooled'
  | 'duplicate'
  | 'dequeued'
  | 'dequeue-running'
  | 'noop'
  | 'moved'
  | 'not-waiting'
  | 'dead-lettered'
  | 'shutdown';

export interface SpoolOutcome {
  op: string;
  result: SpoolResult;
  id: number | null;
  ref: string | null;
  typeId?: string;
  message?: string;
}

/** A task handed to a daemon by `step` (T2: QUEUED -> RUNNING in one atomic move). */
export interface ClaimedTask {
  id: number;
  run: number;
  /** The stored TaskData (`encodeTaskData`); if it does not decode, the daemon dead-letters the task. */
  data: string;
  ref: string;
  kind: TaskKind;
  key: string | null;
  startOn: number;
  occurrences: number;
  startedOn: number;
}

export type RunOutcome = 'finished' | 'failed' | 'expired' | 'terminated';

export interface RunResult {
  id: number;
  run: number;
  outcome: RunOutcome;
  startedOn: number;
  endedOn: number;
  /** Periodic tasks: the next occurrence (null when the rule is exhausted). Ignored for one-shot tasks. */
  nextStartOn: number | null;
  attempts: number;
  delay: number;
  error: string | null;
}

export interface Completion {
  id: number;
  /** False when the result belonged to a launch the store no longer tracks (AWOL-terminated, relaunched). */
  accepted: boolean;
  status: number;
  /** Index the task or occurrence went to. */
  index: 'finished' | 'failed' | null;
  occurrence: number | null;
  requeuedAt: number | null;
}

export interface StepInput {
  now: number;
  owner: string;
  results: RunResult[];
  /** How many due tasks to claim (0 = none). */
  claim: number;
  /** Claim tasks due up to this instant (default `now`); the daemon starts early claims at their exact time. */
  claimUntil?: number;
  /** How many spool instructions to apply at most. */
  spool: number;
}

export interface StepOutput {
  spool: SpoolOutcome[];
  /** Message of a `shutdown` instruction read in this step (nothing after it was applied or claimed). */
  shutdown: string | null;
  completed: Completion[];
  claimed: ClaimedTask[];
  /**
   * Smallest waiting startOn after the step, or null. A store may leave it null when the claim filled every
   * requested slot (the daemon then treats more tasks as possibly due).
   */
  nextDue: number | null;
  /** True when spool instructions may remain (the batch limit was hit). */
  spoolPending: boolean;
}

export interface StoreCounts {
  spooled: number;
  waiting: number;
  running: number;
  finished: number;
  failed: number;
  deadLetter: number;
}

export interface DaemonInfo {
  id: string;
  hostname: string;
  pid: number;
  startedAt: number;
}

export interface DaemonState extends DaemonInfo {
  lastSeen: number;
}

export type IndexName = 'waiting' | 'running' | 'finished' | 'failed';

export interface IndexEntry {
  /** `task<id>` or `task<id>:<occurrence>`. */
  uid: string;
  /** Due time (waiting), last heartbeat (running) or time indexed (finished / failed). */
  score: number;
  task: TaskRecord | null;
  occurrence: OccurrenceRecord | null;
}

export interface OccurrenceRecord {
  taskId: number;
  id: number;
  status: number;
  scheduledOn: number;
  startedOn: number;
  endedOn: number;
  delay: number;
  attempts: number;
  error: string | null;
}

export interface DeadLetter {
  at: number;
  reason: string;
  /** The raw spool item or stored task data. */
  raw: string;
  taskId: number | null;
}

export interface PruneOptions {
  /** Drop history entries indexed before `now - maxAge` ms. */
  maxAge?: number;
  /** Keep at most this many entries per index (finished, failed). */
  maxCount?: number;
}

export type RestartResult = 'ok' | 'not-found' | 'inconsistent';

/**
 * The scheduler's storage port. Every method is one atomic transition (a Lua script in Redis, one synchronous
 * step in memory); times are epoch ms passed in by the caller, so stores never read a clock.
 */
export interface SchedulerStore {
  // -- client side --
  /**
   * Appends instructions to the spool (atomically, in order) and wakes the daemons. Each `add` gets an id reserved
   * from the task counter (so ids increase in spool order); returns those ids. The task's ref is `#<id>`.
   */
  spool(entries: SpoolEntry[]): Promise<number[]>;
  readSpool(): Promise<SpoolItem[]>;
  clearSpool(): Promise<number>;
  getTask(target: TaskTarget): Promise<TaskRecord | null>;
  getOccurrence(taskId: number, occurrence: number): Promise<OccurrenceRecord | null>;
  /** T15: FAILED -> QUEUED at `startOn`. */
  restartFailed(id: number, startOn: number, now: number): Promise<RestartResult>;
  counts(): Promise<StoreCounts>;
  daemons(): Promise<DaemonState[]>;
  list(index: IndexName, offset: number, limit: number): Promise<IndexEntry[]>;
  deadLetters(offset: number, limit: number): Promise<DeadLetter[]>;

  // -- daemon side --
  /** Registers or refreshes a daemon's liveness record. */
  touchDaemon(info: DaemonInfo, now: number): Promise<void>;
  removeDaemon(id: string): Promise<void>;
  /** Applies spool instructions, records results, claims due tasks: one round trip, each part atomic. */
  step(input: StepInput): Promise<StepOutput>;
  /** Refreshes a running task's heartbeat (its `onRunningListSince`); false when the launch is no longer current. */
  heartbeat(id: number, run: number, now: number): Promise<boolean>;
  /**
   * T8: RUNNING -> TERMINATED for the launch `run`. One-shot: indexed in failed. Periodic (intended behaviour): a
   * TERMINATED occurrence is indexed in failed and the task is requeued at `nextStartOn` when there is one.
   */
  terminate(id: number, run: number, now: number, nextStartOn: number | null, reason: string): Promise<boolean>;
  /**
   * T9: requeues (due at their old startOn) the running tasks whose owner is not a live daemon (not seen since
   * `now - leaseMs`, or listed in `deadOwners`). Returns the relaunched ids.
   */
  recover(now: number, leaseMs: number, deadOwners: string[]): Promise<number[]>;
  /** Moves a stored task that cannot be rehydrated to the dead-letter list. */
  deadLetterTask(id: number, run: number, reason: string, now: number): Promise<void>;
  prune(now: number, options: PruneOptions): Promise<number>;
  /** Calls `listener` whenever a client spools something; returns an unsubscribe function. */
  subscribe(listener: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
