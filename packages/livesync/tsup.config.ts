import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      redis: 'src/redis.ts',
      express: 'src/express.ts',
      scheduler: 'src/scheduler.ts',
      cli: 'src/cli.ts',
    },
    format: ['esm', 'cjs'],
    // one copy of each class across entries, in CJS too (instanceof across subpaths)
    splitting: true,
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
  },
  {
    // the bin: a thin file over the `./cli` entry's `main`
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
