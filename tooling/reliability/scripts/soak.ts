/**
 * Soak (issue 10): the signed export mix against one server process (Redis mode) for SOAK_DURATION seconds
 * (default 600), while a scheduler daemon process runs a periodic task every second and livesync pushes
 * every 10 s to a local HTTP target, and a management write changes an event every 2 s (so the pushes carry
 * records). Every SOAK_SAMPLE seconds (default 10) it samples the RSS of both processes and Redis
 * used_memory, then writes bench/soak.md, bench/soak.json and the chart bench/soak.svg.
 *
 *   pnpm --filter @indico/reliability soak                        # 10 minutes
 *   SOAK_DURATION=180 SOAK_RATE=100 pnpm --filter @indico/reliability soak
 *
 * The request rate is capped (SOAK_RATE req/s over SOAK_CONNECTIONS connections, default 100 over 50) so
 * the run measures memory under steady load, not a saturated CPU. Not a test: CI never runs it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildIndicoRequest } from '@indico/http-signing';
import { createRedisApiKeyStore } from '@indico/http-signing/redis';
import { Redis } from 'ioredis';
import { bodyDigest } from '../../../apps/server/src/admin-auth.js';
import {
  type Proc,
  redisUsedMemory,
  repoRoot,
  rssOf,
  spawnTs,
  startRedis,
  startServerProcess,
} from '../src/bench-env.js';
import { sleep } from '../src/util.js';
import { run } from './load.js';

const DURATION = Number(process.env.SOAK_DURATION ?? 600);
const SAMPLE = Number(process.env.SOAK_SAMPLE ?? 10);
const RATE = Number(process.env.SOAK_RATE ?? 100);
const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 50);
const OUT = process.env.SOAK_OUT ?? path.join(repoRoot, 'bench');

interface Sample {
  t: number;
  serverRss: number;
  daemonRss: number;
  redisUsed: number;
  beats: number;
  pushed: number;
  writes: number;
}

const MiB = 1048576;

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Two panels sharing the time axis: process RSS on top, Redis used_memory (own scale) below. */
export function svgChart(samples: Sample[], title: string): string {
  const W = 660;
  const L = 56;
  const R = 160;
  const tMax = Math.max(1, ...samples.map((s) => s.t));
  const x = (t: number) => L + ((W - L - R) * t) / tMax;
  const out: string[] = [];
  const panel = (
    top: number,
    height: number,
    unit: string,
    series: Array<{ name: string; color: string; get: (s: Sample) => number }>,
  ) => {
    const bottom = top + height;
    const yMax = Math.max(1e-9, ...samples.flatMap((s) => series.map((x) => x.get(s)))) * 1.15;
    const raw = yMax / 5;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((v) => v >= raw)!;
    const y = (v: number) => top + height * (1 - v / yMax);
    for (let v = 0; v <= yMax + 1e-9; v += step) {
      out.push(`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd"/>`);
      out.push(`<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${+v.toFixed(3)}</text>`);
    }
    out.push(
      `<text x="14" y="${top + height / 2}" transform="rotate(-90 14 ${top + height / 2})" text-anchor="middle">${unit}</text>`,
    );
    out.push(
      `<line x1="${L}" x2="${L}" y1="${top}" y2="${bottom}" stroke="#333"/><line x1="${L}" x2="${W - R}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
    );
    series.forEach((s, i) => {
      const pts = samples.map((p) => `${x(p.t).toFixed(1)},${y(s.get(p)).toFixed(1)}`).join(' ');
      out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts}"/>`);
      out.push(`<rect x="${W - R + 12}" y="${top + i * 18}" width="12" height="3" fill="${s.color}"/>`);
      out.push(`<text x="${W - R + 30}" y="${top + i * 18 + 5}">${s.name}</text>`);
    });
    return bottom;
  };
  const H = 420;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<title>${title}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${L}" y="18" font-size="13">${title}</text>`,
  );
  panel(32, 210, 'RSS (MiB)', [
    { name: 'server RSS', color: '#1f77b4', get: (s) => s.serverRss / MiB },
    { name: 'daemon RSS', color: '#ff7f0e', get: (s) => s.daemonRss / MiB },
  ]);
  const bottom = panel(270, 100, 'Redis (MiB)', [
    { name: 'Redis used_memory', color: '#2ca02c', get: (s) => s.redisUsed / MiB },
  ]);
  const tStep = tMax > 900 ? 120 : tMax > 300 ? 60 : 30;
  for (let t = 0; t <= tMax; t += tStep) {
    out.push(`<text x="${x(t).toFixed(1)}" y="${bottom + 16}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<text x="${(L + W - R) / 2}" y="${H - 8}" text-anchor="middle">seconds</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Keys grouped by family (digits replaced by `*`), with their MEMORY USAGE and element counts. */
async function keyFamilies(redis: Redis) {
  const out = new Map<string, { family: string; keys: number; bytes: number; entries: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) {
      const family = k.replace(/\d+/g, '*');
      const f = out.get(family) ?? { family, keys: 0, bytes: 0, entries: 0 };
      f.keys++;
      f.bytes += Number(await redis.memory('USAGE', k)) || 0;
      const type = await redis.type(k);
      f.entries +=
        type === 'zset'
          ? await redis.zcard(k)
          : type === 'hash'
            ? await redis.hlen(k)
            : type === 'list'
              ? await redis.llen(k)
              : type === 'set'
                ? await redis.scard(k)
                : 1;
      out.set(family, f);
    }
  } while (cursor !== '0');
  return [...out.values()].sort((a, b) => b.bytes - a.bytes).slice(0, 12);
}

async function main() {
  const procs: Proc[] = [];
  const stopAll = async () => {
    for (const p of procs.reverse()) await p.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  let pushed = 0;
  const sink = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => {
      data += c;
    });
    req.on('end', () => {
      try {
        pushed += (JSON.parse(data) as { records: unknown[] }).records.length;
      } catch {
        // counted as nothing
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/ingest`;
  try {
    const redis = await startRedis();
    procs.push(redis);
    const env = {
      REDIS_URL: redis.url,
      LIVESYNC_GRANULARITY: '5',
      LIVESYNC_AGENTS: JSON.stringify([{ id: 'soak', type: 'http', url: sinkUrl }]),
      SCHEDULER_SLEEP_MS: '200',
      LOG_LEVEL: 'warn',
    };
    const server = await startServerProcess({ ...env, DEMO_DATA: 'true' });
    procs.push(server);
    const daemon = spawnTs('daemon', path.join(repoRoot, 'tooling/reliability/scripts/soak-daemon.ts'), [], env);
    procs.push(daemon);
    const client = new Redis(redis.url);
    const created = await createRedisApiKeyStore({ redis: client, prefix: 'indico:' }).create('1');
    const key = { key: created.key, secret: created.secret };

    // The daemon compiles its sources first: start the clock once it beats.
    for (let i = 0; i < 600 && Number(await client.get('soak:beats')) === 0; i++) await sleep(100);

    let stop = false;
    let writes = 0;
    const writer = (async () => {
      for (let n = 0; !stop; n++) {
        const body = JSON.stringify({ title: `Soak edit ${n}` });
        const url = buildIndicoRequest(
          '/manage/events/137346',
          { bodysha256: bodyDigest(body) },
          {
            apiKey: key.key,
            secretKey: key.secret,
          },
        );
        try {
          const res = await fetch(`${server.base}${url}`, {
            method: 'PATCH',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await res.arrayBuffer();
          if (res.ok) writes++;
        } catch {
          // counted by the missing increment
        }
        await sleep(2000);
      }
    })();

    const samples: Sample[] = [];
    const t0 = Date.now();
    const sampler = (async () => {
      while (!stop) {
        samples.push({
          t: Math.round((Date.now() - t0) / 1000),
          serverRss: rssOf(server.pid),
          daemonRss: rssOf(daemon.pid),
          redisUsed: await redisUsedMemory(client),
          beats: Number(await client.get('soak:beats')),
          pushed,
          writes,
        });
        const last = samples.at(-1)!;
        console.error(
          `t=${last.t}s server ${(last.serverRss / MiB).toFixed(1)} MiB, daemon ${(last.daemonRss / MiB).toFixed(1)} MiB, redis ${(last.redisUsed / MiB).toFixed(2)} MiB, beats ${last.beats}, pushed ${last.pushed}, writes ${last.writes}`,
        );
        const next = t0 + samples.length * SAMPLE * 1000;
        while (!stop && Date.now() < next) await sleep(200);
      }
    })();

    const load0 = os.loadavg()[0]!;
    const result = await run(server.base, key, CONNECTIONS, DURATION, RATE);
    stop = true;
    await Promise.all([writer, sampler]);
    const families = await keyFamilies(client);
    client.disconnect();

    const half = samples.filter((s) => s.t >= DURATION / 2);
    const perMin = (get: (s: Sample) => number) =>
      (slope(
        half.map((s) => s.t),
        half.map(get),
      ) *
        60) /
      MiB;
    const growth = {
      server: perMin((s) => s.serverRss),
      daemon: perMin((s) => s.daemonRss),
      redis: perMin((s) => s.redisUsed),
    };
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const mib = (n: number) => (n / MiB).toFixed(1);
    const date = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const title = `Soak ${Math.round(DURATION / 60)} min: memory every ${SAMPLE} s (${date} UTC)`;
    writeFileSync(path.join(OUT, 'soak.svg'), svgChart(samples, title));
    writeFileSync(
      path.join(OUT, 'soak.json'),
      `${JSON.stringify({ date, duration: DURATION, rate: RATE, connections: CONNECTIONS, load0, growth, samples }, null, 1)}\n`,
    );
    const md = `# Soak: memory under steady load with the scheduler and livesync running

Generated by \`pnpm --filter @indico/reliability soak\` (tooling/reliability/scripts/soak.ts) on ${date} UTC:
**${DURATION} s** (${(DURATION / 60).toFixed(1)} min), sampled every ${SAMPLE} s.

- Load: the signed export mix of bench/load.md, ${CONNECTIONS} connections capped at ${RATE} req/s overall:
  ${result['2xx'] + result.non2xx} requests, ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms,
  p99 ${result.latency.p99} ms, ${result.errors + result.timeouts + result.non2xx} errors.
- Scheduler daemon process (tooling/reliability/scripts/soak-daemon.ts, the server's runtime): a periodic task every
  second (${last.beats} beats in ${last.t} s) and a livesync push every 10 s (HTTP agent to a local target:
  ${last.pushed} records received); a management write every 2 s (${last.writes} writes) feeds the track.
- Machine: ${os.cpus().length} cores shared with other jobs (1-min load average ${load0.toFixed(1)} at the start), Node ${process.version}.

![memory series](soak.svg)

| | first sample | last sample | slope over the second half |
| --- | ---: | ---: | ---: |
| server RSS (MiB) | ${mib(first.serverRss)} | ${mib(last.serverRss)} | ${growth.server.toFixed(2)} MiB/min |
| daemon RSS (MiB) | ${mib(first.daemonRss)} | ${mib(last.daemonRss)} | ${growth.daemon.toFixed(2)} MiB/min |
| Redis used_memory (MiB) | ${(first.redisUsed / MiB).toFixed(2)} | ${(last.redisUsed / MiB).toFixed(2)} | ${growth.redis.toFixed(3)} MiB/min |

Where Redis' memory is at the end (keys grouped by name with ids and numbers replaced by \`*\`; MEMORY USAGE):

| key family | keys | bytes | entries (list/set/hash/zset) |
| --- | ---: | ---: | ---: |
${families.map((f) => `| \`${f.family}\` | ${f.keys} | ${f.bytes} | ${f.entries} |`).join('\n')}

<details><summary>all samples</summary>

| t (s) | server RSS MiB | daemon RSS MiB | Redis used MiB | beats | records pushed | writes |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${samples.map((s) => `| ${s.t} | ${mib(s.serverRss)} | ${mib(s.daemonRss)} | ${(s.redisUsed / MiB).toFixed(2)} | ${s.beats} | ${s.pushed} | ${s.writes} |`).join('\n')}

</details>
`;
    writeFileSync(path.join(OUT, 'soak.md'), md);
    console.error(`wrote bench/soak.md and bench/soak.svg; growth MiB/min ${JSON.stringify(growth)}`);
  } finally {
    await stopAll();
    sink.closeAllConnections();
    sink.close();
  }
}

if (process.env.SOAK_RENDER) {
  // Re-draws the chart from a saved series: SOAK_RENDER=bench/soak.json
  const saved = JSON.parse(readFileSync(process.env.SOAK_RENDER, 'utf8')) as {
    date: string;
    duration: number;
    samples: Sample[];
  };
  const title = `Soak ${Math.round(saved.duration / 60)} min: memory every ${SAMPLE} s (${saved.date} UTC)`;
  writeFileSync(path.join(OUT, 'soak.svg'), svgChart(saved.samples, title));
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
