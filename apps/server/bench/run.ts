/**
 * Throughput of the composed server (embedded stores, demo data) next to a bare express app serving the
 * same bytes, measured with autocannon in one run. Writes bench/RESULTS.md.
 *
 *   pnpm --filter @indico/server bench      (BENCH_SECONDS, default 5 per case)
 */
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIndicoRequest } from '@indico/http-signing';
import autocannon from 'autocannon';
import express from 'express';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { DEMO_ADMIN_ID } from '../src/demo-data.js';
import { startServer } from '../src/server.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = 10;

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
}

async function measure(name: string, url: string): Promise<Row> {
  const r = await autocannon({ url, connections, duration: seconds });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

async function main() {
  const config = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', DEMO_EVENTS: '200' });
  const running = await startServer(config, { logger: pino({ level: 'silent' }) });
  // embedded start already created the demo admin's key
  const key = (await running.runtime.keyStore.getByUser(DEMO_ADMIN_ID))!;
  const publicPath = '/export/categ/2.json?limit=10';
  const signedPath = buildIndicoRequest(
    '/export/categ/2.json',
    { limit: '10' },
    { apiKey: key.key, secretKey: key.secret },
  );
  const body = await (await fetch(`${running.url}${publicPath}`)).text();

  // The peer: express alone, answering the same bytes with no work behind them.
  const bare = express();
  bare.get('/export/categ/2.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  const peer = await new Promise<Server>((resolve) => {
    const s = bare.listen(0, '127.0.0.1', () => resolve(s));
  });
  const peerUrl = `http://127.0.0.1:${(peer.address() as AddressInfo).port}`;

  const cases: Array<[string, string]> = [
    ['bare express, same response bytes (peer)', `${peerUrl}${publicPath}`],
    ['server: /healthz', `${running.url}/healthz`],
    ['server: public export, cached result', `${running.url}${publicPath}`],
    ['server: signed export (HMAC verified), cached', `${running.url}${signedPath}`],
    ['server: public export, nocache=yes', `${running.url}${publicPath}&nocache=yes`],
  ];
  // Warm every case up, then two interleaved rounds; each case keeps its better round (the load generator
  // shares the machine with the servers, so single runs are noisy).
  for (const [, url] of cases) await autocannon({ url, connections, duration: 1 });
  const best = new Map<string, Row>();
  for (let round = 0; round < 2; round++) {
    for (const [name, url] of cases) {
      const r = await measure(name, url);
      if (!best.has(name) || best.get(name)!.rps < r.rps) best.set(name, r);
    }
  }
  const rows = cases.map(([name]) => best.get(name)!);

  peer.close();
  await running.close();

  const base = rows[0]!.rps;
  const table = [
    `| case (${connections} connections, best of 2 × ${seconds} s) | req/s | p50 ms | p99 ms | vs peer |`,
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) => `| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${(r.rps / base).toFixed(2)}x |`),
  ].join('\n');
  const out = `# apps/server benchmark\n\nEmbedded stores, demo data (seed examples + 200 generated events), full middleware stack\n(security headers, pino-http access log to a silent logger, rate limiter). Machine: shared 2-core VM,\n${new Date().toISOString().slice(0, 10)}; other jobs were running, so compare the ratios, not the absolute numbers.\n\n${table}\n`;
  writeFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'RESULTS.md'), out);
  console.log(table);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
