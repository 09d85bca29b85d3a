import { appendFile } from 'node:fs/promises';
import { type AgentRunContext, PushSyncAgent, type SyncAgentOptions } from '../agent.js';
import { LivesyncError } from '../errors.js';
import type { SyncRecord } from '../record.js';
import { RecordUploader } from '../record-uploader.js';
import type { AgentRecord } from '../store.js';

export interface FileAgentOptions extends SyncAgentOptions {
  /** JSON-lines file the records are appended to. */
  path: string;
  batchSize?: number;
}

/** One line of the file: a record plus the agent and window it was sent in. */
export interface FileAgentLine extends SyncRecord {
  agent: string;
  window: { from: number | null; till: number } | null;
}

/**
 * Appends every record as one JSON line (`FileAgentLine`) to a file, a batch per write. A re-sent
 * window appends the same records again (same `id`s): readers keep the last line per object.
 */
export class FileAgent extends PushSyncAgent {
  readonly type = 'file';
  readonly path: string;
  readonly batchSize: number;

  constructor(options: FileAgentOptions) {
    super(options);
    if (typeof options.path !== 'string' || options.path === '') {
      throw new LivesyncError('INVALID_ARGUMENT', 'FileAgent needs a path');
    }
    this.path = options.path;
    this.batchSize = options.batchSize ?? 1000;
  }

  override getOptions(): Record<string, unknown> {
    return { path: this.path, batchSize: this.batchSize };
  }

  async _run(records: AsyncIterable<SyncRecord>, ctx: AgentRunContext): Promise<unknown> {
    const uploader = new RecordUploader<SyncRecord>({
      batchSize: this.batchSize,
      retries: 0,
      logger: ctx.logger,
      onBatch: () => ctx.heartbeat?.(),
      upload: async (batch) => {
        const lines = batch.map((r) =>
          JSON.stringify({ ...r, agent: this.id, window: ctx.window } satisfies FileAgentLine),
        );
        await appendFile(this.path, `${lines.join('\n')}\n`);
      },
    });
    return uploader.iterateOver(records);
  }
}

export function createFileAgent(record: AgentRecord): FileAgent {
  return new FileAgent({ ...(record.options as Omit<FileAgentOptions, 'id'>), id: record.id, name: record.name });
}
