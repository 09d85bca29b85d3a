import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pingRedis } from '@indico/vitest-preset/redis-ping';
import { getFreePort } from './free-port.js';

export interface RedisServerHandle {
  port: number;
  url: string;
  pid: number;
  dir: string;
  /** Send a signal to this server only (by pid). */
  kill(signal?: NodeJS.Signals): void;
  /** Start the same server again on the same port and directory (e.g. after a kill). */
  restart(): Promise<void>;
  /** Stops the server and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  port?: number;
  /** Extra `redis-server` arguments, e.g. ['--appendonly', 'yes'] or ['--replicaof', '127.0.0.1', '6380']. */
  args?: string[];
  startTimeoutMs?: number;
}

async function waitForPing(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pingRedis(url, 200)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server at ${url} did not answer PING within ${timeoutMs} ms`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Starts an extra `redis-server` on a free loopback port (for replica, restart and cluster tests). */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const port = options.port ?? (await getFreePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), `indico-redis-${port}-`));
  const url = `redis://127.0.0.1:${port}`;
  const timeout = options.startTimeoutMs ?? 5000;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, ...(options.args ?? [])];
  let child: ChildProcess;
  const launch = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    child.once('error', () => {});
    await waitForPing(url, timeout);
  };
  await launch();
  let stopped = false;
  return {
    port,
    url,
    dir,
    get pid() {
      return child.pid ?? -1;
    },
    kill(signal = 'SIGKILL') {
      child.kill(signal);
    },
    async restart() {
      await exited(child);
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
