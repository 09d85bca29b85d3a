import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pingRedis } from '@indico/vitest-preset/redis-ping';
import { Redis } from 'ioredis';
import { getFreePort } from './free-port.js';
import { type RedisServerHandle, startRedisServer } from './redis-server.js';

const HOST = '127.0.0.1';

/**
 * How to start a Sentinel here: the `redis-sentinel` binary when it is on PATH, otherwise `redis-server`
 * in sentinel mode (`redis-server <conf> --sentinel`, the same program), or null when neither runs.
 */
export function sentinelCommand(): { cmd: string; args: (conf: string) => string[] } | null {
  const runs = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
  if (runs('redis-sentinel')) return { cmd: 'redis-sentinel', args: (conf) => [conf] };
  if (runs('redis-server')) return { cmd: 'redis-server', args: (conf) => [conf, '--sentinel'] };
  return null;
}

/** True when a Redis Sentinel can be started (`redis-sentinel`, or `redis-server --sentinel`). */
export const hasRedisSentinel = () => sentinelCommand() !== null;

export interface SentinelProcess {
  port: number;
  pid: number;
  dir: string;
  /** The tail of this sentinel's log file (for error messages). */
  log(): string;
  /** Stops this sentinel (SIGTERM, SIGKILL after 5 s) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface RedisSentinelOptions {
  /** The master group name sentinels monitor (ioredis' `name`). Default `indico`. */
  name?: string;
  /** Replicas started next to the master. Default 1. */
  replicas?: number;
  /** Sentinel processes. Default 3. */
  sentinels?: number;
  /** Sentinels that must agree the master is down before a failover. Default: a majority. */
  quorum?: number;
  /** `down-after-milliseconds`: how long a master may not answer before it is subjectively down. Default 1000. */
  downAfterMs?: number;
  /** `failover-timeout` (ms). Default 5000. */
  failoverTimeoutMs?: number;
  /** Extra `redis-server` arguments for every data node (master and replicas). */
  nodeArgs?: string[];
  /** Bound of every wait (start, agreement, failover). Default 30 000 ms. */
  timeoutMs?: number;
}

export interface RedisSentinelHandle {
  name: string;
  /** Every data node in start order: the first master, then the replicas. Roles change with failovers. */
  nodes: RedisServerHandle[];
  sentinels: SentinelProcess[];
  /** `{ host, port }` of every sentinel: ioredis' `sentinels` option. */
  sentinelAddresses: { host: string; port: number }[];
  /** `redis-sentinel://127.0.0.1:p1,127.0.0.1:p2,.../<name>` */
  url: string;
  /** The data node every sentinel names as master (throws when they disagree or name an unknown node). */
  master(): Promise<RedisServerHandle>;
  /**
   * Waits until every sentinel names the same master, that node reports `role:master`, every other running
   * data node is its replica with the link up, and every sentinel sees those replicas and the other
   * sentinels (`SENTINEL CKQUORUM` OK). Returns the master.
   */
  waitStable(options?: { exclude?: RedisServerHandle[]; timeoutMs?: number }): Promise<RedisServerHandle>;
  /** Waits until every sentinel names a master other than `previous` and that node reports `role:master`. */
  waitForNewMaster(previous: RedisServerHandle, timeoutMs?: number): Promise<RedisServerHandle>;
  /** `SENTINEL FAILOVER <name>` on the first sentinel, then `waitForNewMaster`. Returns the new master. */
  failover(timeoutMs?: number): Promise<RedisServerHandle>;
  /** Stops every sentinel and data node (by pid) and removes their directories. Idempotent. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** One command on a short-lived connection; the error (not thrown) when it fails or takes over 1 s. */
async function ask(port: number, ...args: string[]): Promise<unknown> {
  const c = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 1000,
    commandTimeout: 1000,
  });
  c.on('error', () => {});
  try {
    await c.connect();
    return await c.call(args[0] as string, ...args.slice(1));
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  } finally {
    c.disconnect();
  }
}

/** `k1 v1 k2 v2 ...` (a sentinel reply) -> object. */
function pairs(reply: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = String(reply[i + 1]);
  return out;
}

function infoField(info: unknown, field: string): string | undefined {
  if (typeof info !== 'string') return undefined;
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

async function startSentinel(
  spec: NonNullable<ReturnType<typeof sentinelCommand>>,
  conf: string,
  timeoutMs: number,
): Promise<SentinelProcess> {
  const port = await getFreePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), `indico-sentinel-${port}-`));
  const confPath = path.join(dir, 'sentinel.conf');
  const logPath = path.join(dir, 'sentinel.log');
  // Sentinel rewrites this file (it must be writable), which is why each one gets its own directory.
  writeFileSync(confPath, `port ${port}\nbind ${HOST}\ndir ${dir}\nlogfile ${logPath}\n${conf}`);
  const child = spawn(spec.cmd, spec.args(confPath), { stdio: 'ignore' });
  child.once('error', () => {});
  const log = () => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-20).join('\n');
    } catch {
      return '(no log)';
    }
  };
  let stopped = false;
  const handle: SentinelProcess = {
    port,
    dir,
    get pid() {
      return child.pid ?? -1;
    },
    log,
    async stop() {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await pingRedis(`redis://${HOST}:${port}`, 200))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const tail = log();
      await handle.stop();
      throw new Error(`sentinel on port ${port} did not answer PING within ${timeoutMs} ms:\n${tail}`);
    }
    await sleep(25);
  }
  return handle;
}

/**
 * Starts one master, `replicas` replicas (`--replicaof`) and `sentinels` Sentinel processes on free loopback
 * ports, each with its own temporary directory and config file, and waits until the sentinels agree (every
 * wait bounded by `timeoutMs`). Stop everything with `stop()`, also when a test fails.
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelHandle> {
  const spec = sentinelCommand();
  if (!spec) throw new Error('neither redis-sentinel nor redis-server is on PATH (apt-get install -y redis-server)');
  const name = options.name ?? 'indico';
  const nReplicas = options.replicas ?? 1;
  const nSentinels = options.sentinels ?? 3;
  const quorum = options.quorum ?? Math.floor(nSentinels / 2) + 1;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const nodeArgs = options.nodeArgs ?? [];
  const nodes: RedisServerHandle[] = [];
  const sentinels: SentinelProcess[] = [];

  const stop = async () => {
    await Promise.all(sentinels.map((s) => s.stop()));
    await Promise.all(nodes.map((n) => n.stop()));
  };

  const byPort = (port: number) => {
    const node = nodes.find((n) => n.port === port);
    if (!node) throw new Error(`sentinels name ${HOST}:${port} as master, which is none of this setup's nodes`);
    return node;
  };

  /** The master port every sentinel names, or null while they disagree / do not answer. */
  const agreedMasterPort = async (): Promise<number | null> => {
    const replies = await Promise.all(sentinels.map((s) => ask(s.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)));
    const ports = new Set(replies.map((r) => (Array.isArray(r) ? Number(r[1]) : Number.NaN)));
    if (ports.size !== 1) return null;
    const [port] = [...ports];
    return Number.isNaN(port) ? null : (port as number);
  };

  const waitUntil = async <T>(what: string, timeout: number, check: () => Promise<T | null>): Promise<T> => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const v = await check();
      if (v !== null) return v;
      if (Date.now() > deadline) {
        const logs = sentinels.map((s) => `--- sentinel ${s.port}\n${s.log()}`).join('\n');
        throw new Error(`redis sentinel setup: timed out after ${timeout} ms waiting for ${what}\n${logs}`);
      }
      await sleep(100);
    }
  };

  const isMaster = async (node: RedisServerHandle) => {
    const role = await ask(node.port, 'ROLE');
    return Array.isArray(role) && role[0] === 'master';
  };

  const waitForNewMaster = (previous: RedisServerHandle, timeout = timeoutMs) =>
    waitUntil(`a master other than ${previous.port}`, timeout, async () => {
      const port = await agreedMasterPort();
      if (port === null || port === previous.port) return null;
      const node = byPort(port);
      return (await isMaster(node)) ? node : null;
    });

  const waitStable: RedisSentinelHandle['waitStable'] = ({ exclude = [], timeoutMs: timeout = timeoutMs } = {}) =>
    waitUntil('a stable master with linked replicas seen by every sentinel', timeout, async () => {
      const port = await agreedMasterPort();
      if (port === null) return null;
      const master = byPort(port);
      if (!(await isMaster(master))) return null;
      const replicas = nodes.filter((n) => n !== master && !exclude.includes(n));
      for (const r of replicas) {
        const info = await ask(r.port, 'INFO', 'replication');
        if (infoField(info, 'role') !== 'slave') return null;
        if (infoField(info, 'master_port') !== String(port)) return null;
        if (infoField(info, 'master_link_status') !== 'up') return null;
      }
      for (const s of sentinels) {
        const ck = await ask(s.port, 'SENTINEL', 'CKQUORUM', name);
        if (typeof ck !== 'string' || !ck.startsWith('OK')) return null;
        const seen = await ask(s.port, 'SENTINEL', 'REPLICAS', name);
        if (!Array.isArray(seen)) return null;
        const ok = new Set(
          seen
            .map(pairs)
            .filter((r) => r.flags === 'slave' && r['master-link-status'] === 'ok')
            .map((r) => Number(r.port)),
        );
        if (!replicas.every((r) => ok.has(r.port))) return null;
      }
      return master;
    });

  try {
    const masterPort = await getFreePort();
    nodes.push(await startRedisServer({ port: masterPort, args: nodeArgs }));
    for (let i = 0; i < nReplicas; i++) {
      nodes.push(await startRedisServer({ args: [...nodeArgs, '--replicaof', HOST, String(masterPort)] }));
    }
    const conf = [
      `sentinel monitor ${name} ${HOST} ${masterPort} ${quorum}`,
      `sentinel down-after-milliseconds ${name} ${options.downAfterMs ?? 1000}`,
      `sentinel failover-timeout ${name} ${options.failoverTimeoutMs ?? 5000}`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n');
    for (let i = 0; i < nSentinels; i++) sentinels.push(await startSentinel(spec, conf, timeoutMs));
    await waitStable();
  } catch (err) {
    await stop();
    throw err;
  }

  const sentinelAddresses = sentinels.map((s) => ({ host: HOST, port: s.port }));
  const master = async () => {
    const port = await agreedMasterPort();
    if (port === null) throw new Error('the sentinels do not agree on a master');
    return byPort(port);
  };
  return {
    name,
    nodes,
    sentinels,
    sentinelAddresses,
    url: `redis-sentinel://${sentinelAddresses.map((a) => `${a.host}:${a.port}`).join(',')}/${name}`,
    master,
    waitStable,
    waitForNewMaster,
    async failover(timeout = timeoutMs) {
      const before = await master();
      const reply = await ask(sentinels[0]!.port, 'SENTINEL', 'FAILOVER', name);
      if (reply !== 'OK') {
        throw new Error(
          `SENTINEL FAILOVER ${name} was refused: ${reply instanceof Error ? reply.message : String(reply)}`,
        );
      }
      return waitForNewMaster(before, timeout);
    },
    stop,
  };
}
