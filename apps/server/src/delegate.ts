import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
/** True when this process runs the TypeScript sources (tsx), false when it runs the tsup build. */
export const fromSource = import.meta.url.endsWith('.ts');

/** This app's own module, source or built (`scheduler-module` for the indico-scheduler bin). */
export function ownModule(name: string): string {
  return path.join(here, fromSource ? `${name}.ts` : `${name}.js`);
}

/**
 * How to spawn the scheduler's bin (only `start` / `restart` in the background need it: that command forks its
 * own entry file; everything else, and every livesync command, calls the package's exported `main` in this
 * process, see subcommands.ts). From source, `src/cli.ts` runs under tsx with the `@indico/source` condition;
 * from a build, its `dist/cli.js` (the sources again if the package is not built).
 */
export function packageCli(pkg: '@indico/scheduler'): { command: string; args: string[] } {
  const dir = path.dirname(require.resolve(`${pkg}/package.json`));
  const src = path.join(dir, 'src', 'cli.ts');
  const dist = path.join(dir, 'dist', 'cli.js');
  if (existsSync(src) && (fromSource || !existsSync(dist))) {
    const tsx = pathToFileURL(require.resolve('tsx/esm')).href;
    return { command: process.execPath, args: ['--conditions=@indico/source', '--import', tsx, src] };
  }
  return { command: process.execPath, args: [dist] };
}

/** Runs a package CLI with inherited stdio; resolves with its exit code. */
export function runPackageCli(
  pkg: '@indico/scheduler',
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<number> {
  const { command, args } = packageCli(pkg);
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args, ...argv], { stdio: 'inherit', env: { ...process.env, ...env } });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
