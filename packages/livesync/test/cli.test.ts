import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createFakeClock } from '@indico/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import { createMemoryTrackStore, SyncManager } from '../src/index.js';

describe('indico-livesync CLI', () => {
  let dir: string;
  let manager: SyncManager;
  let out: string[];
  let err: string[];
  const clock = createFakeClock(1297082086 * 1000);
  const cli = (...argv: string[]) =>
    runCli(argv, manager, { out: (l) => out.push(l), err: (l) => err.push(l), stdin: Readable.from([]) });

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'livesync-cli-'));
    manager = new SyncManager({ store: createMemoryTrackStore(), granularity: 100, clock });
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the track, the whole of it or the interval (from, to]', async () => {
    // seed §4.4.1: `list` and `list --from 12970816 --to 12970819`
    for (const b of [12970815, 12970819, 12970820]) {
      await manager.add(b * 100_000 + 5_000, {
        ref: { kind: 'contribution', id: `1.${b % 10}` },
        changes: 'data_changed',
      });
    }
    expect(await cli('list')).toBe(0);
    expect(out.map((l) => l.split(' ')[0])).toEqual(['12970815', '12970819', '12970820']);
    expect(out[0]).toContain('<contribution 1.5> [data_changed]');
    out = [];
    expect(await cli('list', '--from', '12970816', '--to', '12970819')).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^12970819 <contribution 1\.9> \[data_changed\]/);
  });

  it('walks an agent through add, preactivate, export, activate, simulate, run and remove', async () => {
    const file = path.join(dir, 'out.jsonl');
    const input = path.join(dir, 'objects.jsonl');
    writeFileSync(input, '{"kind":"event","id":"1"}\n{"kind":"event","id":"2"}\n');
    expect(await cli('agent', 'add', 'f', '--type', 'file', '--path', file, '--name', 'File')).toBe(0);
    expect(await cli('agent', 'preactivate', 'f')).toBe(0);
    expect(await cli('agent', 'export', 'f', '--input', input)).toBe(0);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(await cli('agent', 'activate', 'f')).toBe(0);
    clock.advance(100_000);
    await manager.add(clock.now(), { ref: { kind: 'event', id: '3' }, changes: 'created' });
    clock.advance(100_000);
    out = [];
    expect(await cli('agent', 'simulate', 'f')).toBe(0);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^event 3\s+event:3:created@\S+\s+CRT/);
    out = [];
    expect(await cli('agent', 'list')).toBe(0);
    expect(out[1]).toMatch(/^f\tfile\tFile\ttrue\ttrue\t\d+/);
    out = [];
    expect(await cli('agent', 'run')).toBe(0);
    expect(out[0]).toMatch(/^f\tacknowledged\ttill \d+$/);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(await cli('agent', 'remove', 'f')).toBe(0);
    expect((await manager.getAllAgents()).size).toBe(0);
  });

  it('refuses to destroy without --yes, destroys with it', async () => {
    await manager.add(clock.now(), { ref: { kind: 'event', id: '1' }, changes: 'created' });
    expect(await cli('destroy')).toBe(2);
    expect(await manager.getTrack().isEmpty()).toBe(false);
    expect(await cli('destroy', '--yes')).toBe(0);
    expect(await manager.getTrack().isEmpty()).toBe(true);
  });

  it('reports bad input with a code and a non-zero exit', async () => {
    expect(await cli('agent', 'add', 'h', '--type', 'http', '--url', 'http://127.0.0.1:9/')).toBe(0);
    expect(await cli('agent', 'add', 'h', '--type', 'http', '--url', 'http://127.0.0.1:9/')).toBe(1);
    expect(err.at(-1)).toMatch(/DUPLICATE_AGENT/);
    expect(await cli('agent', 'activate', 'ghost')).toBe(1);
    expect(err.at(-1)).toMatch(/AGENT_NOT_FOUND/);
    expect(await cli('agent', 'run', 'h')).toBe(2);
    expect(await cli('frobnicate')).toBe(2);
    expect(await cli('list', '--from', 'x')).toBe(2);
  });
});
