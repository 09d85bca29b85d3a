/**
 * In-process profile driver for the uncached categ request of the benchmark: same data as bench/server.ts
 * (bench/setup.ts), then N handler calls (no HTTP), C at a time. Prints wall and CPU ms per request; with
 * PROFILE_OUT=file.cpuprofile also writes a CPU profile of the timed loop only (open it in Chrome DevTools):
 *   PROFILE_OUT=/tmp/uncached.cpuprofile tsx --conditions=@indico/source bench/profile.ts [N] [C]
 * UNTRACKED=1 profiles the catalog without trackListings.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { setupBench } from './setup.js';

async function main() {
  const n = Number(process.argv[2] ?? 2000);
  const concurrency = Number(process.argv[3] ?? 10);
  const b = await setupBench();
  const session = process.env.PROFILE_OUT ? new Session() : null;
  try {
    const req = { method: 'GET', path: b.path, query: `${b.query}&nocache=yes` };
    const handler = process.env.UNTRACKED ? b.handlerUntracked : b.handler;
    for (let i = 0; i < 200; i++) await handler(req);
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let left = n;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) await handler(req);
      }),
    );
    const ms = (performance.now() - t0) / n;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / n;
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(process.env.PROFILE_OUT!, JSON.stringify(profile));
      session.disconnect();
    }
    const stats = await b.redisUsecPerCall();
    process.stdout.write(
      `redis usec per call: ${Object.entries(stats)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}\n`,
    );
    process.stdout.write(
      `${n} uncached requests, ${concurrency} at a time: ${ms.toFixed(3)} ms wall, ${cpuMs.toFixed(3)} ms CPU each (${b.count} events, ${b.bytes.length} bytes)\n`,
    );
  } finally {
    await b.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
