/**
 * Processes for the load and soak scripts (not tests): an extra redis-server, reference-server processes and
 * a scheduler daemon, all on loopback, all stopped by pid. Nothing here touches the shared 6379 server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { sleep } from './util.js';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

function track(name: string, child: ChildProcess, onStop?: () => void): Proc {
  let stopped: Promise<void> | undefined;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    name,
    pid: child.pid ?? -1,
    child,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(t);
        }
        onStop?.();
      })();
      return stopped;
    },
  };
}

/** redis-server on a free port with the recommended persistence (AOF, fsync every second). */
export async function startRedis(): Promise<Proc & { url: string; port: number }> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'indico-bench-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {}); // refused until the server listens; retried below
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch {
      if (i > 100) throw new Error('redis-server did not start');
      await sleep(50);
    }
  }
  probe.disconnect();
  return { ...track('redis', child, () => rmSync(dir, { recursive: true, force: true })), url, port };
}

/**
 * Runs a TypeScript entry point in one node process (tsx as an import hook, so the pid is the process that
 * does the work) with the source condition: the workspace needs no build.
 */
export function spawnTs(
  name: string,
  file: string,
  args: string[],
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Proc {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', '--conditions=@indico/source', file, ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: 'production', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let err = '';
  child.stderr?.on('data', (d) => {
    err = (err + d).slice(-4000);
  });
  child.once('exit', (code, signal) => {
    if (code && code !== 0) process.stderr.write(`${name} exited with ${code ?? signal}:\n${err}\n`);
  });
  return track(name, child);
}

/** `indico-server start` on a free port (Redis mode); resolves once /healthz answers. */
export async function startServerProcess(
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Promise<Proc & { base: string }> {
  const port = await freePort();
  const proc = spawnTs(
    'server',
    path.join(repoRoot, 'apps/server/src/main.ts'),
    ['start'],
    { LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port), ...env },
    nodeArgs,
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 600 || proc.child.exitCode !== null) throw new Error('server process did not come up');
    await sleep(100);
  }
  return { ...proc, base };
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

export async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
