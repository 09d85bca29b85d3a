import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided.js';
import { pingRedis } from './redis-ping.js';
import { recordCategorySkip } from './skips.js';

const HOW_TO_GET_REDIS =
  'Start one (`redis-server --port 6379 --save "" --daemonize yes`), install it (`apt-get install -y redis-server`), or point REDIS_URL at a running server.';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Provides `redisUrl` to the redis category: the configured server when it answers, else a
 * throwaway `redis-server` on a free loopback port, else '' (tests skip; CI fails instead).
 */
export default async function setup(project: TestProject) {
  const configured = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (await pingRedis(configured)) {
    project.provide('redisUrl', configured);
    return;
  }
  if (hasRedisServer()) {
    const port = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'indico-test-redis-'));
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 100 && !(await pingRedis(url, 200)); i++) await new Promise((r) => setTimeout(r, 50));
    if (!(await pingRedis(url))) {
      child.kill('SIGKILL');
      throw new Error(`Started redis-server on port ${port} for the redis tests, but it never answered PING.`);
    }
    console.log(`[redis tests] nothing answered at ${configured}; started redis-server (pid ${child.pid}) at ${url}`);
    project.provide('redisUrl', url);
    return () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const reason = `no Redis answered at ${configured} and redis-server is not on PATH. ${HOW_TO_GET_REDIS}`;
  if (process.env.CI === 'true') throw new Error(`The redis test category needs Redis: ${reason}`);
  recordCategorySkip('redis', reason);
  project.provide('redisUrl', '');
}
