import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_VARIABLES } from '../src/config.js';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles `src/main.ts` (with every @indico package from its sources, like tsx does) into one file, so that
 * each `indico-server` process in a test starts in about a second instead of several under tsx.
 * Returns the bundle's path; `remove()` deletes it.
 */
export async function buildCli(): Promise<{ main: string; remove(): void }> {
  const require = createRequire(import.meta.url);
  // esbuild comes with tsx (not a direct dependency of this app).
  const esbuild = require(createRequire(require.resolve('tsx')).resolve('esbuild')) as {
    build(options: Record<string, unknown>): Promise<unknown>;
  };
  const dir = path.join(appDir, 'test', '.bundle', `${process.pid}-${randomBytes(4).toString('hex')}`);
  const main = path.join(dir, 'main.mjs');
  await esbuild.build({
    entryPoints: [path.join(appDir, 'src', 'main.ts')],
    outfile: main,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@indico/source'],
    external: ['tsx', 'tsx/*'],
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return { main, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The test runner's environment without any server variable (vite sets BASE_URL, for one), plus `env`. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete out[name];
  return { ...out, ...env };
}

export const hasRedisServer = () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** The suite title, saying why it is skipped when `redis-server` is missing (and failing under CI=true). */
export function withRedisServer(title: string): string {
  if (hasRedisServer()) return title;
  if (process.env.CI === 'true')
    throw new Error(`${title}: needs redis-server on PATH (apt-get install -y redis-server)`);
  return `${title} !!! SKIPPED: redis-server is not on PATH (apt-get install -y redis-server)`;
}

/** Runs `indico-server <args>` (the bundle from `buildCli`) to completion. */
export function runCli(
  main: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      cwd: appDir,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface LongRunning {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string | null>;
  /** Sends a signal to this process only (by pid). */
  kill(signal: NodeJS.Signals): void;
}

/** Starts `indico-server <args>` in the background (start, scheduler). */
export function startCli(main: string, args: string[], env: Record<string, string>): LongRunning {
  const child = spawn(process.execPath, [main, ...args], {
    cwd: appDir,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return {
    child,
    output: () => out,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes (then throws with `what`). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
