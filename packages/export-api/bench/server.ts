/**
 * Benchmark servers (child process of bench/run.ts): loads 10,000 events in 50 categories into Redis
 * (bench/setup.ts), then serves the export API through express and node:http, plus the two baselines returning
 * fixed bytes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { exportApiMiddleware } from '../src/express.js';
import { createNodeListener } from '../src/index.js';
import { type BenchSetup, setupBench } from './setup.js';

let setup: BenchSetup | null = null;

async function main() {
  setup = await setupBench();
  const { handler, handlerUntracked, path, query, count, bytes } = setup;

  const listen = (srv: http.Server) =>
    new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as AddressInfo).port)));
  const app = express();
  app.use(exportApiMiddleware(handler));
  const base = express();
  base.get(path, (_req, res) => {
    res.set('content-type', 'application/json').send(bytes);
  });
  const servers = [
    http.createServer(app),
    http.createServer(createNodeListener(handler)),
    http.createServer(base),
    http.createServer(createNodeListener(handlerUntracked)),
    http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length });
      res.end(bytes);
    }),
  ];
  const [expressPort, nodePort, expressBase, untrackedPort, nodeBase] = await Promise.all(servers.map(listen));
  process.send!({
    expressPort,
    nodePort,
    expressBase,
    nodeBase,
    untrackedPort,
    path,
    query,
    count,
    bytes: bytes.length,
  });

  process.on('message', async (m) => {
    if (m !== 'stop') return;
    for (const s of servers) s.close();
    await setup?.stop();
    process.exit(0);
  });
}

main().catch(async (e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  await setup?.stop().catch(() => {});
  process.exit(1);
});
