import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID, loadDemoData } from '../src/demo-data.js';
import { serve, testConfig } from './helpers.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'indico_request.py');
const hasPython = spawnSync('python3', ['--version'], { stdio: 'ignore' }).status === 0;

function python(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

// The README's quick start: the documentation's Python client (ported to Python 3) against this server.
describe.skipIf(!hasPython)('README Python client (python3 examples/indico_request.py)', () => {
  let ctx: Awaited<ReturnType<typeof serve>>;
  let key: { ak: string; secret: string };

  beforeAll(async () => {
    // ALL_SIGNED: only a correctly signed request gets through (spec: export-api §3.3, mode 4).
    ctx = await serve(testConfig({ API_MODE: 'ALL_SIGNED' }));
    await loadDemoData(ctx.rt.catalog, { generated: 0, now: Date.now() });
    const r = await ctx.rt.keyStore.create(DEMO_ADMIN_ID);
    key = { ak: r.key, secret: r.secret };
  });
  afterAll(async () => {
    await ctx?.close();
  });

  it('signs a request the server accepts and prints the result', async () => {
    const { code, out } = await python([ctx.base, '/export/categ/2.json', key.ak, key.secret, 'limit=2']);
    expect(code, out).toBe(0);
    const [url, ...body] = out.trim().split('\n');
    expect(url).toMatch(/[?&]signature=[0-9a-f]{40}$/);
    const result = JSON.parse(body.join('\n')) as { count: number; results: Array<{ category: string }> };
    expect(result.count).toBe(2);
    expect(result.results[0]!.category).toBe('TEST Category');
  });

  it('is refused with a wrong secret', async () => {
    const { code, out } = await python([ctx.base, '/export/categ/2.json', key.ak, key.ak]);
    expect(code).not.toBe(0);
    expect(out).toMatch(/403/);
  });
});
