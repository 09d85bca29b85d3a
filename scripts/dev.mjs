#!/usr/bin/env node
// Entry point of the README's two commands (`npm start`, `npm test`). On a fresh machine with
// only Node and npm it installs the pinned pnpm and the workspace's dependencies first.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pinned = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];

function pnpmVersion() {
  try {
    return execFileSync('pnpm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function ensurePnpm() {
  if (pnpmVersion() === pinned) return;
  console.error(`[bootstrap] installing pnpm@${pinned} with npm`);
  if (run('npm', ['i', '-g', '--allow-scripts=pnpm', `pnpm@${pinned}`]) !== 0) process.exit(1);
}

function ensureDeps() {
  const marker = path.join(root, 'node_modules', '.modules.yaml');
  const lock = path.join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.error('[bootstrap] installing dependencies (pnpm install --frozen-lockfile)');
  if (run('pnpm', ['install', '--frozen-lockfile']) !== 0) process.exit(1);
}

const [command, ...rest] = process.argv.slice(2);
ensurePnpm();
ensureDeps();
switch (command) {
  case 'start':
    process.exit(run('pnpm', ['--filter', '@indico/server', 'start', ...rest]));
    break;
  case 'test':
    process.exit(run('pnpm', ['exec', 'vitest', 'run', ...rest]));
    break;
  default:
    console.error('usage: node scripts/dev.mjs start|test [args]');
    process.exit(2);
}
