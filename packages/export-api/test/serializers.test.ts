/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed documents by field name. */
import { XMLParser } from 'fast-xml-parser';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { ExportDate, toIcs, toIndicoJson, toIndicoXml } from '../src/index.js';
import { get, seedCatalog, seedHandler } from './helpers.js';

const NOW_SEC = 1308841641;

function vevents(ics: string) {
  const comp = new ICAL.Component(ICAL.parse(ics));
  return { cal: comp, events: comp.getAllSubcomponents('vevent') };
}

describe('json and jsonp (spec §7)', () => {
  it('escapes every / as \\/ and non-ASCII as \\uXXXX, and parses back to the same value', () => {
    const value = {
      url: 'http://a/b',
      name: 'Zürich – 東京',
      d: new ExportDate(Date.UTC(2011, 5, 23, 6, 0, 0, 5), 'UTC'),
    };
    const text = toIndicoJson(value, false);
    expect(text).toContain('http:\\/\\/a\\/b');
    expect(text).toContain('Z\\u00fcrich \\u2013 \\u6771\\u4eac');
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    expect(JSON.parse(text)).toEqual({
      url: 'http://a/b',
      name: 'Zürich – 東京',
      d: { date: '2011-06-23', time: '06:00:00.005000', tz: 'UTC' },
    });
  });

  it('indents by 4 spaces with pretty=yes', () => {
    expect(toIndicoJson({ a: [1] }, true)).toBe('{\n    "a": [\n        1\n    ]\n}');
  });

  it('wraps JSONP in the callback named by jsonp (default read) with Indico header line', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
    const def = await get(h, '/export/event/137346.jsonp');
    expect(def.headers['content-type']).toBe('application/javascript');
    expect(def.body.startsWith('// fetched from Indico\nread({')).toBe(true);
    expect(def.body.endsWith('});')).toBe(true);
    const named = await get(h, '/export/event/137346.jsonp', 'jsonp=my.ns_cb$');
    const inner = named.body.slice('// fetched from Indico\nmy.ns_cb$('.length, -2);
    expect(JSON.parse(inner).results[0].id).toBe('137346');
  });

  it('refuses an unsafe JSONP callback with a JSON 400 (deliberate fix of an Indico XSS)', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
    for (const cb of ['alert(1)//', '<script>', '1abc', 'a..b', 'a b']) {
      const res = await get(h, '/export/event/137346.jsonp', `jsonp=${encodeURIComponent(cb)}`);
      expect(res.status, cb).toBe(400);
      expect(res.headers['content-type']).toBe('application/json');
      expect(res.json._type).toBe('HTTPAPIError');
    }
  });
});

describe('xml (spec §7)', () => {
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseTagValue: false,
    isArray: (n) => ['conference', 'contribution', 'item'].includes(n),
  });

  it('names elements after the lower-cased _type with fossil and id attributes, dates in ISO 8601', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
    const res = await get(h, '/export/event/137346.xml', 'detail=contributions&pretty=yes');
    expect(res.headers['content-type']).toBe('text/xml');
    expect(res.body.startsWith("<?xml version='1.0' encoding='utf-8'?>")).toBe(true);
    const doc = parser.parse(res.body);
    const root = doc.httpapiresult;
    expect(root.count).toBe('1');
    expect(root.complete).toBe('True');
    const conf = root.results.conference[0];
    expect(conf['@_fossil']).toBe('conferenceMetadataWithContribs');
    expect(conf['@_id']).toBe('137346');
    expect(conf.id).toBeUndefined();
    expect(conf.startDate).toBe('2011-06-23T08:00:00+02:00');
    expect(conf.hasAnyProtection).toBe('False');
    expect(conf.room).toBe('');
    const contribs = conf.contributions.contribution;
    expect(contribs.map((c: any) => c['@_id'])).toEqual(['1', '0', '3', '2']);
    expect(contribs[0].duration).toBe('20');
  });

  it('writes lists of scalars as item, dicts without _type as collection, digit keys as entry', () => {
    const xml = toIndicoXml(
      { _type: 'HTTPAPIResult', results: { '137346': { '20130429': { keywords: ['a', 'b & c'] } } } },
      { pretty: false },
    );
    const doc = parser.parse(xml);
    const entry = doc.httpapiresult.results.collection.entry;
    expect(entry['@_key']).toBe('137346');
    expect(entry.collection.entry['@_key']).toBe('20130429');
    expect(entry.collection.entry.collection.keywords.item).toEqual(['a', 'b & c']);
  });

  it('applies the XML-only type map', () => {
    const xml = toIndicoXml({ _type: 'RoomCERN', id: 5, name: 'x' }, { pretty: false, typeMap: { RoomCERN: 'Room' } });
    expect(xml).toContain('<room id="5"><name>x</name></room>');
  });
});

describe('ics (spec §7)', () => {
  it('emits one VEVENT per event with Indico UID, UTC times, PRODID and the URL', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
    const res = await get(h, '/export/categ/2.ics', 'from=today&to=today');
    expect(res.headers['content-type']).toBe('text/calendar');
    const { cal, events } = vevents(res.body);
    expect(cal.getFirstPropertyValue('prodid')).toBe('-//CERN//INDICO//EN');
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(events.map((e) => e.getFirstPropertyValue('uid'))).toEqual([
      'indico-event-137344@cern.ch',
      'indico-event-137346@cern.ch',
    ]);
    const e = new ICAL.Event(events[1]!);
    expect(e.summary).toBe('Export Test');
    expect(e.startDate.toJSDate().toISOString()).toBe('2011-06-23T06:00:00.000Z');
    expect(e.endDate.toJSDate().toISOString()).toBe('2011-06-24T16:00:00.000Z');
    expect(e.startDate.zone.tzid).toBe('UTC');
    expect(events[0]!.getFirstPropertyValue('location')).toBe('CERN 1-1-025');
    expect(String(events[1]!.getFirstPropertyValue('url'))).toBe(
      'http://indico.server/conferenceDisplay.py?confId=137346',
    );
    expect((events[1]!.getFirstPropertyValue('dtstamp') as any).toJSDate().getTime()).toBe(NOW_SEC * 1000);
  });

  it('emits one VEVENT per scheduled contribution for detail=contributions and per slot for sessions', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
    const contribs = vevents((await get(h, '/export/event/137346.ics', 'detail=contributions')).body).events;
    expect(contribs.map((e) => e.getFirstPropertyValue('uid'))).toEqual([
      'indico-contribution-137346-1@cern.ch',
      'indico-contribution-137346-0@cern.ch',
      'indico-contribution-137346-3@cern.ch',
      'indico-contribution-137346-2@cern.ch',
    ]);
    const sessions = vevents((await get(h, '/export/event/137346.ics', 'detail=sessions')).body).events;
    expect(sessions.map((e) => e.getFirstPropertyValue('uid'))).toEqual(['indico-session-137346-0-0@cern.ch']);
    const subs = vevents((await get(h, '/export/event/137346.ics', 'detail=subcontributions')).body).events;
    expect(subs).toHaveLength(0); // conferenceMetadataWithSubContribs has no mapper
  });

  it('writes speakers and the plain-text description before the URL', () => {
    const ics = toIcs(
      [
        {
          _fossil: 'contributionMetadata',
          id: '4',
          title: 'Talk',
          description: '<p>Hello <b>world</b></p>',
          url: 'https://x/c/4',
          startDate: new ExportDate(0, 'UTC'),
          endDate: new ExportDate(3600_000, 'UTC'),
          speakers: [{ fullName: 'Ada Lovelace', affiliation: 'Analytical' }],
        },
      ],
      0,
    );
    const [ev] = vevents(ics).events;
    expect(ev!.getFirstPropertyValue('uid')).toBe('indico-contribution-4@cern.ch');
    expect(ev!.getFirstPropertyValue('description')).toBe(
      'Speakers: Ada Lovelace (Analytical)\nHello world\n\nhttps://x/c/4',
    );
  });

  it('maps reservations to RRULE with FREQ first and UNTIL, and video bookings to a VALARM', () => {
    const start = Date.UTC(2026, 0, 5, 9);
    const ics = toIcs(
      [
        {
          _fossil: 'reservationMetadata',
          id: 12,
          startDT: new ExportDate(start, 'UTC'),
          endDT: new ExportDate(Date.UTC(2026, 2, 30, 10), 'UTC'),
          repeatability: 'everyTwoWeeks',
          reason: 'Weekly meeting',
          location: 'CERN',
          room: { id: 1, fullName: '1-1-025' },
        },
        {
          _fossil: 'collaborationMetadata',
          uniqueId: 'abc',
          type: 'MCU',
          status: 'OK',
          title: 'Call',
          alarm: 15,
          startDate: new ExportDate(start, 'UTC'),
          endDate: new ExportDate(start + 3600_000, 'UTC'),
        },
      ],
      0,
    );
    expect(ics).toMatch(/RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=20260330T100000Z/);
    const [resv, video] = vevents(ics).events;
    expect(resv!.getFirstPropertyValue('uid')).toBe('indico-resv-12@cern.ch');
    expect((resv!.getFirstPropertyValue('dtend') as any).toJSDate().toISOString()).toBe('2026-01-05T10:00:00.000Z');
    expect(resv!.getFirstPropertyValue('location')).toBe('CERN: 1-1-025');
    expect(video!.getFirstPropertyValue('uid')).toBe('indico-collaboration-abc@cern.ch');
    expect(video!.getFirstPropertyValue('summary')).toBe('MCU-OK: Call');
    const alarm = video!.getFirstSubcomponent('valarm')!;
    expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
    expect(String(alarm.getFirstPropertyValue('trigger'))).toBe('-PT15M');
  });
});

describe('atom and html (spec §7)', () => {
  it('produces an Atom feed titled Indico Feed with one entry per event', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
    const res = await get(h, '/export/categ/2.atom', 'from=today&to=today');
    expect(res.headers['content-type']).toBe('application/atom+xml');
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (n) => n === 'entry' || n === 'link' }).parse(
      res.body,
    );
    expect(doc.feed['@_xmlns']).toBe('http://www.w3.org/2005/Atom');
    expect(doc.feed.title).toBe('Indico Feed');
    expect(doc.feed.link.map((l: any) => l['@_href'])).toContain(
      'https://indico.server/export/categ/2.atom?from=today&to=today',
    );
    expect(doc.feed.entry.map((e: any) => e.title['#text'] ?? e.title)).toEqual(['Test EPayment', 'Export Test']);
    expect(doc.feed.entry[1].updated).toBe('2011-06-23T06:00:00.000Z');
    expect(doc.feed.entry[1].link[0]['@_href']).toBe('http://indico.server/conferenceDisplay.py?confId=137346');
  });

  it('renders the html event list grouped by day with times, categories, links and rooms', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
    const res = await get(h, '/export/categ/2.html', 'from=today&to=today');
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.body.startsWith(`<ul class="indico_event_list" data-ts="${NOW_SEC}">`)).toBe(true);
    const days = [...res.body.matchAll(/<span class="indico_date">([^<]+)<\/span>/g)].map((m) => m[1]);
    expect(days).toEqual(['2011-06-17', '2011-06-23']);
    expect(res.body).toContain(
      '<span class="indico_time">08:00</span> <span class="indico_category">TEST Category</span>',
    );
    expect(res.body).toContain(
      'href="http://indico.server/conferenceDisplay.py?confId=137344">Test EPayment</a> <span class="indico_room">1-1-025</span>',
    );
  });
});
