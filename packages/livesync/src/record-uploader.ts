import { isLivesyncError, LivesyncError } from './errors.js';
import { type Logger, silentLogger } from './logger.js';

export interface UploadBatchInfo {
  /** 0-based batch number within this upload. */
  index: number;
  size: number;
  /** 1-based attempt number. */
  attempt: number;
}

export interface RecordUploaderOptions<R> {
  /** Records per batch (default 1000, as in Indico 1.2). */
  batchSize?: number;
  /** Extra attempts per batch after a retryable failure (default 3). */
  retries?: number;
  /** First backoff delay; doubles per attempt (default 100 ms). */
  backoffMs?: number;
  /** Cap of the backoff delay (default 10 s). */
  maxBackoffMs?: number;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  /** The transport, unless a subclass overrides `_uploadBatch`. */
  upload?: (batch: R[], info: UploadBatchInfo) => Promise<void>;
  /** Called after every successful batch (a scheduler heartbeat, progress). */
  onBatch?: (info: UploadBatchInfo) => void | Promise<void>;
  /** Whether a failure may be retried; default: everything but a SINK_REJECTED LivesyncError. */
  isRetryable?: (err: unknown) => boolean;
  logger?: Logger;
}

export interface UploadSummary {
  batches: number;
  records: number;
}

const defaultRetryable = (err: unknown) => !(isLivesyncError(err) && err.code === 'SINK_REJECTED');

/**
 * Consumes records as a stream and uploads them in batches of `batchSize`, in order, one batch at a
 * time, retrying a failing batch with exponential backoff. The first batch that still fails aborts
 * the upload with UPLOAD_FAILED (or the sink's SINK_REJECTED), so the caller does not acknowledge.
 */
export class RecordUploader<R = unknown> {
  readonly batchSize: number;
  private readonly options: RecordUploaderOptions<R>;

  constructor(options: number | RecordUploaderOptions<R> = {}) {
    this.options = typeof options === 'number' ? { batchSize: options } : options;
    this.batchSize = this.options.batchSize ?? 1000;
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0)) {
      throw new TypeError(`batchSize must be a positive integer, got ${this.batchSize}`);
    }
  }

  /** Sends one batch; override it, or pass `upload` in the options. */
  protected async _uploadBatch(batch: R[], info: UploadBatchInfo): Promise<void> {
    if (!this.options.upload)
      throw new TypeError('RecordUploader needs an `upload` option or an _uploadBatch override');
    await this.options.upload(batch, info);
  }

  async iterateOver(records: AsyncIterable<R> | Iterable<R>): Promise<UploadSummary> {
    let batch: R[] = [];
    let index = 0;
    let total = 0;
    for await (const record of records) {
      batch.push(record);
      if (batch.length >= this.batchSize) {
        await this.send(batch, index++);
        total += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      await this.send(batch, index++);
      total += batch.length;
    }
    return { batches: index, records: total };
  }

  private async send(batch: R[], index: number): Promise<void> {
    const retries = this.options.retries ?? 3;
    const base = this.options.backoffMs ?? 100;
    const cap = this.options.maxBackoffMs ?? 10_000;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const retryable = this.options.isRetryable ?? defaultRetryable;
    const logger = this.options.logger ?? silentLogger;
    for (let attempt = 1; ; attempt++) {
      const info = { index, size: batch.length, attempt };
      try {
        await this._uploadBatch(batch, info);
        await this.options.onBatch?.(info);
        return;
      } catch (err) {
        if (!retryable(err)) throw err;
        if (attempt > retries) {
          throw new LivesyncError('UPLOAD_FAILED', `Batch ${index} failed after ${attempt} attempts`, { cause: err });
        }
        const delay = Math.min(cap, base * 2 ** (attempt - 1));
        logger.warn({ batch: index, attempt, delay, err }, 'livesync: batch upload failed, retrying');
        await sleep(delay);
      }
    }
  }
}
