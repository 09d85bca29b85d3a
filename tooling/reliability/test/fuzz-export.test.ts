/**
 * Bad input, export API (issue 10): random paths and query strings against the framework-free handler over
 * the seed fixtures. Every answer must come within 2 s and be a valid envelope / document or a clean 4xx
 * (spec: export-api §2, §6). FUZZ_RUNS sets the count (the figure is 100 000; the default keeps CI
 * fast), FUZZ_SEED replays a run.
 */
import {
  createExportHandler,
  createMemoryCatalog,
  createMemoryResultCache,
  type ExportHandler,
} from '@indico/export-api';
import { loadSeedFixtures, loadSeedTimetableFixtures } from '@indico/export-api/fixtures';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkExportResponse } from '../src/check-response.js';
import { exportPath, fuzzRuns, fuzzSeed, method, queryString, within } from '../src/fuzz.js';

const RUNS = fuzzRuns(20_000);

describe('export handler under random paths and query strings', () => {
  let handler: ExportHandler;
  const unexpected: unknown[] = [];
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    const catalog = createMemoryCatalog();
    await loadSeedFixtures(catalog);
    await loadSeedTimetableFixtures(catalog);
    handler = createExportHandler({
      catalog,
      cache: createMemoryResultCache({ maxEntries: 2000 }),
      serverTimezone: 'Europe/Zurich',
      logger: { error: (obj) => unexpected.push(obj) },
    });
  });

  it(
    `answers ${RUNS} random requests with an envelope or a clean 4xx, never 5xx, never hanging`,
    async () => {
      const started = Date.now();
      await fc.assert(
        fc.asyncProperty(method, exportPath, queryString, async (m, path, query) => {
          const what = `${m} ${path}?${query}`;
          const res = await within(
            handler({ method: m, path, query, body: m === 'POST' ? query : undefined }),
            2000,
            what,
          );
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const problem = checkExportResponse(res, m);
          if (problem) throw new Error(`${problem}\n  request: ${JSON.stringify(what)}`);
        }),
        { numRuns: RUNS, seed: fuzzSeed(), endOnFailure: true },
      );
      const ms = Date.now() - started;
      console.info(
        `fuzz export: ${RUNS} requests in ${ms} ms; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
      );
      // A 200 on a real resource proves the generator reaches past the router, not just the 404 branch.
      expect(statuses.get(200) ?? 0).toBeGreaterThan(RUNS / 10);
      expect(statuses.get(400) ?? 0).toBeGreaterThan(RUNS / 50);
      expect(unexpected).toEqual([]);
    },
    Math.max(120_000, RUNS * 5),
  );
});
