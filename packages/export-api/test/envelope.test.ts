/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ExportApiError, STATUS_BY_CODE } from '../src/index.js';
import { get, seedCatalog, seedHandler } from './helpers.js';

describe('envelope (spec §6.1)', () => {
  it('has count, _type, complete, url, ts, results and additionalInfo', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: 1234, baseUrl: 'https://example.org/indico' });
    const res = await get(h, '/export/event/137346.json', 'occ=yes');
    expect(Object.keys(res.json).sort()).toEqual([
      '_type',
      'additionalInfo',
      'complete',
      'count',
      'results',
      'ts',
      'url',
    ]);
    expect(res.json._type).toBe('HTTPAPIResult');
    expect(res.json.count).toBe(1);
    expect(res.json.ts).toBe(1234);
    expect(res.json.url).toBe('https://example.org/indico/export/event/137346.json?occ=yes');
    expect(res.json.additionalInfo).toEqual({});
    expect(res.json._fossil).toBeUndefined();
  });

  it('counts the keys of a dict result (timetable: number of events)', async () => {
    const h = seedHandler(await seedCatalog());
    const res = await get(h, '/export/timetable/137346-137344-404.json');
    expect(res.json.count).toBe(2);
    expect(Object.keys(res.json.results).sort()).toEqual(['137344', '137346']);
  });

  it('produces the Indico 3.x envelope and error body when asked', async () => {
    const h = seedHandler(await seedCatalog(), { envelope: '3.x' });
    const ok = await get(h, '/export/event/137346.json');
    expect(Object.keys(ok.json).sort()).toEqual(['_type', 'additionalInfo', 'count', 'results', 'ts', 'url']);
    const bad = await get(h, '/export/event/137346.json', 'tz=Nowhere/Land');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ message: "Bad timezone: 'Nowhere/Land'" });
  });
});

describe('errors (spec §6.2)', () => {
  it('maps every error code to one status, with 200 for codeless Indico errors', () => {
    expect(STATUS_BY_CODE).toEqual({
      INVALID_ARGUMENT: 400,
      BAD_PARAMETER: 400,
      NOT_AUTHENTICATED: 403,
      FORBIDDEN: 403,
      NOT_FOUND: 404,
      METHOD_NOT_ALLOWED: 405,
      SOFT_FAILURE: 200,
      INTERNAL: 500,
    });
  });

  it('serves errors of json, xml and jsonp in their own format, and of ics, atom and html as JSON', async () => {
    const h = seedHandler(await seedCatalog());
    const xml = await get(h, '/export/categ/2.xml', 'from=bad');
    expect(xml.status).toBe(400);
    expect(xml.headers['content-type']).toBe('text/xml');
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml.body);
    expect(parsed.httpapierror['@_fossil']).toBe('hTTPAPIError');
    expect(parsed.httpapierror.message).toBe("Impossible to parse 'bad'");
    const jsonp = await get(h, '/export/categ/2.jsonp', 'from=bad&jsonp=cb');
    expect(jsonp.headers['content-type']).toBe('application/javascript');
    expect(jsonp.body.startsWith('// fetched from Indico\ncb(')).toBe(true);
    for (const fmt of ['ics', 'atom', 'html']) {
      const res = await get(h, `/export/categ/2.${fmt}`, 'from=bad');
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.json.message).toBe("Impossible to parse 'bad'");
    }
  });

  it('answers onlyauthed=yes without a user with 403 Not authenticated', async () => {
    const h = seedHandler(await seedCatalog());
    const res = await get(h, '/export/categ/2.json', 'oa=yes');
    expect(res.status).toBe(403);
    expect(res.json.message).toBe('Not authenticated');
  });

  it('serves hook errors raised without an Indico code as 200, and unexpected failures as a JSON 500', async () => {
    const errors: unknown[] = [];
    const h = seedHandler(await seedCatalog(), {
      logger: { error: (o) => errors.push(o) },
      hooks: [
        {
          name: 'soft',
          pattern: '(soft)/(?<id>[0-9]+)',
          async handler() {
            throw new ExportApiError('SOFT_FAILURE', 'E-payment is not enabled');
          },
        },
        {
          name: 'boom',
          pattern: '(boom)/(?<id>[0-9]+)',
          async handler() {
            throw new Error('database on fire');
          },
        },
      ],
    });
    const soft = await get(h, '/export/soft/1.json');
    expect(soft.status).toBe(200);
    expect(soft.json).toEqual({ message: 'E-payment is not enabled', _type: 'HTTPAPIError', _fossil: 'hTTPAPIError' });
    const boom = await get(h, '/export/boom/1.json');
    expect(boom.status).toBe(500);
    expect(boom.json.message).not.toContain('fire');
    expect(errors).toHaveLength(1);
  });

  it('answers a method mismatch of a hook with 405 and Allow', async () => {
    const h = seedHandler(await seedCatalog(), {
      hooks: [{ name: 'w', pattern: '(write)/(?<id>[0-9]+)', method: 'POST', handler: async () => ({ results: [] }) }],
    });
    const res = await get(h, '/export/write/1.json');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json.message).toBe('This action requires POST');
  });
});
