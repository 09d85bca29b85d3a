/**
 * Storage port of a livesync track: buckets of encoded elements, named pointers into them, and
 * the persisted state of agents. Buckets are numbered (`floor(epochSeconds / granularity)`) and
 * always read in ascending order.
 */

/** `set`: a bucket keeps one copy of each element, ordered by its encoded string; `list`: duplicates, insertion order. */
export type ContainerMode = 'set' | 'list';

export interface TrackItem {
  bucket: number;
  member: string;
}

/** What a store persists about an agent. The agent object itself is rebuilt from `type` + `options`. */
export interface AgentRecord {
  id: string;
  type: string;
  name: string;
  description: string;
  /** Seconds; stored for the seed's sake, not used for scheduling. */
  updateTime: number;
  active: boolean;
  recording: boolean;
  /** The `till` of the last successful run that was not yet acknowledged. */
  lastTry: number | null;
  options: Record<string, unknown>;
}

export type AgentPatch = Partial<Pick<AgentRecord, 'active' | 'recording' | 'lastTry' | 'name' | 'description'>>;

export interface TrackStore {
  /** Adds every item, creating buckets as needed, all or nothing. */
  addEntries(items: readonly TrackItem[], mode: ContainerMode): Promise<void>;
  /** Creates an empty bucket, replacing any existing one. */
  prepareEntry(bucket: number): Promise<void>;
  hasBucket(bucket: number): Promise<boolean>;
  deleteBucket(bucket: number): Promise<boolean>;
  bucketCount(): Promise<number>;
  /** Smallest and largest bucket number, or null on an empty track. */
  bucketRange(): Promise<{ oldest: number; newest: number } | null>;
  /** Bucket numbers b with after < b <= until (null = unbounded), ascending, at most `limit`. */
  listBuckets(after: number | null, until: number | null, limit: number): Promise<number[]>;
  /** Members of a bucket in container order, from `offset`, at most `limit`. */
  readBucket(bucket: number, mode: ContainerMode, offset: number, limit: number): Promise<string[]>;
  /** Removes every bucket (pointers and agents stay). */
  clearTrack(): Promise<void>;

  /** pointer id -> bucket, or null for "before everything". */
  getPointers(): Promise<Map<string, number | null>>;
  /** undefined when the pointer does not exist. */
  getPointer(pid: string): Promise<number | null | undefined>;
  /** Creates or overwrites a pointer. */
  putPointer(pid: string, pos: number | null): Promise<void>;
  /** Moves an existing pointer; false (and nothing written) when it does not exist. */
  movePointer(pid: string, pos: number | null): Promise<boolean>;
  removePointer(pid: string): Promise<boolean>;
  /**
   * Deletes every bucket at or before the smallest non-null pointer, atomically. Null pointers
   * block nothing; with no non-null pointer nothing is deleted. Returns the number of buckets removed.
   */
  trim(): Promise<number>;

  /** Stores the agent and a null pointer under its id, atomically; false (nothing written) if the agent exists. */
  createAgent(record: AgentRecord): Promise<boolean>;
  getAgent(id: string): Promise<AgentRecord | undefined>;
  listAgents(): Promise<AgentRecord[]>;
  updateAgent(id: string, patch: AgentPatch): Promise<boolean>;
  /** Removes the agent and its pointer, atomically; false if there was no such agent. */
  deleteAgent(id: string): Promise<boolean>;
  /** Removes every agent and the pointers of those agents. */
  clearAgents(): Promise<void>;
  /** Idempotent; a store built on a caller's client leaves that client open. */
  close(): Promise<void>;
}
