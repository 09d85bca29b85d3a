import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getFreePort } from '@indico/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config.js';
import { waitFor } from './processes.js';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const tools = has('python3') && has('curl') && has('openssl', 'version') && has('bash');

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

// The README's five-minute path, as written: `npm start` (tsx from the sources, embedded mode, demo data),
// the demo key from the log, then a signed request with curl + openssl and with the Python 3 client.
describe.skipIf(!tools)(
  tools ? 'README quick start' : 'README quick start !!! SKIPPED: needs python3, curl, openssl and bash',
  () => {
    let child: ReturnType<typeof spawn> | undefined;
    afterAll(() => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
    });

    it('starts in embedded mode and answers signed requests from curl and from the Python client', async () => {
      const port = await getFreePort();
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of CONFIG_VARIABLES) delete env[name];
      Object.assign(env, { PORT: String(port), API_MODE: 'ALL_SIGNED' });
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
      // what `pnpm --filter @indico/server start` runs
      child = spawn(process.execPath, ['--conditions=@indico/source', '--import', tsx, 'src/main.ts', 'start'], {
        cwd: appDir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      child.stdout!.on('data', (d) => {
        log += d;
      });
      const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
      const [, ak, secret] = await waitFor(
        'the demo key in the log',
        async () => /ak=([0-9a-f-]{36}) secret=([0-9a-f-]{36})/.exec(log),
        40_000, // tsx compiles the sources on a cold start; slow on a loaded machine
      );
      const base = `http://127.0.0.1:${port}`;
      await waitFor('the server', async () => (await fetch(`${base}/healthz`)).ok);
      expect(log).toMatch(/REDIS_URL is not set: embedded mode/);

      const curl = await run(
        'bash',
        [
          '-c',
          `set -e
TS=$(date +%s)
Q="apikey=$AK&limit=2&timestamp=$TS"
SIG=$(printf '%s' "/export/categ/2.json?$Q" | openssl dgst -sha1 -hmac "$SK" | sed 's/^.* //')
curl -sf "$BASE/export/categ/2.json?$Q&signature=$SIG"`,
        ],
        { ...process.env, AK: ak, SK: secret, BASE: base },
      );
      expect(curl.code, curl.out).toBe(0);
      expect(JSON.parse(curl.out)).toMatchObject({ count: 2 });

      const py = await run('python3', [
        path.join(appDir, 'examples', 'indico_request.py'),
        base,
        '/export/event/137346.json',
        ak!,
        secret!,
      ]);
      expect(py.code, py.out).toBe(0);
      expect(JSON.parse(py.out.trim().split('\n').slice(1).join('\n'))).toMatchObject({ count: 1 });

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }, 60_000);
  },
);
