import express, { type Express } from 'express';

export interface AppInfo {
  /** 'memory' when no REDIS_URL is configured. */
  store: 'memory' | 'redis';
  startedAt: number;
}

const page = (info: AppInfo) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Indico reference server</title></head>
<body>
<h1>Indico reference server</h1>
<p id="status">Status: <strong>ok</strong>, store: <code>${info.store}</code></p>
<p>Health: <a href="/healthz">/healthz</a></p>
</body>
</html>
`;

export function createApp(info: AppInfo): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', store: info.store, uptimeMs: Date.now() - info.startedAt });
  });
  app.get('/', (_req, res) => {
    res.type('html').send(page(info));
  });
  return app;
}
