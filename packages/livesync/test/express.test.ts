import { createFakeClock } from '@indico/test-utils';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { livesyncMiddleware } from '../src/express.js';
import { type ChangeEntry, createMemoryTrackStore, recordChange, SyncManager } from '../src/index.js';
import { collect } from './helpers.js';

describe('livesyncMiddleware', () => {
  function setup() {
    const clock = createFakeClock(Date.UTC(2026, 0, 1, 12, 0, 50));
    const manager = new SyncManager({
      store: createMemoryTrackStore(),
      granularity: 100,
      clock,
      excludedCategories: ['9'],
    });
    const mw = livesyncMiddleware(manager);
    const app = express();
    app.use(mw);
    app.post('/events/:id', async (req, res) => {
      // spec §2.6.1: creating an event records created on it and data_changed on its category
      await recordChange(manager, { kind: 'event', id: req.params.id, categoryPath: ['0', '2'] }, 'created');
      await recordChange(manager, { kind: 'category', id: '2', categoryPath: ['0'] }, 'data_changed');
      await new Promise((r) => setImmediate(r));
      await recordChange(manager, { kind: 'event', id: req.params.id, categoryPath: ['0', '2'] }, 'title_changed');
      res.status(201).json({ ok: true });
    });
    app.post('/hidden', async (_req, res) => {
      await recordChange(manager, { kind: 'event', id: '77', categoryPath: ['0', '9', '12'] }, 'data_changed');
      res.json({ ok: true });
    });
    app.post('/bad', async (_req, res) => {
      try {
        await recordChange(manager, { kind: 'event', id: '1' }, 'nope' as never);
        res.json({ ok: true });
      } catch (err) {
        res.status(400).json({ code: (err as { code: string }).code });
      }
    });
    return { manager, mw, app };
  }

  async function entries(manager: SyncManager): Promise<ChangeEntry[]> {
    return (await collect(manager.getTrack().iterate())).map(([, e]) => e);
  }

  it('collapses a request into one entry per object with one timestamp', async () => {
    const { manager, mw, app } = setup();
    await request(app).post('/events/5').expect(201);
    await mw.idle();
    const got = await entries(manager);
    // spec §2.15 scenario 2
    expect(got.map((e) => `${e.kind}:${e.id}:${e.changes.join('+')}`).sort()).toEqual([
      'category:2:data_changed',
      'event:5:created+data_changed+title_changed',
    ]);
    expect(new Set(got.map((e) => e.ts)).size).toBe(1);
  });

  it('keeps two requests apart', async () => {
    const { manager, mw, app } = setup();
    await request(app).post('/events/5').expect(201);
    await request(app).post('/events/6').expect(201);
    await mw.idle();
    expect(
      (await entries(manager))
        .filter((e) => e.kind === 'event')
        .map((e) => e.id)
        .sort(),
    ).toEqual(['5', '6']);
  });

  it('does not record objects below an excluded category', async () => {
    const { manager, mw, app } = setup();
    await request(app).post('/hidden').expect(200);
    await mw.idle();
    expect(await entries(manager)).toEqual([]);
  });

  it('rejects an unknown change type inside a request and records nothing', async () => {
    const { manager, mw, app } = setup();
    const res = await request(app).post('/bad').expect(400);
    expect(res.body.code).toBe('UNKNOWN_CHANGE_TYPE');
    await mw.idle();
    expect(await entries(manager)).toEqual([]);
  });
});
