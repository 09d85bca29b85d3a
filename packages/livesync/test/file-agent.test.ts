import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFakeClock } from '@indico/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryTrackStore, FileAgent, type FileAgentLine, runActiveAgents, SyncManager } from '../src/index.js';

describe('FileAgent', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'livesync-file-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one JSON line per compacted record and acknowledges', async () => {
    const clock = createFakeClock(Date.UTC(2026, 0, 1, 12, 0, 50));
    const manager = new SyncManager({ store: createMemoryTrackStore(), granularity: 100, clock });
    const file = path.join(dir, 'out.jsonl');
    await manager.registerNewAgent(new FileAgent({ id: 'f', path: file, batchSize: 2 }));
    await manager.activateAgent('f');
    const t = clock.now() - 100_000;
    await manager.record(
      [
        { ref: { kind: 'event', id: '1' }, changes: ['created'] },
        { ref: { kind: 'event', id: '2' }, changes: ['data_changed'] },
        { ref: { kind: 'contribution', id: '1.0' }, changes: ['deleted'] },
      ],
      { timestamp: t },
    );
    const [res] = await runActiveAgents(manager);
    expect(res?.status).toBe('acknowledged');
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FileAgentLine);
    expect(lines.map((l) => `${l.kind}:${l.objectId}:${l.change}`)).toEqual([
      'contribution:1.0:deleted',
      'event:1:created',
      'event:2:updated',
    ]);
    expect(lines.every((l) => l.agent === 'f' && l.window?.till === manager.bucketOf(clock.now()) - 1)).toBe(true);
  });
});
