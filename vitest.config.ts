import { defineConfig } from 'vitest/config';
import { categoryProjects, sourceConditions, summaryReporter } from './tooling/vitest-preset/src/index.ts';

export default defineConfig({
  ssr: { resolve: { conditions: sourceConditions } },
  test: {
    environment: 'node',
    projects: categoryProjects(),
    reporters: ['default', summaryReporter],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**', 'apps/*/src/**'],
      reporter: ['text-summary', 'json-summary'],
    },
  },
});
