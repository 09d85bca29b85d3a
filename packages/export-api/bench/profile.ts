/**
 * In-process profile driver for the uncached categ request of the benchmark: same data as bench/server.ts, then
 * N handler calls (no HTTP). Run under `node --cpu-prof` to see where the uncached time goes:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx --conditions=@indico/source bench/profile.ts [N] [concurrency]
 * Prints the mean handler time per request.
 */
import { performance } from 'node:perf_hooks';
import { setupBench } from './setup.js';

async function main() {
  const n = Number(process.argv[2] ?? 500);
  const b = await setupBench();
  try {
    const req = { method: 'GET', path: b.path, query: `${b.query}&nocache=yes` };
    for (let i = 0; i < 50; i++) await b.handler(req);
    const concurrency = Number(process.argv[3] ?? 1);
    const t0 = performance.now();
    let left = n;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await b.handler(req);
      }),
    );
    const ms = (performance.now() - t0) / n;
    process.stdout.write(
      `${n} uncached requests, ${concurrency} at a time: ${ms.toFixed(3)} ms each (${b.count} events, ${b.bytes.length} bytes)\n`,
    );
  } finally {
    await b.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
