import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getFreePort, type RedisServerHandle, startRedisServer } from '@indico/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_ID } from '../src/demo-data.js';
import { type Key, manage, signed } from './helpers.js';
import { buildCli, hasRedisServer, type LongRunning, runCli, startCli, waitFor, withRedisServer } from './processes.js';

interface Batch {
  agent: string;
  records: Array<{ kind: string; objectId: string; change: string }>;
}

/** A local livesync consumer: records every batch POSTed to it. */
async function startSink(): Promise<{ url: string; batches: Batch[]; close(): Promise<void> }> {
  const batches: Batch[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      batches.push(JSON.parse(body) as Batch);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/livesync`,
    batches,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe.skipIf(!hasRedisServer())(
  withRedisServer('indico-server over real HTTP and Redis (CLI, export, management, livesync)'),
  () => {
    let redis: RedisServerHandle;
    let sink: Awaited<ReturnType<typeof startSink>>;
    let env: Record<string, string>;
    let cli: Awaited<ReturnType<typeof buildCli>>;
    let web: LongRunning | undefined;
    let daemon: LongRunning | undefined;
    let base: string;

    beforeAll(async () => {
      cli = await buildCli();
      redis = await startRedisServer();
      sink = await startSink();
      const port = await getFreePort();
      base = `http://127.0.0.1:${port}`;
      env = {
        REDIS_URL: redis.url,
        REDIS_PREFIX: 'e2e',
        PORT: String(port),
        HOST: '127.0.0.1',
        API_MODE: 'SIGNED',
        LIVESYNC_GRANULARITY: '1',
        LIVESYNC_AGENTS: JSON.stringify([{ id: 'sink', type: 'http', url: sink.url }]),
        SCHEDULER_SLEEP_MS: '100',
        DEMO_EVENTS: '10',
        LOG_LEVEL: 'warn',
      };
    });

    afterAll(async () => {
      cli?.remove();
      web?.kill('SIGKILL');
      daemon?.kill('SIGKILL');
      await sink?.close();
      await redis?.stop();
    });

    it('seeds, issues a key with the CLI, serves signed json/ics/xml, and pushes a management change to the sink', async () => {
      const [seeded, created] = await Promise.all([
        runCli(cli.main, ['seed'], env),
        runCli(cli.main, ['apikey', 'create', '--user', DEMO_ADMIN_ID, '--json'], env),
      ]);
      expect(seeded.code, seeded.stderr).toBe(0);
      expect(created.code, created.stderr).toBe(0);
      // --json prints exactly one JSON object on stdout
      const lines = created.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const parsed = JSON.parse(lines[0]!) as Record<string, string>;
      expect(Object.keys(parsed).sort()).toEqual(['ak', 'secret']);
      const key: Key = { ak: parsed.ak!, secret: parsed.secret! };

      web = startCli(cli.main, ['start'], env);
      await waitFor('the web server', async () => (await fetch(`${base}/healthz`)).ok);

      // spec: export-api §3.3 SIGNED mode: a signed request runs as the key's user
      const json = await signed(base, key, '/export/event/137346.json', { detail: 'contributions' });
      expect(json.status).toBe(200);
      const body = (await json.json()) as { count: number; results: Array<{ id: string; title: string }> };
      expect(body.results[0]).toMatchObject({ id: '137346' });
      const ics = await signed(base, key, '/export/categ/2.ics', { from: '2011-06-01', to: '2011-07-31' });
      expect(ics.status).toBe(200);
      expect(ics.headers.get('content-type')).toMatch(/text\/calendar/);
      expect(await ics.text()).toMatch(/^BEGIN:VCALENDAR/);
      const xml = await signed(base, key, '/export/event/137344.xml');
      expect(xml.status).toBe(200);
      expect(await xml.text()).toMatch(/^<\?xml/);
      const bad = await fetch(`${base}/export/event/137346.json?ak=${key.ak}&timestamp=1&signature=${'0'.repeat(40)}`);
      expect(bad.status).toBe(403);

      const changed = await manage(base, key, 'PATCH', '/manage/events/137346', {
        title: 'Export Test, moved to Mezzanine',
      });
      expect(changed.status).toBe(200);
      const changedAt = Date.now();
      const again = await signed(base, key, '/export/event/137346.json', { nocache: 'yes' });
      expect(((await again.json()) as { results: Array<{ title: string }> }).results[0]!.title).toBe(
        'Export Test, moved to Mezzanine',
      );

      // Key usage as the CLI lists it, the livesync CLI mounted as a subcommand, and the catalog export
      // (together they also spend most of the wait below).
      const [listed, agents, exported, status] = await Promise.all([
        runCli(cli.main, ['apikey', 'list', '--json'], env),
        runCli(cli.main, ['livesync', 'agent', 'list'], env),
        runCli(cli.main, ['export', '-'], env),
        // the scheduler CLI runs in-process (bundled into the server's single file here)
        runCli(cli.main, ['scheduler', 'show', 'status'], env),
      ]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/^Waiting: \d+$/m);
      expect(status.stderr).not.toMatch(/unknown command/);
      expect(agents.code, agents.stderr).toBe(0);
      expect(agents.stdout).toMatch(/^sink\s+http\b/m);
      const dump = JSON.parse(exported.stdout) as { events: Array<{ id: string; title: string }> };
      expect(dump.events.find((e) => e.id === '137346')?.title).toBe('Export Test, moved to Mezzanine');
      const keys = JSON.parse(listed.stdout) as Array<{ user: string; uses: number }>;
      expect(keys).toEqual([expect.objectContaining({ user: DEMO_ADMIN_ID })]);
      expect(keys[0]!.uses).toBeGreaterThanOrEqual(5);

      // The change's bucket (1 s) must be closed, plus livesync's 2 s late-write margin, before an agent sends it.
      await new Promise((r) => setTimeout(r, Math.max(0, changedAt + 3_500 - Date.now())));
      // The daemon spools LiveSyncUpdateTask, whose first occurrence runs at once.
      daemon = startCli(cli.main, ['scheduler'], env);
      const record = await waitFor(
        'the change at the sink',
        async () =>
          sink.batches
            .flatMap((b) => b.records)
            .find((r) => r.kind === 'event' && r.objectId === '137346' && r.change !== 'created'),
        20_000,
      );
      expect(record.change).toBe('updated');
      expect(sink.batches[0]!.agent).toBe('sink');
      // The agent's first run (the web process registered it) began with the initial full export.
      expect(
        sink.batches[0]!.records.some((r) => r.kind === 'event' && r.objectId === '137346' && r.change === 'created'),
      ).toBe(true);

      // Blocking the key through the CLI takes effect at once (spec: export-api §3.2 "API key is blocked").
      expect((await runCli(cli.main, ['apikey', 'block', key.ak], env)).code).toBe(0);
      const blocked = await signed(base, key, '/export/event/137346.json');
      expect(blocked.status).toBe(403);
      expect(await blocked.json()).toMatchObject({ message: 'API key is blocked' });

      // A signed dashboard link from the CLI signs the administrator in (session cookie, then redirect).
      expect((await runCli(cli.main, ['apikey', 'unblock', '--user', DEMO_ADMIN_ID], env)).code).toBe(0);
      const link = await runCli(cli.main, ['dashboard-url', '--user', DEMO_ADMIN_ID], env);
      const opened = await fetch(link.stdout.trim(), { redirect: 'manual' });
      expect(opened.status).toBe(303);
      expect(opened.headers.get('set-cookie')).toMatch(/^indico_dashboard=.+HttpOnly/);

      // Graceful shutdown on SIGTERM: both processes exit 0.
      web.kill('SIGTERM');
      daemon.kill('SIGTERM');
      expect(await web.exited).toBe(0);
      expect(await daemon.exited).toBe(0);
    }, 45_000);
  },
);
