/**
 * Export API benchmark (issue "Speed"): requests/s and p99 of `/export/categ/ID.json?from&to` returning 100
 * events from a 10,000-event Redis catalog, uncached and cached, through express and node:http, next to an
 * express route and a bare node:http handler returning the same bytes from memory. Servers run in a child
 * process; autocannon runs here over loopback. Writes bench/RESULTS.md.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const DURATION = Number(process.env.BENCH_DURATION ?? 6);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

interface Ready {
  expressPort: number;
  nodePort: number;
  expressBase: number;
  nodeBase: number;
  path: string;
  query: string;
  count: number;
  bytes: number;
}

async function measure(url: string) {
  await autocannon({ url, connections: CONNECTIONS, duration: 1 }); // warm-up
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

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
    const rows: Array<{ name: string; rps: number; p99: number; vs?: string; ratio?: number; target?: number }> = [];
    const nodeBase = await measure(at(ready.nodeBase));
    rows.push({ name: 'baseline: bare node:http, fixed bytes', ...nodeBase });
    const expressBase = await measure(at(ready.expressBase));
    rows.push({ name: 'baseline: express route, fixed bytes', ...expressBase });
    const cases: Array<[string, number, string, { rps: number }, number]> = [
      ['node:http adapter, cached', ready.nodePort, '', nodeBase, 0.6],
      ['express adapter, cached', ready.expressPort, '', expressBase, 0.8],
      ['node:http adapter, uncached (nocache=yes)', ready.nodePort, '&nocache=yes', nodeBase, 0.25],
      ['express adapter, uncached (nocache=yes)', ready.expressPort, '&nocache=yes', expressBase, 0.25],
    ];
    for (const [name, port, extra, base, target] of cases) {
      const m = await measure(at(port, extra));
      rows.push({ name, ...m, ratio: m.rps / base.rps, target });
    }
    const lines = [
      '# @indico/export-api benchmark',
      '',
      `One run of \`pnpm bench\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}, 2 shared cores).`,
      `Request: \`GET ${ready.path}?${q}\` returning ${ready.count} events (${ready.bytes} bytes) from a Redis catalog of`,
      `10,000 events in 50 categories; autocannon, ${CONNECTIONS} connections, ${DURATION} s per row after a 1 s warm-up;`,
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
