import { type Codec, jsonCodec } from './changes.js';
import { LivesyncError } from './errors.js';
import type { ContainerMode, TrackStore } from './store.js';

export interface TrackOptions<T> {
  store: TrackStore;
  codec?: Codec<T>;
  /** Buckets fetched per round trip while iterating (default 256). */
  bucketPageSize?: number;
  /** Elements fetched per round trip while reading a bucket (default 1000). */
  elementPageSize?: number;
}

function assertBucket(value: unknown, what = 'bucket'): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new LivesyncError('INVALID_ARGUMENT', `${what} must be an integer, got ${String(value)}`);
  }
}

function assertPid(pid: unknown): asserts pid is string {
  if (typeof pid !== 'string' || pid === '') {
    throw new LivesyncError('INVALID_ARGUMENT', `Pointer id must be a non-empty string, got ${String(pid)}`);
  }
}

/**
 * A track of numbered buckets, each holding a container of elements, with named pointers (one
 * per consumer) marking the last bucket each consumer has processed (seed §4.1).
 *
 * Delivery order (all iteration methods): buckets **oldest first** (ascending bucket number);
 * inside a bucket, container order (see the subclasses). Indico 1.2 iterated newest first; the
 * change is safe because record compaction does not depend on order (spec §2.2).
 *
 * `MultiPointerTrack` itself keeps every element in insertion order, duplicates included (the
 * seed's `ListMultiPointerTrack`).
 */
export class MultiPointerTrack<T = unknown> {
  readonly store: TrackStore;
  readonly codec: Codec<T>;
  protected readonly mode: ContainerMode = 'list';
  private readonly bucketPage: number;
  private readonly elementPage: number;

  constructor(options: TrackOptions<T>) {
    this.store = options.store;
    this.codec = options.codec ?? (jsonCodec as Codec<T>);
    this.bucketPage = options.bucketPageSize ?? 256;
    this.elementPage = options.elementPageSize ?? 1000;
  }

  /** Container semantics of this track. */
  get containerMode(): ContainerMode {
    return this.mode;
  }

  /** Adds a value to the container of bucket `intTS`, creating the bucket if needed. */
  async add(intTS: number, value: T): Promise<void> {
    assertBucket(intTS);
    await this.store.addEntries([{ bucket: intTS, member: this.codec.encode(value) }], this.mode);
  }

  /** Adds many values in one write (all or nothing). */
  async addMany(items: ReadonlyArray<readonly [number, T]>): Promise<void> {
    const encoded = items.map(([bucket, value]) => {
      assertBucket(bucket);
      return { bucket, member: this.codec.encode(value) };
    });
    if (encoded.length > 0) await this.store.addEntries(encoded, this.mode);
  }

  /**
   * Registers a pointer at `startPos`, or at "before everything" (null) when omitted. Re-adding an
   * existing pointer resets it. Unlike Indico 1.2, `startPos = 0` is a real position.
   */
  async addPointer(pid: string, startPos: number | null = null): Promise<void> {
    assertPid(pid);
    if (startPos !== null) assertBucket(startPos, 'startPos');
    await this.store.putPointer(pid, startPos);
  }

  async removePointer(pid: string): Promise<void> {
    assertPid(pid);
    if (!(await this.store.removePointer(pid))) throw pointerNotFound(pid);
  }

  /**
   * Moves a pointer to any bucket number (it need not exist; it may move backwards). Unlike
   * Indico 1.2, this also works on an empty track.
   */
  async movePointer(pid: string, pos: number): Promise<void> {
    assertPid(pid);
    assertBucket(pos, 'pos');
    if (!(await this.store.movePointer(pid, pos))) throw pointerNotFound(pid);
  }

  /** The pointer's bucket, or null for "before everything". */
  async getPointerTimestamp(pid: string): Promise<number | null> {
    assertPid(pid);
    const pos = await this.store.getPointer(pid);
    if (pos === undefined) throw pointerNotFound(pid);
    return pos;
  }

  /** All pointers and their positions. */
  async pointers(): Promise<Map<string, number | null>> {
    return this.store.getPointers();
  }

  /** The container at the pointer's bucket. */
  async getCurrentPosition(pid: string): Promise<T[]> {
    const pos = await this.getPointerTimestamp(pid);
    if (pos === null) throw new LivesyncError('BUCKET_NOT_FOUND', `Pointer '${pid}' is before the first bucket`);
    return this.get(pos);
  }

  /** Creates an empty container at bucket `ts`, replacing an existing one. */
  async prepareEntry(ts: number): Promise<void> {
    assertBucket(ts);
    await this.store.prepareEntry(ts);
  }

  /** The container at bucket `ts` (the seed's `mpt[ts]`). */
  async get(ts: number): Promise<T[]> {
    assertBucket(ts);
    if (!(await this.store.hasBucket(ts))) throw new LivesyncError('BUCKET_NOT_FOUND', `No bucket ${ts} in the track`);
    const out: T[] = [];
    for await (const v of this.readContainer(ts)) out.push(v);
    return out;
  }

  /** Containers of the buckets from `a` to `b`, both inclusive, oldest first (the seed's `mpt[a:b]`). */
  async slice(a: number, b: number): Promise<Array<[number, T[]]>> {
    assertBucket(a);
    assertBucket(b);
    const [lo, hi] = a <= b ? [a, b] : [b, a];
    const out: Array<[number, T[]]> = [];
    for await (const bucket of this.bucketsIn(lo - 1, hi)) out.push([bucket, await this.get(bucket)]);
    return out;
  }

  /** Containers, oldest first; optionally only buckets within [min, max]. */
  async *values(min: number | null = null, max: number | null = null): AsyncGenerator<T[]> {
    for await (const bucket of this.bucketsIn(min === null ? null : min - 1, max)) {
      const container: T[] = [];
      for await (const v of this.readContainer(bucket)) container.push(v);
      yield container;
    }
  }

  /**
   * Every element with fromPos < bucket <= till, as `func([bucket, element])` (default: the pair).
   * `fromPos = null` starts at the oldest bucket, `till = null` ends at the newest. Streams: only
   * one page of elements is held at a time.
   */
  iterate(fromPos?: number | null, till?: number | null): AsyncGenerator<[number, T]>;
  iterate<R>(
    fromPos: number | null | undefined,
    till: number | null | undefined,
    func: (item: [number, T]) => R,
  ): AsyncGenerator<R>;
  async *iterate<R>(
    fromPos: number | null = null,
    till: number | null = null,
    func?: (item: [number, T]) => R,
  ): AsyncGenerator<R | [number, T]> {
    if (fromPos !== null) assertBucket(fromPos, 'fromPos');
    if (till !== null) assertBucket(till, 'till');
    for await (const bucket of this.bucketsIn(fromPos, till)) {
      for await (const v of this.readContainer(bucket)) {
        const item: [number, T] = [bucket, v];
        yield func ? func(item) : item;
      }
    }
  }

  /** `[bucket, element]` pairs after the pointer, up to `till` inclusive. */
  async *pointerIterItems(pid: string, till: number | null = null): AsyncGenerator<[number, T]> {
    const pos = await this.getPointerTimestamp(pid);
    yield* this.iterate(pos, till);
  }

  /** Elements after the pointer, up to `till` inclusive. */
  async *pointerIterValues(pid: string, till: number | null = null): AsyncGenerator<T> {
    for await (const [, v] of this.pointerIterItems(pid, till)) yield v;
  }

  /** The newest bucket number, clamped to `maximum` when that is older. */
  async mostRecentTS(maximum: number | null = null): Promise<number> {
    const range = await this.store.bucketRange();
    if (!range) throw new LivesyncError('EMPTY_TRACK', 'The track is empty');
    return maximum !== null && maximum < range.newest ? maximum : range.newest;
  }

  /** The oldest bucket number. */
  async oldestTS(): Promise<number> {
    const range = await this.store.bucketRange();
    if (!range) throw new LivesyncError('EMPTY_TRACK', 'The track is empty');
    return range.oldest;
  }

  async isEmpty(): Promise<boolean> {
    return (await this.store.bucketCount()) === 0;
  }

  /** Number of buckets. */
  async size(): Promise<number> {
    return this.store.bucketCount();
  }

  async has(ts: number): Promise<boolean> {
    assertBucket(ts);
    return this.store.hasBucket(ts);
  }

  /** Drops one bucket (the seed's `del mpt[ts]`). */
  async deleteBucket(ts: number): Promise<void> {
    assertBucket(ts);
    if (!(await this.store.deleteBucket(ts)))
      throw new LivesyncError('BUCKET_NOT_FOUND', `No bucket ${ts} in the track`);
  }

  /**
   * Removes every bucket at or before the oldest non-null pointer: no pointer can read them again.
   * A null pointer ("before everything") blocks nothing; with no non-null pointer nothing is removed.
   */
  async trim(): Promise<number> {
    return this.store.trim();
  }

  [Symbol.asyncIterator](): AsyncGenerator<[number, T]> {
    return this.iterate();
  }

  private async *bucketsIn(after: number | null, until: number | null): AsyncGenerator<number> {
    let cursor = after;
    for (;;) {
      const page = await this.store.listBuckets(cursor, until, this.bucketPage);
      for (const b of page) yield b;
      if (page.length < this.bucketPage) return;
      cursor = page[page.length - 1]!;
    }
  }

  private async *readContainer(bucket: number): AsyncGenerator<T> {
    let offset = 0;
    for (;;) {
      const page = await this.store.readBucket(bucket, this.mode, offset, this.elementPage);
      for (const raw of page) yield this.codec.decode(raw);
      if (page.length < this.elementPage) return;
      offset += page.length;
    }
  }
}

/**
 * A MultiPointerTrack whose buckets are ordered sets: an element equal (by its encoded form) to one
 * already in the bucket is stored once, and a bucket yields its elements sorted by encoded form.
 */
export class SetMultiPointerTrack<T = unknown> extends MultiPointerTrack<T> {
  protected override readonly mode: ContainerMode = 'set';
}

function pointerNotFound(pid: string): LivesyncError {
  return new LivesyncError('POINTER_NOT_FOUND', `Pointer '${pid}' doesn't exist`);
}
