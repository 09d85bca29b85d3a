#!/usr/bin/env node
// Runs every workspace benchmark (each measures its package side by side with a peer, in one run)
// one after another, then gathers their RESULTS.md tables into bench/RESULTS.md.
//
//   pnpm bench                      every benchmark once -> bench/RESULTS.md
//   pnpm bench --runs 3             every benchmark three times (interleaved: all once, then again, ...);
//                                   bench/RESULTS.md gets the last run, bench/SPREAD.md every ratio of every run
//                                   with its spread (max - min, and relative to the median)
//   pnpm bench --quick [--runs 3]   small sizes through each benchmark's env variables, to check this script;
//                                   benchmarks without size variables are skipped unless named; writes to a
//                                   temporary directory (or --out DIR) and puts the packages' RESULTS.md back
//   pnpm bench --collect            gathers each benchmark's latest RESULTS.md without running anything
//   pnpm bench fossilize scheduler  only the benchmarks whose directory ends with one of these names
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Small sizes for `--quick`, through the env variables each benchmark reads. */
const QUICK_ENV = {
  'packages/export-api': { BENCH_DURATION: '1', BENCH_ROUNDS: '1', BENCH_CONNECTIONS: '2' },
  'packages/fossilize': { BENCH_EVENTS: '300', BENCH_ROUNDS: '3' },
  'packages/scheduler': { BENCH_TASKS: '300', BENCH_ROUNDS: '1' },
  'apps/server': { BENCH_SECONDS: '1' },
};
/** Benchmarks whose fixed parts stay long even with the variables above: skipped by --quick unless named. */
const QUICK_SLOW = new Set(['packages/scheduler']);

function usage(message) {
  console.error(`bench: ${message}
usage: pnpm bench [--runs N] [--quick] [--out DIR] [--collect] [NAME ...]`);
  process.exit(2);
}

// --- arguments -------------------------------------------------------------------------------------------
let runs = 1;
let quick = false;
let collectOnly = false;
let outArg;
const only = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--collect') collectOnly = true;
  else if (a === '--quick') quick = true;
  else if (a === '--runs' || a.startsWith('--runs=')) {
    const v = a.includes('=') ? a.slice(7) : argv[++i];
    if (!/^\d+$/.test(v ?? '') || Number(v) < 1 || Number(v) > 10)
      usage(`--runs takes a number from 1 to 10, got ${v}`);
    runs = Number(v);
  } else if (a === '--out' || a.startsWith('--out=')) {
    outArg = a.includes('=') ? a.slice(6) : argv[++i];
    if (!outArg) usage('--out takes a directory');
  } else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else only.push(a);
}
if (collectOnly && (runs > 1 || quick)) usage('--collect runs nothing: it does not combine with --runs or --quick');

const outDir = path.resolve(
  outArg ?? (quick ? mkdtempSync(path.join(os.tmpdir(), 'indico-bench-quick-')) : path.join(root, 'bench')),
);
mkdirSync(outDir, { recursive: true });

const dirs = ['packages', 'apps']
  .flatMap((group) => readdirSync(path.join(root, group)).map((d) => path.join(group, d)))
  .filter((d) => {
    const pkgFile = path.join(root, d, 'package.json');
    if (!existsSync(pkgFile)) return false;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    return Boolean(pkg.scripts?.bench) && (only.length === 0 || only.some((o) => d.endsWith(o)));
  });
if (dirs.length === 0) usage(`no benchmark matches ${only.join(', ')}`);

const named = (dir) => only.some((o) => dir.endsWith(o));
const runnable = dirs.filter((d) => !quick || (QUICK_ENV[d] && (!QUICK_SLOW.has(d) || named(d))) || named(d));
const skipped = dirs.filter((d) => !runnable.includes(d));
const resultsFile = (dir) => path.join(root, dir, 'bench', 'RESULTS.md');
const read = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : null);
const load1 = () => os.loadavg()[0].toFixed(1);

// --- running -----------------------------------------------------------------------------------------------
/** dir -> [{ run, ok, seconds, loadBefore, loadAfter, text }] */
const done = new Map(dirs.map((d) => [d, []]));
const before = new Map(dirs.map((d) => [d, read(resultsFile(d))]));
if (!collectOnly) {
  if (skipped.length) console.error(`--quick skips (no small-size variables; name them to run): ${skipped.join(', ')}`);
  for (let run = 1; run <= runs; run++) {
    for (const dir of runnable) {
      console.error(`\n=== bench ${dir}${runs > 1 ? ` (run ${run} of ${runs})` : ''}${quick ? ' [quick]' : ''}`);
      const loadBefore = load1();
      const started = Date.now();
      const r = spawnSync('pnpm', ['run', 'bench'], {
        cwd: path.join(root, dir),
        stdio: 'inherit',
        env: { ...process.env, ...(quick ? QUICK_ENV[dir] : {}) },
      });
      const text = read(resultsFile(dir));
      done.get(dir).push({
        run,
        ok: r.status === 0,
        seconds: (Date.now() - started) / 1000,
        loadBefore,
        loadAfter: load1(),
        // a RESULTS.md left over from an earlier run is not this run's result
        text: r.status === 0 && text !== before.get(dir) ? text : null,
      });
    }
  }
}
const failures = [...done].filter(([, rs]) => rs.some((r) => !r.ok)).map(([d]) => d);

// --- bench/RESULTS.md: the last run of each (or the latest files with --collect) ----------------------------
const sections = [];
for (const dir of dirs) {
  const rs = done.get(dir);
  const last = rs.at(-1);
  let title = `## ${dir}`;
  let body;
  if (collectOnly) {
    const file = resultsFile(dir);
    if (existsSync(file)) title += ` (run of ${statSync(file).mtime.toISOString().slice(0, 16)}Z)`;
    body = read(file);
  } else if (!last) {
    title += ' (skipped by --quick)';
    body = null;
  } else {
    title += `${last.ok ? '' : ' (FAILED)'} — ${last.seconds.toFixed(0)} s${runs > 1 ? `, run ${last.run} of ${runs}` : ''}`;
    body = last.text;
  }
  body = body ? body.trim() : '_no RESULTS.md written_';
  sections.push(`${title}\n\n${body.replace(/^# .*\n+/, '')}\n`);
}

const how = collectOnly
  ? `Gathered by \`pnpm bench --collect\` on ${new Date().toISOString()} from each benchmark's latest RESULTS.md (each section
says when it ran)`
  : `Generated by \`pnpm bench${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString()}`;
const spreadExists = runs > 1 || existsSync(path.join(outDir, 'SPREAD.md'));
const header = `# Benchmark results

${how} (Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB). Every figure
that compares is a ratio measured in the same run; absolute numbers vary between runs and machines.${
  spreadExists
    ? ` How much each ratio moves between runs: [SPREAD.md](SPREAD.md) (three runs, \`pnpm bench --runs 3\`).`
    : ''
} Load and soak
runs of the whole server are in [load.md](load.md) and [soak.md](soak.md) (chart: [soak.svg](soak.svg)); fault
tests and durability in [docs/reliability.md](../docs/reliability.md).
`;
writeFileSync(path.join(outDir, 'RESULTS.md'), `${header}\n${sections.join('\n')}`);

// --- bench/SPREAD.md: every ratio of every run ---------------------------------------------------------------
/** A ratio cell: `0.64x`, `4.00x (3.73–4.52)`, `15,316,364 (2.08x)`; not a target such as `>= 0.6x`. */
function ratioOf(cell) {
  const m = /^(?:[\d.,]+[^()]*\()?(\d+(?:\.\d+)?)x(?![\w])/.exec(cell.trim());
  return m ? Number(m[1]) : null;
}

const cellsOf = (line) =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());

/**
 * Every ratio in a RESULTS.md: key (table position, row, column: the same in every run of one benchmark)
 * -> { table, row, column, value }. Labels come from the nearest heading, the first cell and the header.
 */
function ratios(markdown) {
  const out = new Map();
  const lines = markdown.split('\n');
  let heading = '';
  let tableNo = 0;
  for (let i = 0; i < lines.length; i++) {
    const h = /^(#{1,6})\s+(.*)$/.exec(lines[i]);
    if (h) {
      // "3. Redis cost per task (INFO deltas: ...)" -> "3. Redis cost per task"; the page title (#) names the
      // benchmark, which has its own column.
      heading = h[1].length === 1 ? '' : h[2].replace(/\s*\(.*$/, '').trim();
      continue;
    }
    if (!lines[i].trim().startsWith('|') || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? '')) continue;
    tableNo++;
    const head = cellsOf(lines[i]);
    const rows = [];
    for (i += 2; i < lines.length && lines[i].trim().startsWith('|'); i++) rows.push(cellsOf(lines[i]));
    i--;
    const firsts = rows.map((r) => r[0]);
    const unique = new Set(firsts).size === firsts.length;
    rows.forEach((cells, r) => {
      const label = unique ? cells[0] : `${cells[0]} / ${cells[1]}`;
      for (let c = 1; c < cells.length; c++) {
        const value = ratioOf(cells[c]);
        if (value === null) continue;
        out.set(`${tableNo}:${r}:${c}`, {
          table: heading || `table ${tableNo}`,
          row: label || `row ${r + 1}`,
          column: head[c] || `column ${c + 1}`,
          value,
        });
      }
    });
  }
  return out;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const esc = (s) => s.replace(/\|/g, '\\|');

if (runs > 1) {
  const rows = [];
  let constant = 0;
  for (const dir of runnable) {
    const perRun = done.get(dir).map((r) => (r.text ? ratios(r.text) : new Map()));
    const keys = [...new Set(perRun.flatMap((m) => [...m.keys()]))];
    for (const key of keys) {
      const label = perRun.find((m) => m.has(key)).get(key);
      const values = perRun.map((m) => m.get(key)?.value ?? null);
      const present = values.filter((v) => v !== null);
      // A baseline row is 1.00x by construction in every run: it says nothing about noise.
      if (present.length === runs && present.every((v) => v === 1)) {
        constant++;
        continue;
      }
      const med = median(present);
      const spread = Math.max(...present) - Math.min(...present);
      rows.push({ dir, ...label, values, med, spread, rel: med > 0 ? spread / med : Number.NaN });
    }
  }
  const fmt = (v) => (v === null ? '—' : `${v.toFixed(2)}x`);
  const pct = (v) => (Number.isNaN(v) ? '—' : `${(v * 100).toFixed(0)}%`);
  const runCols = Array.from({ length: runs }, (_, k) => `run ${k + 1}`);
  const table = [
    `| benchmark | table | row | column | ${runCols.join(' | ')} | median | spread (max−min) | spread / median |`,
    `| --- | --- | --- | --- | ${runCols.map(() => '---:').join(' | ')} | ---: | ---: | ---: |`,
    ...rows.map(
      (r) =>
        `| ${r.dir.replace(/^(packages|apps)\//, '')} | ${esc(r.table)} | ${esc(r.row)} | ${esc(r.column)} | ${r.values
          .map(fmt)
          .join(' | ')} | ${fmt(r.med)} | ${r.spread.toFixed(2)} | ${pct(r.rel)} |`,
    ),
  ];
  const runTable = [
    '| benchmark | run | status | seconds | load before | load after |',
    '| --- | ---: | --- | ---: | ---: | ---: |',
    ...runnable.flatMap((dir) =>
      done
        .get(dir)
        .map(
          (r) =>
            `| ${dir} | ${r.run} | ${r.ok ? (r.text ? 'ok' : 'ok, no new RESULTS.md') : 'FAILED'} | ${r.seconds.toFixed(0)} | ${r.loadBefore} | ${r.loadAfter} |`,
        ),
    ),
  ];
  const rels = rows.map((r) => r.rel).filter((v) => !Number.isNaN(v));
  const worst = [...rows].sort((a, b) => b.rel - a.rel).slice(0, 5);
  const spreadMd = `# Benchmark spread over ${runs} runs

Generated by \`pnpm bench ${process.argv.slice(2).join(' ')}\` on ${new Date().toISOString()} (Node ${process.version}, ${os.cpus().length} cores${
    quick ? '; **quick mode: small sizes, for checking the script only, not figures to quote**' : ''
  }). Every benchmark ran ${runs} times, interleaved (all of them once, then again), so a slow spell of the machine
does not land on one benchmark's runs only. Each row is one ratio of one benchmark's RESULTS.md table in every run,
its median, and the spread: max − min, and that divided by the median. Ratios that are 1.00x by construction in
every run (the baseline rows, ${constant} of them) are left out. The 1-minute load average before and after each run
is in the last table: on a shared machine it explains most of the spread. Ratios are read as the benchmarks print
them (two decimals), so the relative spread of a very small ratio (0.02x) is coarse.

${
  rels.length
    ? `${rows.length} ratios; spread / median: median ${pct(median(rels))}, largest ${pct(Math.max(...rels))} (${worst
        .map((r) => `${r.dir.replace(/^(packages|apps)\//, '')} · ${r.row} · ${r.column} ${pct(r.rel)}`)
        .join('; ')}).`
    : 'No ratio was found in the runs.'
}

${table.join('\n')}

## Runs

${runTable.join('\n')}
${skipped.length ? `\nNot run (--quick, no small-size variables): ${skipped.join(', ')}.\n` : ''}`;
  writeFileSync(path.join(outDir, 'SPREAD.md'), spreadMd);
}

// --quick must not leave small-size figures in the packages' RESULTS.md: put back what was there, unless the
// file changed again since our last run wrote it (someone else's run).
if (quick) {
  for (const dir of runnable) {
    const last = done.get(dir).at(-1);
    const now = read(resultsFile(dir));
    if (before.get(dir) !== null && now !== null && now === (last?.text ?? null))
      writeFileSync(resultsFile(dir), before.get(dir));
  }
}

// The repository's formatter (biome) also formats Markdown: keep the written tables in its layout, so `pnpm lint`
// stays green after a run.
if (outDir.startsWith(root + path.sep)) {
  const written = ['RESULTS.md', 'SPREAD.md'].map((f) => path.join(outDir, f)).filter((f) => existsSync(f));
  spawnSync('pnpm', ['exec', 'biome', 'format', '--write', ...written], { cwd: root, stdio: 'ignore' });
}

console.error(
  `\nwrote ${path.relative(root, path.join(outDir, 'RESULTS.md')) || outDir}${
    runs > 1 ? ` and ${path.join(outDir, 'SPREAD.md')}` : ''
  } (${runnable.length} benchmarks${failures.length ? `, failed: ${failures.join(', ')}` : ''})`,
);
process.exit(failures.length ? 1 : 0);
