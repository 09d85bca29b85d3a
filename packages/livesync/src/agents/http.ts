import { type AgentRunContext, PushSyncAgent, type SyncAgentOptions } from '../agent.js';
import { LivesyncError } from '../errors.js';
import type { SyncRecord } from '../record.js';
import { RecordUploader, type UploadBatchInfo } from '../record-uploader.js';
import type { AgentRecord } from '../store.js';

export interface HttpPushAgentOptions extends SyncAgentOptions {
  /** Endpoint that receives `POST` JSON batches. */
  url: string;
  /** Extra request headers (e.g. authorization). */
  headers?: Record<string, string>;
  batchSize?: number;
  /** Per-request timeout (default 10 s); a timeout is retried. */
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Injectable for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** Body of every POST. `records[].id` is stable across re-sends of the same window. */
export interface HttpBatchBody {
  agent: string;
  window: { from: number | null; till: number } | null;
  batch: number;
  records: SyncRecord[];
}

/**
 * Pushes records as JSON batches (`HttpBatchBody`) to a URL. 2xx = accepted; 5xx, 408, 429, network
 * errors and timeouts are retried with backoff; any other 4xx stops the run at once (SINK_REJECTED).
 */
export class HttpPushAgent extends PushSyncAgent {
  readonly type = 'http';
  readonly options: HttpPushAgentOptions;

  constructor(options: HttpPushAgentOptions) {
    super(options);
    try {
      new URL(options.url);
    } catch {
      throw new LivesyncError(
        'INVALID_ARGUMENT',
        `HttpPushAgent needs an absolute url, got ${JSON.stringify(options.url)}`,
      );
    }
    this.options = options;
  }

  override getOptions(): Record<string, unknown> {
    const { url, headers, batchSize, timeoutMs, retries, backoffMs, maxBackoffMs } = this.options;
    return Object.fromEntries(
      Object.entries({ url, headers, batchSize, timeoutMs, retries, backoffMs, maxBackoffMs }).filter(
        ([, v]) => v !== undefined,
      ),
    );
  }

  async _run(records: AsyncIterable<SyncRecord>, ctx: AgentRunContext): Promise<unknown> {
    const { window } = ctx;
    const uploader = new RecordUploader<SyncRecord>({
      batchSize: this.options.batchSize ?? 1000,
      retries: this.options.retries ?? 3,
      backoffMs: this.options.backoffMs ?? 100,
      maxBackoffMs: this.options.maxBackoffMs ?? 10_000,
      sleep: this.options.sleep,
      logger: ctx.logger,
      onBatch: () => ctx.heartbeat?.(),
      upload: (batch, info) => this.post({ agent: this.id, window, batch: info.index, records: batch }, info),
    });
    return uploader.iterateOver(records);
  }

  private async post(body: HttpBatchBody, info: UploadBatchInfo): Promise<void> {
    const doFetch = this.options.fetch ?? fetch;
    let res: Response;
    try {
      res = await doFetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.options.headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new LivesyncError('UPLOAD_FAILED', `POST ${this.options.url} batch ${info.index} failed: ${String(err)}`, {
        cause: err,
      });
    }
    // Drain the body so the connection can be reused.
    const text = await res.text().catch(() => '');
    if (res.ok) return;
    // 408 (timeout) and 429 (slow down) are transient; every other 4xx means the sink refuses the batch.
    if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
      throw new LivesyncError(
        'SINK_REJECTED',
        `POST ${this.options.url} batch ${info.index}: ${res.status} ${text.slice(0, 200)}`,
      );
    }
    throw new LivesyncError('UPLOAD_FAILED', `POST ${this.options.url} batch ${info.index}: ${res.status}`);
  }
}

export function createHttpPushAgent(record: AgentRecord): HttpPushAgent {
  return new HttpPushAgent({
    ...(record.options as Omit<HttpPushAgentOptions, 'id'>),
    id: record.id,
    name: record.name,
  });
}
