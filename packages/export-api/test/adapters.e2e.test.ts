import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportApiMiddleware } from '../src/express.js';
import { createNodeListener, type ExportHandler } from '../src/index.js';
import { seedCatalog, seedHandler } from './helpers.js';

let handler: ExportHandler;
beforeAll(async () => {
  handler = seedHandler(await seedCatalog(), {
    nowSec: 1308841641,
    hooks: [
      {
        name: 'echo',
        prefix: 'api',
        pattern: '(echo)/(?<id>[0-9]+)',
        handler: async (ctx) => ({ results: [{ id: ctx.groups.id, v: ctx.params.get('v') ?? null }] }),
      },
    ],
  });
});

describe('node:http adapter over real HTTP', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer(createNodeListener(handler, { mountPath: '/indico' }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('serves /export under the mount path with the bare content type and an exact length', async () => {
    const res = await fetch(`${base}/indico/export/categ/2.json?from=today&to=today`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    const json = JSON.parse(text);
    expect(json.count).toBe(2);
    // spec §1.1: the url is built from the path relative to the mount point
    expect(json.url).toBe('https://indico.server/export/categ/2.json?from=today&to=today');
  });

  it('answers paths outside the mount with 404 and reads POST bodies for /api', async () => {
    expect((await fetch(`${base}/export/categ/2.json`)).status).toBe(404);
    const res = await fetch(`${base}/indico/api/echo/3.json?v=query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'v=body',
    });
    expect(((await res.json()) as { results: unknown }).results).toEqual([{ id: '3', v: 'body' }]);
  });
});

describe('express adapter over real HTTP', () => {
  const app = express();
  app.get('/health', (_req, res) => {
    res.send('ok');
  });
  app.use(
    '/indico',
    exportApiMiddleware((r) => handler(r)),
  );

  it('serves the export API where it is mounted and leaves other routes to express', async () => {
    const res = await request(app).get('/indico/export/event/137346.xml?pretty=yes');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml');
    expect(res.text).toContain('<conference fossil="conferenceMetadata" id="137346">');
    expect((await request(app).get('/health')).text).toBe('ok');
    expect((await request(app).get('/indico/other')).status).toBe(404);
  });

  it('passes 4xx JSON errors through unchanged', async () => {
    const res = await request(app).get('/indico/export/categ/2.json?tz=Bad/Zone');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: "Bad timezone: 'Bad/Zone'", _type: 'HTTPAPIError', _fossil: 'hTTPAPIError' });
  });

  it('reads a POST body already parsed by express.urlencoded()', async () => {
    const parsed = express();
    parsed.use(express.urlencoded({ extended: false }));
    parsed.use(exportApiMiddleware((r) => handler(r)));
    const res = await request(parsed).post('/api/echo/9.json').type('form').send('v=parsed');
    expect(res.body.results).toEqual([{ id: '9', v: 'parsed' }]);
  });
});
