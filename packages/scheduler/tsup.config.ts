import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', redis: 'src/redis.ts', cli: 'src/cli.ts', 'worker-entry': 'src/worker-entry.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', redis: 'src/redis.ts', cli: 'src/cli.ts' } },
  sourcemap: true,
  clean: true,
  shims: true,
  target: 'node20',
  platform: 'node',
});
