/** Per-request-type throughput of the load mix (one at a time), to see which part of the mix costs what. */
import { createRedisApiKeyStore } from '@indico/http-signing/redis';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { type Proc, startRedis, startServerProcess } from '../src/bench-env.js';
import { MIX, signedMix } from './load.js';

const procs: Proc[] = [];
try {
  const redis = await startRedis();
  procs.push(redis);
  const s1 = await startServerProcess({ REDIS_URL: redis.url, DEMO_DATA: 'true' });
  procs.push(s1);
  const client = new Redis(redis.url);
  const k = await createRedisApiKeyStore({ redis: client, prefix: 'indico:' }).create('1');
  const specs = signedMix({ key: k.key, secret: k.secret });
  const seconds = Number(process.env.PROBE_SECONDS ?? 3);
  for (let i = 0; i < MIX.length; i++) {
    const r = await autocannon({ url: s1.base, connections: 10, duration: seconds, requests: [specs[i]!] });
    console.log(
      `${MIX[i]!.name}: ${r.requests.average} req/s p50 ${r.latency.p50} p99 ${r.latency.p99} non2xx ${r.non2xx}`,
    );
  }
  const anon = await autocannon({ url: `${s1.base}/export/categ/2.json`, connections: 10, duration: seconds });
  console.log(`anonymous categ json (unsigned): ${anon.requests.average} req/s p50 ${anon.latency.p50}`);
  const health = await autocannon({ url: `${s1.base}/healthz`, connections: 10, duration: seconds });
  console.log(`/healthz: ${health.requests.average} req/s p50 ${health.latency.p50}`);
  client.disconnect();
} finally {
  for (const p of procs.reverse()) await p.stop();
}
