import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { main: 'src/main.ts', 'scheduler-module': 'src/scheduler-module.ts' },
  format: ['esm'],
  dts: false,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  banner: { js: '#!/usr/bin/env node' },
});
