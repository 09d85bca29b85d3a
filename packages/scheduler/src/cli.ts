#!/usr/bin/env node
import { fork } from 'node:child_process';
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { Client } from './client.js';
import type { Logger } from './logger.js';
import type { TaskRegistry } from './registry.js';
import { Scheduler, type SchedulerConfig } from './scheduler.js';
import type { SchedulerStore } from './store.js';
import { createRedisStore } from './stores/redis.js';

export interface CliIo {
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  /** Overridable for tests. */
  isProcessAlive?(pid: number): boolean;
  hostname?: string;
}

const USAGE = `usage: indico-scheduler [-f|--force] [-p|--fork-processes] <command>
  start [-s|--standalone] [--log LEVEL]
                            start the daemon (in the background unless --standalone); LEVEL debug|info|warn|error
  stop                      ask the daemon to shut down and wait for it
  restart                   stop, then start
  check [-q|--quiet]        exit 0 when running here, 1 when not, 2 when on another host
  show status | show spool
  cmd clear_spool
  run TASKID                run one task's run() here, bypassing states and indexes
environment: REDIS_URL (required), INDICO_SCHEDULER_PREFIX (default "indico:"),
  INDICO_SCHEDULER_MODULE (module exporting { registry, services?, config? }; needed by start and run)`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function jsonLogger(write: (line: string) => void, minLevel = 'info'): Logger {
  const min = Math.max(0, LEVELS.indexOf(minLevel.toLowerCase() as (typeof LEVELS)[number]));
  const log = (level: (typeof LEVELS)[number]) =>
    LEVELS.indexOf(level) < min
      ? () => {}
      : (obj: object, msg?: string) =>
          write(
            JSON.stringify({ time: new Date().toISOString(), level, pid: process.pid, name: 'scheduler', ...obj, msg }),
          );
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

interface UserModule {
  registry?: TaskRegistry;
  services?: unknown;
  config?: Partial<SchedulerConfig>;
}

async function loadModule(spec: string | undefined): Promise<UserModule & { path: string }> {
  if (!spec) throw new Error('INDICO_SCHEDULER_MODULE must name a module exporting your task registry');
  const url = /^[a-z]+:/.test(spec) ? spec : pathToFileURL(path.resolve(spec)).href;
  const mod = (await import(url)) as UserModule & { default?: UserModule };
  const m = mod.registry ? mod : (mod.default ?? {});
  if (!m.registry) throw new Error(`${spec} exports no registry`);
  return { ...m, path: url };
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const args = [...argv];
  let force = false;
  let processes = false;
  while (args[0]?.startsWith('-')) {
    const a = args.shift()!;
    if (a === '-f' || a === '--force') force = true;
    else if (a === '-p' || a === '--fork-processes') processes = true;
    else if (a === '-h' || a === '--help') {
      io.out(USAGE);
      return 0;
    } else {
      io.err(`unknown option ${a}\n${USAGE}`);
      return -1;
    }
  }
  const command = args.shift();
  if (!command) {
    io.err(USAGE);
    return -1;
  }
  const url = io.env.REDIS_URL;
  if (!url) {
    io.err('REDIS_URL is not set');
    return -1;
  }
  const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true });
  const store: SchedulerStore = createRedisStore({ redis, prefix: io.env.INDICO_SCHEDULER_PREFIX ?? 'indico:' });
  const isAlive = io.isProcessAlive ?? alive;
  const hostname = io.hostname ?? os.hostname();
  try {
    await redis.connect();
    const mod = ['start', 'run'].includes(command) ? await loadModule(io.env.INDICO_SCHEDULER_MODULE) : null;
    const registry = mod?.registry;
    const client = new Client({ store, registry: registry ?? ({} as TaskRegistry) });
    const status = () => client.getStatus();

    const logAt = args.indexOf('--log');
    const logLevel = logAt >= 0 ? (args[logAt + 1] ?? 'info') : 'info';
    const start = async (standalone: boolean): Promise<number> => {
      const s = await status();
      if (s.state && !force) {
        io.err('The daemon seems to be already running (consider -f?)');
        return 1;
      }
      if (!standalone) {
        const argv = [...(force ? ['-f'] : []), ...(processes ? ['-p'] : []), 'start', '-s', '--log', logLevel];
        const child = fork(process.argv[1]!, argv, {
          detached: true,
          stdio: 'ignore',
          env: process.env,
        });
        child.unref();
        child.disconnect?.();
        io.out(String(child.pid));
        return 0;
      }
      const sched = new Scheduler({
        ...(mod?.config ?? {}),
        store,
        registry: registry!,
        services: mod?.services,
        logger: jsonLogger(io.out, logLevel),
        ...(processes ? { multitaskMode: 'processes' as const, workerModule: mod!.path } : {}),
      });
      const onSignal = () => void sched.stop('signal');
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
      const message = await sched.run();
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      io.out(`Scheduler stopped: ${message}`);
      return 0;
    };

    const stop = async (): Promise<number> => {
      const s = await status();
      if (!s.state && !force) {
        io.err('The daemon is not running (consider -f?)');
        return 1;
      }
      for (const d of s.daemons.filter((x) => x.alive)) {
        void d;
        await client.shutdown('Daemon script');
      }
      if (!s.state) await client.shutdown('Daemon script');
      io.out('Waiting for death confirmation... ');
      for (let i = 0; i < 20; i++) {
        if (!(await status()).state) {
          io.out('DONE!');
          return 0;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      io.out('FAILED!');
      io.out('DONE!');
      return 1;
    };

    switch (command) {
      case 'start':
        return await start(args.includes('-s') || args.includes('--standalone'));
      case 'stop':
        return await stop();
      case 'restart': {
        const s = await status();
        if (s.state && s.hostname !== hostname && !force) {
          io.err(`The daemon runs on ${s.hostname} (consider -f?)`);
          return 1;
        }
        if (s.state) await stop();
        return await start(false);
      }
      case 'check': {
        const quiet = args.includes('-q') || args.includes('--quiet');
        const s = await status();
        const local = s.daemons.filter((d) => d.alive && d.hostname === hostname);
        const remote = s.daemons.filter((d) => d.alive && d.hostname !== hostname);
        if (!quiet) io.err(`Database status: running=${s.state}, host=${s.hostname}, pid=${s.pid}`);
        if (local.length === 0 && remote.length > 0) return 2;
        if (local.length === 0) return 1;
        const live = local.filter((d) => isAlive(d.pid));
        const dead = local.filter((d) => !isAlive(d.pid));
        if (!quiet) io.err(`Process status: running=${live.length > 0}`);
        if (dead.length > 0) {
          io.out('Marking dead scheduler as not running');
          await store.recover(
            Date.now(),
            30_000,
            dead.map((d) => d.id),
          );
        }
        if (live.length > 0) {
          io.out(live.map((d) => String(d.pid)).join('\n'));
          return 0;
        }
        return 1;
      }
      case 'show': {
        const what = args[0];
        if (what === 'status') {
          const s = await status();
          io.out(
            s.state
              ? `Scheduler is currently running on ${s.hostname} with pid ${s.pid}`
              : 'Scheduler is currently NOT running',
          );
          io.out(`Spooled commands: ${s.spooled}`);
          io.out(`Waiting: ${s.waiting}\nRunning: ${s.running}\nFailed: ${s.failed}\nFinished: ${s.finished}`);
          io.out(`Dead letters: ${s.deadLetter}`);
          return 0;
        }
        if (what === 'spool') {
          for (const e of await client.getSpool()) {
            if (e.op === 'add') io.out(`add [${e.task.data.typeId}:${e.task.data.ref}]`);
            else if (e.op === 'del' || e.op === 'change') io.out(`${e.op} ${JSON.stringify(e.target)}`);
            else io.out(e.op);
          }
          return 0;
        }
        io.err('show status | show spool');
        return -1;
      }
      case 'cmd':
        if (args[0] !== 'clear_spool') {
          io.err('cmd clear_spool');
          return -1;
        }
        io.out(`${await client.clearSpool()} operations removed`);
        return 0;
      case 'run': {
        const id = Number(args[0]);
        if (!Number.isInteger(id)) {
          io.err('run TASKID');
          return -1;
        }
        const record = await store.getTask({ id });
        if (!record) throw new Error(`task ${id} not found`);
        const task = registry!.hydrate(record);
        const logger = jsonLogger(io.out);
        await task.run({
          taskId: id,
          typeId: record.typeId,
          attempt: 1,
          maxTries: 1,
          delay: 0,
          logger,
          signal: new AbortController().signal,
          heartbeat: async () => {},
          now: () => Date.now(),
          services: mod?.services,
          afterRun: (fn) => void fn(),
        });
        io.out(`task ${id} ran`);
        return 0;
      }
      default:
        io.err(`unknown command ${command}\n${USAGE}`);
        return -1;
    }
  } catch (err) {
    io.err(err instanceof Error ? err.message : String(err));
    return -1;
  } finally {
    await store.close();
    redis.disconnect();
  }
}

function invokedDirectly(): boolean {
  try {
    return !!process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2), {
    env: process.env,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  }).then((code) => {
    process.exitCode = code < 0 ? 255 : code;
  });
}
