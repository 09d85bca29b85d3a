/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { legacyUrls, loadSeedFixtures, loadSeedTimetableFixtures } from '../src/fixtures/seed.js';
import {
  type Catalog,
  createExportHandler,
  createMemoryCatalog,
  type ExportHandler,
  type ExportHandlerOptions,
} from '../src/index.js';

/** A seed example response, transcribed from seed chapter 5 into test/seed-examples/. */
export function seedExample(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`./seed-examples/${name}.json`, import.meta.url), 'utf8'));
}

export async function seedCatalog(variant: '2011' | '2013' = '2011'): Promise<Catalog> {
  const catalog = createMemoryCatalog();
  if (variant === '2011') await loadSeedFixtures(catalog);
  else await loadSeedTimetableFixtures(catalog);
  return catalog;
}

/** The seed examples were produced by a server in Europe/Zurich. */
export function seedHandler(
  catalog: Catalog,
  opts: Partial<ExportHandlerOptions> & { nowSec?: number; host?: string } = {},
): ExportHandler {
  const { nowSec = 1308899256, host = 'http://indico.server/', ...rest } = opts;
  return createExportHandler({
    catalog,
    baseUrl: 'https://indico.server',
    urls: legacyUrls(host),
    serverTimezone: 'Europe/Zurich',
    clock: { now: () => nowSec * 1000 },
    ...rest,
  });
}

export async function get(
  h: ExportHandler,
  path: string,
  query = '',
  extra: { headers?: Record<string, string> } = {},
) {
  const res = await h({ method: 'GET', path, query, headers: extra.headers });
  let json: any;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { ...res, json };
}

/**
 * Asserts that every key of `expected` is in `actual` with the same type and value (recursively); `actual`
 * may carry more keys (Indico 1.2 emits more fields than the older doc examples, spec §10).
 */
export function expectSeedSubset(actual: unknown, expected: unknown, path = '$'): void {
  if (expected === null || typeof expected !== 'object') {
    expect(actual, path).toStrictEqual(expected);
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is a list`).toBe(true);
    expect((actual as unknown[]).length, `${path}.length`).toBe(expected.length);
    for (const [i, e] of expected.entries()) expectSeedSubset((actual as unknown[])[i], e, `${path}[${i}]`);
    return;
  }
  expect(actual !== null && typeof actual === 'object' && !Array.isArray(actual), `${path} is an object`).toBe(true);
  for (const [k, v] of Object.entries(expected)) {
    expect(Object.hasOwn(actual as object, k), `${path}.${k} present`).toBe(true);
    expectSeedSubset((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  }
}
