import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultServerConditions } from 'vite';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { categories, testRoots } from './categories.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Resolve workspace packages from their TypeScript sources (the `@indico/source` export condition). */
export const sourceConditions = ['@indico/source', ...defaultServerConditions];

/** One vitest project per category, each matching its file suffix under every test root. */
export function categoryProjects(): TestProjectInlineConfiguration[] {
  const others = categories.map((c) => c.suffix).filter((s) => s !== '.test.ts');
  return categories.map((c) => ({
    extends: true,
    test: {
      name: c.name,
      include: testRoots.map((root) => `${root}/test/**/*${c.suffix}`),
      exclude:
        c.suffix === '.test.ts' ? others.map((s) => `**/*${s}`).concat('**/node_modules/**') : ['**/node_modules/**'],
      globalSetup: c.globalSetup ? [path.join(here, c.globalSetup)] : [],
      testTimeout: c.testTimeout ?? 10_000,
      hookTimeout: c.hookTimeout ?? 10_000,
    },
  }));
}

export const summaryReporter = path.join(here, 'summary-reporter.ts');
export { categories } from './categories.js';
