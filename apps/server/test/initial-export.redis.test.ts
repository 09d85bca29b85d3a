import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileAgent, runActiveAgents } from '@indico/livesync';
import { createTestRedis, hasRedis, type TestRedis } from '@indico/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { objectRefs } from '../src/catalog-io.js';
import { loadDemoData } from '../src/demo-data.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { ensureAgents } from '../src/tasks.js';
import { silent, testConfig } from './helpers.js';

interface Line {
  kind: string;
  objectId: string;
  change: string;
  agent: string;
  window: unknown;
}

// Issue 9: a LIVESYNC_AGENTS agent without a pointer gets Indico's initial full export on its first run, once.
describe.skipIf(!hasRedis())('LIVESYNC_AGENTS initial export', () => {
  let r: TestRedis;
  let dir: string;
  let file: string;
  const runtimes: Runtime[] = [];
  beforeEach(() => {
    r = createTestRedis();
    dir = mkdtempSync(path.join(os.tmpdir(), 'initial-export-'));
    file = path.join(dir, 'agent.jsonl');
  });
  afterEach(async () => {
    for (const rt of runtimes.splice(0)) await rt.close();
    await r.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const runtime = (agentPath = file) => {
    const rt = createRuntime(
      testConfig({
        REDIS_PREFIX: r.prefix.replace(/:$/, ''),
        LIVESYNC_AGENTS: JSON.stringify([{ id: 'files', type: 'file', path: agentPath }]),
      }),
      { logger: silent, redis: r.client },
    );
    runtimes.push(rt);
    return rt;
  };
  const ensure = (rt: Runtime) =>
    ensureAgents(rt.livesync, rt.config.LIVESYNC_AGENTS, silent, { objects: () => objectRefs(rt.catalog) });
  const lines = (): Line[] =>
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);

  it('exports every event and contribution as created on the first run, then never again', async () => {
    const first = runtime();
    await loadDemoData(first.catalog, { generated: 3, now: Date.now() });
    const expected: string[] = [];
    for await (const ref of objectRefs(first.catalog)) expected.push(`${ref.kind}:${ref.id}`);
    expect(expected.length).toBeGreaterThan(5);

    // two processes start at once: one registers the agent and exports, the other leaves it alone
    await Promise.all([ensure(first), ensure(runtime())]);
    const exported = lines();
    expect(exported.map((l) => `${l.kind}:${l.objectId}`).sort()).toEqual([...expected].sort());
    expect(new Set(exported.map((l) => l.change))).toEqual(new Set(['created']));
    expect(exported.every((l) => l.agent === 'files' && l.window === null)).toBe(true);
    const agent = await first.livesync.getAgent('files');
    expect(agent.active).toBe(true);
    expect(await first.livesync.getTrack().getPointerTimestamp('files')).not.toBeNull();

    // a later start (the agent has a pointer): no second export
    await ensure(runtime());
    expect(lines()).toHaveLength(exported.length);

    // A change committed after the export, in the activation's own bucket (60 s granularity), still reaches
    // the agent on its next run: the export does not count as having delivered it.
    const event = (await first.catalog.getEvent('137346'))!;
    await first.writer.putEvent({ ...event, title: 'changed right after the export' });
    const results = await runActiveAgents(first.livesync, { now: Date.now() + 10 * 60_000 });
    expect(results.map((x) => x.status)).toEqual(['acknowledged']);
    const after = lines().slice(exported.length);
    expect(after).toContainEqual(expect.objectContaining({ kind: 'event', objectId: '137346', change: 'updated' }));
  });

  it('retries a failed initial export at the next start', async () => {
    const rt = runtime(path.join(dir, 'missing-dir', 'agent.jsonl'));
    await loadDemoData(rt.catalog, { generated: 0, now: Date.now() });
    // the file agent cannot write (its directory does not exist): the export fails, the agent is removed
    await ensure(rt);
    expect((await rt.livesync.getAllAgents()).has('files')).toBe(false);
    // the next start, with a writable path, exports in full
    writeFileSync(file, '');
    await ensure(runtime());
    expect(lines().some((l) => l.kind === 'event' && l.objectId === '137346' && l.change === 'created')).toBe(true);
    expect((await rt.livesync.getAgent('files')).active).toBe(true);
  });

  it('exports an agent that was added without a pointer (as `livesync agent add` leaves it)', async () => {
    const rt = runtime();
    await loadDemoData(rt.catalog, { generated: 0, now: Date.now() });
    await rt.livesync.registerNewAgent(new FileAgent({ id: 'files', path: file }));
    expect(await rt.livesync.getTrack().getPointerTimestamp('files')).toBeNull();
    await ensure(rt);
    expect(lines().some((l) => l.kind === 'event' && l.objectId === '137344' && l.change === 'created')).toBe(true);
    expect((await rt.livesync.getAgent('files')).active).toBe(true);
  });
});
