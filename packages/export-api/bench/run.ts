/**
 * Export API benchmark (issue "Speed"): requests/s and p99 of `/export/categ/ID.json?from&to` returning 100
 * events from a 10,000-event Redis catalog, uncached and cached, through express and node:http, next to an
 * express route and a bare node:http handler returning the same bytes from memory. Servers run in a child
 * process; autocannon runs here over loopback. Writes bench/RESULTS.md.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

interface Ready {
  expressPort: number;
  nodePort: number;
  expressBase: number;
  nodeBase: number;
  untrackedPort: number;
  path: string;
  query: string;
  count: number;
  bytes: number;
}

async function run(url: string, duration: number) {
  const r = await autocannon({ url, connections: CONNECTIONS, duration });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const child = fork(fileURLToPath(new URL('./server.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', '--conditions=@indico/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Ready));
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  try {
    const q = ready.query;
    const at = (port: number, extra = '') => `http://127.0.0.1:${port}${ready.path}?${q}${extra}`;
    // The machine is shared: rows are measured in interleaved rounds and each reports its median, so a load
    // spike hits every row instead of one.
    const scenarios: Array<{ name: string; url: string; base?: number; target?: number }> = [
      { name: 'baseline: bare node:http, fixed bytes', url: at(ready.nodeBase) },
      { name: 'baseline: express route, fixed bytes', url: at(ready.expressBase) },
      { name: 'node:http adapter, cached', url: at(ready.nodePort), base: 0, target: 0.6 },
      { name: 'express adapter, cached', url: at(ready.expressPort), base: 1, target: 0.8 },
      {
        name: 'node:http adapter, uncached (nocache=yes)',
        url: at(ready.nodePort, '&nocache=yes'),
        base: 0,
        target: 0.25,
      },
      {
        name: 'express adapter, uncached (nocache=yes)',
        url: at(ready.expressPort, '&nocache=yes'),
        base: 1,
        target: 0.25,
      },
      {
        name: 'node:http adapter, uncached, catalog without trackListings',
        url: at(ready.untrackedPort, '&nocache=yes'),
        base: 0,
        target: 0.25,
      },
    ];
    const loadBefore = os.loadavg()[0]!;
    for (const s of scenarios) await run(s.url, 1); // warm-up
    const samples = scenarios.map(() => ({ rps: [] as number[], p99: [] as number[] }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, s] of scenarios.entries()) {
        const m = await run(s.url, DURATION);
        samples[i]!.rps.push(m.rps);
        samples[i]!.p99.push(m.p99);
      }
    }
    const loadAfter = os.loadavg()[0]!;
    const med = samples.map((x) => ({ rps: median(x.rps), p99: median(x.p99) }));
    const rows = scenarios.map((s, i) => ({
      name: s.name,
      rps: med[i]!.rps,
      p99: med[i]!.p99,
      ratio: s.base === undefined ? undefined : med[i]!.rps / med[s.base]!.rps,
      target: s.target,
    }));
    const lines = [
      '# @indico/export-api benchmark',
      '',
      `One run of \`pnpm bench\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${os.cpus().length} shared cores,`,
      `1-min load average ${loadBefore.toFixed(1)} at the start and ${loadAfter.toFixed(1)} at the end).`,
      `Request: \`GET ${ready.path}?${q}\` returning ${ready.count} events (${ready.bytes} bytes) from a Redis catalog of`,
      `10,000 events in 50 categories (\`trackListings: true\`, except the last row, which shows the uncached request over the`,
      `same data without it: every listing then reads the event bodies from Redis); autocannon, ${CONNECTIONS} connections; ${ROUNDS} interleaved rounds of ${DURATION} s per row`,
      '(after a 1 s warm-up each), median requests/s and median p99 reported;',
      'servers and a private redis-server in child processes, loopback. Ratios compare with the baseline of the same framework.',
      '',
      '| scenario | requests/s | p99 latency (ms) | ratio vs baseline | target | met |',
      '|---|---:|---:|---:|---:|:---:|',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p99} | ${r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`} | ${
            r.target === undefined ? '' : `>= ${r.target}x`
          } | ${r.target === undefined ? '' : r.ratio! >= r.target ? 'yes' : 'no'} |`,
      ),
      '',
    ];
    const table = lines.join('\n');
    writeFileSync(new URL('./RESULTS.md', import.meta.url), table);
    process.stdout.write(`${table}\n`);
  } finally {
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
