// `pnpm bench`: hand-written mapping vs fossilize vs class-transformer on the same object graph, in one run.
// Prints a Markdown table with ratios and writes it to bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type Event, handWritten, makeEvents, withClassTransformer, withFossilize } from './model.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (use `pnpm bench`)');

type Mapper = (events: Event[]) => unknown;
const mappers: [string, Mapper][] = [
  ['hand-written function', handWritten],
  ['fossilize', withFossilize],
  ['class-transformer instanceToPlain', withClassTransformer],
];

const events = makeEvents(EVENTS);

function canonical(x: unknown): string {
  return JSON.stringify(x, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
const reference = canonical(handWritten(events.slice(0, 50)));
for (const [name, fn] of mappers) {
  if (canonical(fn(events.slice(0, 50))) !== reference)
    throw new Error(`${name} does not produce the reference output`);
}

let sink = 0;
// CPU time of this process (user + system, all threads) rather than wall time: on a shared machine the wall
// clock also counts the time other processes hold the CPU.
function time(fn: () => unknown): number {
  const c0 = process.cpuUsage();
  const r = fn();
  const c = process.cpuUsage(c0);
  sink += typeof r === 'string' ? r.length : Array.isArray(r) ? r.length : 1;
  return (c.user + c.system) / 1000;
}
const best = (xs: number[]) => Math.min(...xs);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

const isChild = process.argv.includes('--heap-child');
// Warm up every mapper (JIT, compiled fossils), then interleave the rounds so that machine noise hits all alike.
for (let i = 0; i < (isChild ? 15 : 5); i++) for (const [, fn] of mappers) JSON.stringify(fn(events));
const rounds = isChild ? 0 : ROUNDS;

const mapTimes = new Map<string, number[]>(mappers.map(([n]) => [n, []]));
const fullTimes = new Map<string, number[]>(mappers.map(([n]) => [n, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, fn] of mappers) {
    // Each timed call starts after a full collection, so no mapper pays for another one's garbage.
    gc();
    mapTimes.get(name)!.push(time(() => fn(events)));
    gc();
    fullTimes.get(name)!.push(time(() => JSON.stringify(fn(events))));
  }
}

// Heap allocated by one mapping call, measured in a child process whose young generation is large enough
// (--max-semi-space-size) that no collection runs during the call: heapUsed delta with the result kept alive.
// Runs during which a collection started are discarded.
async function measureHeap(): Promise<Record<string, number[]>> {
  const gcStarts: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcStarts.push(e.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  const out: Record<string, number[]> = {};
  for (let r = 0; r < 5; r++) {
    for (const [name, fn] of mappers) {
      gc!();
      await new Promise((resolve) => setImmediate(resolve));
      const t0 = performance.now();
      const before = process.memoryUsage().heapUsed;
      const result = fn(events);
      const after = process.memoryUsage().heapUsed;
      const t1 = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
      sink += Array.isArray(result) ? result.length : 0;
      if (!gcStarts.some((t) => t >= t0 && t <= t1)) {
        out[name] ??= [];
        out[name].push(after - before);
      }
    }
  }
  observer.disconnect();
  return out;
}

if (process.argv.includes('--heap-child')) {
  process.stdout.write(JSON.stringify(await measureHeap()));
  process.exit(0);
}
const child = spawnSync(
  process.execPath,
  ['--expose-gc', '--max-semi-space-size=512', '--import', 'tsx', fileURLToPath(import.meta.url), '--heap-child'],
  { encoding: 'utf8', env: { ...process.env }, maxBuffer: 1 << 20 },
);
if (child.status !== 0) throw new Error(`heap measurement failed: ${child.stderr}`);
const heapRuns = JSON.parse(child.stdout) as Record<string, number[]>;
const heap = new Map<string, number[]>(mappers.map(([n]) => [n, heapRuns[n] ?? []]));

const [hand, fz, ct] = mappers.map(([n]) => n) as [string, string, string];
// Ratios use the best of the rounds (least disturbed by other processes on a shared machine); medians are shown too.
const bestMs = (m: Map<string, number[]>, n: string) => best(m.get(n)!);
const medMs = (m: Map<string, number[]>, n: string) => median(m.get(n)!);
const bytes = (n: string) => (heap.get(n)!.length ? best(heap.get(n)!) : Number.NaN);
const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const mb = (b: number) =>
  Number.isNaN(b) ? 'n/a' : `${(b / 1024 / 1024).toFixed(1)} MB (${Math.round(b / EVENTS)} B/event)`;

const rows = mappers.map(([n]) => {
  const m = bestMs(mapTimes, n);
  const f = bestMs(fullTimes, n);
  return `| ${n} | ${f1(m)} (${f1(medMs(mapTimes, n))}) | ${f2(bestMs(mapTimes, hand) / m)}x | ${f1(f)} (${f1(medMs(fullTimes, n))}) | ${f2(bestMs(fullTimes, hand) / f)}x | ${mb(bytes(n))} | ${f2(bytes(n) / bytes(hand))}x |`;
});
const ratios = {
  mapVsHand: bestMs(mapTimes, hand) / bestMs(mapTimes, fz),
  mapVsCt: bestMs(mapTimes, ct) / bestMs(mapTimes, fz),
  fullVsHand: bestMs(fullTimes, hand) / bestMs(fullTimes, fz),
  heapVsHand: bytes(fz) / bytes(hand),
  ctVsHand: bestMs(mapTimes, hand) / bestMs(mapTimes, ct),
};
const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
const md = `# @indico/fossilize benchmark

${EVENTS.toLocaleString('en')} event-like class instances with getter methods, each with 5 nested contribution objects
(${(EVENTS * 6).toLocaleString('en')} objects per call); all three produce the same JSON (checked before timing).
${ROUNDS} interleaved rounds; one call maps the whole list. Times: CPU ms of the process, best of the rounds (median in parentheses);
ratios use the best times, which are the least disturbed by other processes on a shared machine. Node ${process.version}, ${process.platform}/${process.arch}.
Speed ratios are relative to the hand-written function (higher is faster; 1.00x = as fast).

| mapper | mapping ms | mapping speed | mapping + JSON.stringify ms | pipeline speed | heap per call (least of 5) | heap vs hand-written |
|---|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}

| target (issue) | measured | |
|---|---:|---|
| mapping >= 0.8x hand-written | ${f2(ratios.mapVsHand)}x | ${check(ratios.mapVsHand >= 0.8)} |
| mapping >= 7x class-transformer | ${f2(ratios.mapVsCt)}x | ${check(ratios.mapVsCt >= 7)} |
| pipeline >= 0.9x hand-written | ${f2(ratios.fullVsHand)}x | ${check(ratios.fullVsHand >= 0.9)} |
| heap per call <= 1.5x hand-written | ${f2(ratios.heapVsHand)}x | ${check(ratios.heapVsHand <= 1.5)} |

class-transformer maps at ${f2(ratios.ctVsHand)}x the hand-written function.
Machine load while measuring: ${os.loadavg()[0]!.toFixed(1)} (1-min load average, ${os.cpus().length} CPUs).
Reproduce: \`cd packages/fossilize && pnpm bench\` (env BENCH_EVENTS, BENCH_ROUNDS). Timings vary with machine load.
`;
process.stdout.write(`${md}\n`);
writeFileSync(fileURLToPath(new URL('./RESULTS.md', import.meta.url)), md);
if (sink < 0) process.stdout.write('');
