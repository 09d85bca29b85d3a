/**
 * The test categories. This list is the only place a category is declared: the root
 * vitest.config.ts turns each entry into a vitest project, `pnpm test --project <name>`
 * runs one alone, and the summary reporter counts by these names.
 *
 * A test file picks its category by its suffix: `x.test.ts` is unit, `x.redis.test.ts`
 * is redis, `x.e2e.test.ts` is e2e. To add a category, add an entry here (and, if it
 * needs a service, a global setup file next to this one).
 */
export interface Category {
  name: string;
  /** File suffix that puts a test file in this category. */
  suffix: string;
  /** Global setup module (relative to this folder) that provides the category's services. */
  globalSetup?: string;
  testTimeout?: number;
  hookTimeout?: number;
}

export const categories: Category[] = [
  { name: 'unit', suffix: '.test.ts' },
  { name: 'redis', suffix: '.redis.test.ts', globalSetup: './redis-setup.ts', testTimeout: 20_000 },
  { name: 'e2e', suffix: '.e2e.test.ts', globalSetup: './e2e-setup.ts', testTimeout: 60_000, hookTimeout: 60_000 },
];

/** Directories whose `test/` folders hold tests. */
export const testRoots = ['packages/*', 'apps/*', 'tooling/*'];
