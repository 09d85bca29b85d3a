import {
  type AgentRunContext,
  type ContentResolver,
  type Logger,
  PushSyncAgent,
  RecordUploader,
  type Ref,
  type SyncAgentOptions,
  type SyncRecord,
} from '../src/index.js';

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

/** A remote service applying records as upserts keyed by object: its final state is what consumers see. */
export class Sink {
  readonly received: SyncRecord[][] = [];
  readonly state = new Map<string, 'present'>();
  /** Throw on these (0-based) batch numbers of the next upload calls, counted across runs. */
  failBatches = new Set<number>();
  calls = 0;

  receive(batch: SyncRecord[]): void {
    const n = this.calls++;
    if (this.failBatches.has(n)) throw new Error(`sink down on call ${n}`);
    this.received.push(batch);
    for (const r of batch) {
      const key = `${r.kind}:${r.objectId}`;
      if (r.change === 'deleted') this.state.delete(key);
      else this.state.set(key, 'present');
    }
  }

  all(): SyncRecord[] {
    return this.received.flat();
  }
}

export interface CollectingAgentOptions extends SyncAgentOptions {
  sink?: Sink;
  batchSize?: number;
  /** Make _run itself throw. */
  explode?: boolean;
  /** Make _run resolve to undefined (no result). */
  noResult?: boolean;
}

/** Test agent: uploads through RecordUploader into an in-memory Sink. */
export class CollectingAgent extends PushSyncAgent {
  readonly type = 'collect';
  sink: Sink;
  batchSize: number;
  explode: boolean;
  noResult: boolean;
  heartbeats = 0;

  constructor(options: CollectingAgentOptions) {
    super(options);
    this.sink = options.sink ?? new Sink();
    this.batchSize = options.batchSize ?? 1000;
    this.explode = options.explode ?? false;
    this.noResult = options.noResult ?? false;
  }

  async _run(records: AsyncIterable<SyncRecord>, ctx: AgentRunContext): Promise<unknown> {
    if (this.explode) throw new Error('transport exploded');
    const uploader = new RecordUploader<SyncRecord>({
      batchSize: this.batchSize,
      retries: 0,
      onBatch: async () => {
        this.heartbeats++;
        await ctx.heartbeat?.();
      },
      upload: async (batch) => this.sink.receive(batch),
    });
    const summary = await uploader.iterateOver(records);
    return this.noResult ? undefined : summary;
  }
}

export function recordingLogger(): Logger & { lines: Array<{ level: string; obj: object; msg?: string }> } {
  const lines: Array<{ level: string; obj: object; msg?: string }> = [];
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * A small catalogue for cascades: category 1 > category 2; event 10 in category 1 (own protection),
 * event 20 in category 2 (inherits); event 10 has contributions 10.0 (with subcontribution 10.0.0)
 * and 10.1 (soft-deleted), an attachment 10.0a1 and a note 10n1; event 20 has contribution 20.0.
 */
export function catalogResolver(deletedNow: string[] = []): ContentResolver {
  const deleted = new Set(['contribution:10.1', ...deletedNow]);
  const contents: Record<string, Ref[]> = {
    'event:10': [
      { kind: 'contribution', id: '10.0' },
      { kind: 'subcontribution', id: '10.0.0' },
      { kind: 'contribution', id: '10.1' },
      { kind: 'attachment', id: '10.0a1' },
      { kind: 'note', id: '10n1' },
    ],
    'event:20': [{ kind: 'contribution', id: '20.0' }],
    'contribution:10.0': [
      { kind: 'subcontribution', id: '10.0.0' },
      { kind: 'attachment', id: '10.0a1' },
    ],
    'session:10.s1': [{ kind: 'contribution', id: '10.0' }],
  };
  const subtree: Record<string, { id: string; inherits: boolean }[]> = {
    '1': [
      { id: '10', inherits: false },
      { id: '20', inherits: true },
    ],
    '2': [{ id: '20', inherits: true }],
  };
  return {
    exists: (ref) => !deleted.has(`${ref.kind}:${ref.id}`),
    contents: (ref, { includeDeleted }) =>
      (contents[`${ref.kind}:${ref.id}`] ?? []).filter((c) => includeDeleted || !deleted.has(`${c.kind}:${c.id}`)),
    eventsInCategory: (id, { inheritingOnly }) =>
      (subtree[id] ?? []).filter((e) => !inheritingOnly || e.inherits).map((e) => e.id),
  };
}
