import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LaunchResult, LazyAbort } from './execute.js';
import type { Logger } from './logger.js';
import type { TaskRecord } from './record.js';
import type { BaseTask } from './task.js';

export interface LaunchRequest {
  task: BaseTask;
  record: TaskRecord;
  delay: number;
  abort: LazyAbort;
  logger: Logger;
  heartbeat(): Promise<void>;
}

export interface Launcher {
  launch(request: LaunchRequest): Promise<LaunchResult>;
  close(): Promise<void>;
}

/** Messages between the daemon and a worker (thread or child process). */
export type WorkerMessage =
  | { type: 'heartbeat' }
  | { type: 'log'; level: keyof Logger; obj: object; msg?: string }
  | { type: 'result'; result: LaunchResult };

export interface WorkerJob {
  workerModule: string;
  record: TaskRecord;
  delay: number;
  maxTries: number;
  retryBackoff: number;
}

/** The ESM build of tsx's register API (only used when running from TypeScript sources). */
function tsxApi(): string {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  return pathToFileURL(cjs.replace(/index\.cjs$/, 'index.mjs')).href;
}

function entryFile(): { file: URL; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return { file: new URL('./worker-entry.ts', here), execArgv: ['--import', 'tsx'] };
  const ext = here.endsWith('.cjs') ? '.cjs' : '.js';
  return { file: new URL(`./worker-entry${ext}`, here), execArgv: [] };
}

/**
 * One worker per launch, like Indico 1.2's ThreadWorker / ProcessWorker. A worker that exits without a result is
 * reported FAILED with `worker crashed` (not retried); an aborted launch (AWOL, shutdown) kills its worker.
 */
export function createWorkerLauncher(
  mode: 'threads' | 'processes',
  workerModule: string,
  options: { maxTries: number; retryBackoff: number },
): Launcher {
  const { file, execArgv } = entryFile();
  const live = new Set<{ kill(): void }>();
  return {
    launch(req) {
      const job: WorkerJob = {
        workerModule,
        record: req.record,
        delay: req.delay,
        maxTries: options.maxTries,
        retryBackoff: options.retryBackoff,
      };
      const startedOn = Date.now();
      return new Promise<LaunchResult>((resolve) => {
        let result: LaunchResult | null = null;
        const onMessage = (m: WorkerMessage) => {
          if (m.type === 'heartbeat') void req.heartbeat();
          else if (m.type === 'log') req.logger[m.level](m.obj, m.msg);
          else if (m.type === 'result') result = m.result;
        };
        const finish = () => {
          live.delete(handle);
          resolve(
            result ?? { outcome: 'failed', attempts: 0, error: 'worker crashed', startedOn, endedOn: Date.now() },
          );
        };
        let handle: { kill(): void };
        if (mode === 'threads') {
          // From TypeScript sources (tests, tsx) a worker thread cannot take `--import tsx`: register it in a bootstrap.
          const w =
            execArgv.length > 0
              ? new Worker(
                  `import(${JSON.stringify(tsxApi())})` +
                    `.then((m) => { m.register(); return import(${JSON.stringify(file.href)}); })`,
                  { eval: true, workerData: job },
                )
              : new Worker(file, { workerData: job });
          w.on('message', onMessage);
          w.on('error', (err) => req.logger.error({ err: String(err) }, 'worker thread error'));
          w.once('exit', finish);
          handle = { kill: () => void w.terminate() };
        } else {
          const child: ChildProcess = fork(file, [], {
            execArgv,
            serialization: 'advanced',
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          child.on('message', (m) => onMessage(m as WorkerMessage));
          child.once('exit', finish);
          child.send(job);
          handle = { kill: () => child.kill('SIGKILL') };
        }
        live.add(handle);
        req.abort.signal.addEventListener('abort', () => handle.kill(), { once: true });
      });
    },
    async close() {
      for (const h of live) h.kill();
      live.clear();
    },
  };
}
