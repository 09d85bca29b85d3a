/**
 * CPU profile of one server process under the signed export mix (PROFILE_SECONDS, default 15): prints the
 * functions with the most self time, grouped by package, and leaves the .cpuprofile in PROFILE_DIR
 * (default /tmp/indico-profile) for Chrome DevTools. Not a test.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRedisApiKeyStore } from '@indico/http-signing/redis';
import { Redis } from 'ioredis';
import { type Proc, startRedis, startServerProcess } from '../src/bench-env.js';
import { run } from './load.js';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 15);
const DIR = process.env.PROFILE_DIR ?? '/tmp/indico-profile';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const procs: Proc[] = [];
try {
  mkdirSync(DIR, { recursive: true });
  const redis = await startRedis();
  procs.push(redis);
  const server = await startServerProcess({ REDIS_URL: redis.url, DEMO_DATA: 'true' }, [
    '--cpu-prof',
    `--cpu-prof-dir=${DIR}`,
  ]);
  procs.push(server);
  const client = new Redis(redis.url);
  const k = await createRedisApiKeyStore({ redis: client, prefix: 'indico:' }).create('1');
  client.disconnect();
  const result = await run(server.base, { key: k.key, secret: k.secret }, 20, SECONDS);
  console.log(`${result.requests.average} req/s, p50 ${result.latency.p50} ms`);
  await server.stop();
  procs.pop();
  // one profile per thread (tsx's loader runs in a worker): the main thread's is the largest of this run
  const file = readdirSync(DIR)
    .filter((f) => f.endsWith('.cpuprofile') && f.includes(`.${server.pid}.`))
    .map((f) => path.join(DIR, f))
    .sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[] };
  // shares of the busy time (idle excluded)
  const total = profile.nodes.reduce((n, x) => n + (x.callFrame.functionName === '(idle)' ? 0 : (x.hitCount ?? 0)), 0);
  const byFn = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (!hits || n.callFrame.functionName === '(idle)') continue;
    const url = n.callFrame.url;
    const area =
      /packages\/([\w-]+)\//.exec(url)?.[1] ??
      /node_modules\/(?:\.pnpm\/)?(@?[\w.-]+)/.exec(url)?.[1] ??
      (url.startsWith('node:')
        ? url
        : url.includes('apps/server')
          ? 'apps/server'
          : n.callFrame.functionName || '(vm)');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${path.basename(url)}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + hits);
    byArea.set(area, (byArea.get(area) ?? 0) + hits);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  console.log(`profile ${file}\nby area:\n${top(byArea, 15)}\n\nby function:\n${top(byFn, 25)}`);
} finally {
  for (const p of procs.reverse()) await p.stop();
}
