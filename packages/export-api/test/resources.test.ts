/* biome-ignore-all lint/suspicious/noExplicitAny: tests read parsed JSON by field name. */
import { createHash } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { type Catalog, compileFnmatch, type EventRecord, type Requester } from '../src/index.js';
import { get, seedCatalog, seedHandler } from './helpers.js';

const NOW_SEC = 1308841641;
const ids = (json: any) => json.results.map((r: any) => r.id);
const as = (user: Requester | null) => async () => ({ user });
const md5 = (s: string) => createHash('md5').update(s).digest('hex');

async function addEvent(catalog: Catalog, e: Partial<EventRecord> & { id: string }) {
  const base = (await catalog.getEvent('137346'))!;
  await catalog.putEvent({ ...base, links: undefined, ...e });
}

describe('categories (spec §9.1)', () => {
  let catalog: Catalog;
  beforeEach(async () => {
    catalog = await seedCatalog();
    await catalog.putCategory({ id: '21', name: 'Child', parentId: '2' });
    await addEvent(catalog, {
      id: '500',
      title: 'Child lecture',
      type: 'simple_event',
      categoryId: '21',
      location: 'Geneva',
      room: '40-S2-A01',
    });
  });

  it('returns the events of the whole subtree, and additionalInfo.eventCategories with root-to-leaf paths', async () => {
    const h = seedHandler(catalog, { nowSec: NOW_SEC });
    const res = await get(h, '/export/categ/2.json', 'from=today&to=today');
    expect(ids(res.json)).toEqual(['137344', '137346', '500']);
    const cats = res.json.additionalInfo.eventCategories;
    expect(cats.map((c: any) => c.categoryId)).toEqual(['2', '21']);
    const child = cats[1];
    expect(child._type).toBe('CategoryPath');
    expect(child.path.slice(0, -1).map((p: any) => [p.id, p.name, p._fossil])).toEqual([
      ['0', 'Home', 'categoryMetadata'],
      ['2', 'TEST Category', 'categoryMetadata'],
      ['21', 'Child', 'categoryMetadata'],
    ]);
    expect(child.path.at(-1)).toEqual({ visibility: { name: 'Everywhere' } });
  });

  it('sets moreFutureEvents only when to is given and a requested category has later events', async () => {
    const h = seedHandler(catalog, { nowSec: NOW_SEC });
    expect((await get(h, '/export/categ/2.json', 'to=2011-06-24')).json.additionalInfo.moreFutureEvents).toBe(true);
    expect((await get(h, '/export/categ/2.json', 'to=2011-07-01')).json.additionalInfo.moreFutureEvents).toBe(false);
    expect((await get(h, '/export/categ/2.json', 'from=2011-06-01')).json.additionalInfo.moreFutureEvents).toBe(false);
  });

  it('filters by type (T), where lecture means simple_event', async () => {
    const h = seedHandler(catalog, { nowSec: NOW_SEC });
    expect(ids((await get(h, '/export/categ/2.json', 'type=lecture')).json)).toEqual(['500']);
    expect(ids((await get(h, '/export/categ/2.json', 'T=simple_event')).json)).toEqual(['500']);
    expect(ids((await get(h, '/export/categ/2.json', 'T=conference')).json)).toEqual(['137344']);
    expect(ids((await get(h, '/export/categ/2.json', 'T=party')).json)).toEqual([]);
    const proto = await get(h, '/export/categ/2.json', 'T=constructor');
    expect([proto.status, ids(proto.json)]).toEqual([200, []]);
  });

  it('filters location (l) and room (r) with case-insensitive wildcards, excluding events without one', async () => {
    const h = seedHandler(catalog, { nowSec: NOW_SEC });
    expect(ids((await get(h, '/export/categ/2.json', 'location=gen*')).json)).toEqual(['500']);
    expect(ids((await get(h, '/export/categ/2.json', 'l=CERN')).json)).toEqual(['137344', '137346']);
    expect(ids((await get(h, '/export/categ/2.json', 'r=1-1-0%3F5')).json)).toEqual(['137344']);
    expect(ids((await get(h, '/export/categ/2.json', 'room=*')).json)).toEqual(['137344', '500']);
    expect(ids((await get(h, '/export/categ/2.json', 'room=40-S2-[AB]01')).json)).toEqual(['500']);
  });

  it('implements fnmatch classes and negation', () => {
    expect(compileFnmatch('a[!b]c').test('axc')).toBe(true);
    expect(compileFnmatch('a[!b]c').test('abc')).toBe(false);
    expect(compileFnmatch('a.c').test('abc')).toBe(false);
    expect(compileFnmatch('[').test('[')).toBe(true);
    expect(compileFnmatch('40-s2-[a-c]0?').test('40-s2-b01')).toBe(true);
    expect(compileFnmatch('*[!0-9]').test('room7')).toBe(false);
    expect(compileFnmatch('***1-1-***').test('1-1-025')).toBe(true);
    // many stars against a long non-matching name must answer at once (no catastrophic backtracking)
    expect(compileFnmatch(`${'*a'.repeat(30)}*b`).test('a'.repeat(60))).toBe(false);
  });

  it('resolves favorites to the user favourite categories, and ignores it for anonymous requests', async () => {
    const anon = seedHandler(catalog, { nowSec: NOW_SEC });
    expect(ids((await get(anon, '/export/categ/favorites.json')).json)).toEqual([]);
    const user = seedHandler(catalog, { nowSec: NOW_SEC, authenticate: as({ id: '36024' }) });
    expect(ids((await get(user, '/export/categ/favorites.json', 'from=2011-06-23&to=2011-06-23')).json)).toEqual([
      '137344',
      '137346',
      '500',
    ]);
  });
});

describe('events and access rules (spec §9.1, §10)', () => {
  let catalog: Catalog;
  beforeEach(async () => {
    catalog = await seedCatalog();
    await catalog.putUser({
      id: '7',
      firstName: 'Grace',
      familyName: 'Hopper',
      title: '',
      email: 'grace@example.org',
      affiliation: '',
      phone: '',
      fax: '',
      address: '',
    });
    await addEvent(catalog, {
      id: '600',
      title: 'Closed meeting',
      chairs: [{ id: 'ch', fullName: 'Chair Person', affiliation: 'CERN', email: 'chair@example.org' }],
      protection: { isProtected: true, allowedUserIds: ['7'], managerIds: ['8'] },
    });
    await catalog.putContribution({
      id: '0',
      eventId: '600',
      title: 'open talk',
      description: '',
      startDate: Date.UTC(2011, 5, 23, 7),
      duration: 30,
      location: null,
      room: null,
      speakers: [{ id: 's', fullName: 'Speaker', affiliation: 'X', email: 'speaker@example.org' }],
      track: null,
      sessionId: null,
      type: null,
    });
    await catalog.putContribution({
      id: '1',
      eventId: '600',
      title: 'secret talk',
      description: '',
      startDate: Date.UTC(2011, 5, 23, 8),
      duration: 30,
      location: null,
      room: null,
      speakers: [],
      track: null,
      sessionId: null,
      type: null,
      protection: { isProtected: true, allowedUserIds: ['8'] },
    });
  });

  it('leaves protected events out for anonymous users and users without access', async () => {
    const anon = seedHandler(catalog, { nowSec: NOW_SEC });
    expect(ids((await get(anon, '/export/event/600-137346.json')).json)).toEqual(['137346']);
    expect(ids((await get(anon, '/export/categ/2.json', 'from=today&to=today')).json)).not.toContain('600');
    const other = seedHandler(catalog, { nowSec: NOW_SEC, authenticate: as({ id: '99' }) });
    expect(ids((await get(other, '/export/event/600.json')).json)).toEqual([]);
  });

  it('shows a protected event to an allowed user without manager-only fields, and access-filters contributions', async () => {
    const h = seedHandler(catalog, { nowSec: NOW_SEC, authenticate: as({ id: '7' }) });
    const res = await get(h, '/export/event/600.json', 'detail=contributions');
    const ev = res.json.results[0];
    expect(ev.hasAnyProtection).toBe(true);
    expect(ev.allowed).toBeUndefined();
    expect(ev.chairs[0].email).toBeUndefined();
    expect(ev.chairs[0].emailHash).toBe(md5('chair@example.org'));
    expect(ev.contributions.map((c: any) => c.title)).toEqual(['open talk']);
    expect(ev.contributions[0].speakers[0].email).toBeUndefined();
  });

  it('shows emails, allowed lists and every contribution to a manager (canModify)', async () => {
    const h = seedHandler(catalog, { nowSec: NOW_SEC, authenticate: as({ id: '8' }) });
    const ev = (await get(h, '/export/event/600.json', 'detail=contributions')).json.results[0];
    expect(ev.allowed).toEqual({ users: ['grace@example.org'], groups: [] });
    expect(ev.chairs[0].email).toBe('chair@example.org');
    expect(ev.contributions.map((c: any) => c.title)).toEqual(['open talk', 'secret talk']);
    expect(ev.contributions[0].speakers[0].email).toBe('speaker@example.org');
  });

  it('runs onlypublic=yes requests as anonymous even for a known user', async () => {
    const h = seedHandler(catalog, { nowSec: NOW_SEC, authenticate: as({ id: '8' }) });
    expect(ids((await get(h, '/export/event/600.json', 'onlypublic=yes')).json)).toEqual([]);
  });

  it('returns the fields of conferenceMetadata with their types (spec §10)', async () => {
    const h = seedHandler(catalog, { nowSec: NOW_SEC });
    const ev = (await get(h, '/export/event/137344.json')).json.results[0];
    expect(Object.keys(ev).sort()).toEqual(
      [
        '_fossil',
        '_type',
        'address',
        'category',
        'categoryId',
        'chairs',
        'creationDate',
        'creator',
        'description',
        'endDate',
        'hasAnyProtection',
        'id',
        'location',
        'material',
        'modificationDate',
        'room',
        'roomFullname',
        'roomMapURL',
        'startDate',
        'timezone',
        'title',
        'type',
        'url',
        'visibility',
      ].sort(),
    );
    expect(ev.roomFullname).toBe('1-1-025');
    expect(ev.creator._type).toBe('Avatar');
    expect(ev.creationDate.tz).toBe('UTC');
    expect(ev.visibility).toEqual({ id: '', name: 'Everywhere' });
  });

  it('keeps subcontributions under subContributions for detail=subcontributions', async () => {
    await catalog.putContribution({
      id: '9',
      eventId: '137346',
      title: 'with parts',
      description: '',
      startDate: null,
      duration: 0,
      location: null,
      room: null,
      speakers: [],
      track: null,
      sessionId: null,
      type: null,
      subContributions: [{ id: '0', title: 'part', duration: 5, speakers: [] }],
    });
    const h = seedHandler(catalog, { nowSec: NOW_SEC });
    const ev = (await get(h, '/export/event/137346.json', 'detail=subcontributions')).json.results[0];
    expect(ev._fossil).toBe('conferenceMetadataWithSubContribs');
    const c = ev.contributions.find((x: any) => x.id === '9');
    expect(c.startDate).toBeNull();
    expect(c.duration).toBeNull();
    expect(c.subContributions).toEqual([
      {
        id: '0',
        title: 'part',
        duration: 5,
        speakers: [],
        _type: 'SubContribution',
        _fossil: 'subContributionMetadata',
      },
    ]);
  });

  it('bounds occurrences by from/to', async () => {
    const h = seedHandler(catalog, { nowSec: NOW_SEC });
    const ev = (await get(h, '/export/event/137346.json', 'occ=yes&from=2011-06-24')).json.results[0];
    expect(ev.occurrences.map((o: any) => o.startDT.date)).toEqual(['2011-06-24']);
  });
});

describe('sessions, contributions, timetable, search and users (spec §9.2-9.4, §9.7)', () => {
  it('exports each slot of the requested sessions, skipping unknown ids', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
    const res = await get(h, '/export/event/137346/session/0-7.json');
    expect(res.json.results.map((s: any) => [s.id, s._type, s._fossil])).toEqual([
      ['0-0', 'SessionSlot', 'sessionMetadataWithContributions'],
    ]);
    expect(res.json.results[0].contributions.map((c: any) => c.title)).toEqual(['d2s1c1']);
    expect(res.json.results[0].conference.id).toBe('137346');
    const subs = await get(h, '/export/event/137346/session/0.json', 'detail=subcontributions');
    expect(subs.json.results[0].subcontributions[0]._fossil).toBe('contributionMetadataWithSubContribs');
  });

  it('exports the requested contributions and answers an unknown event with a JSON 404', async () => {
    const h = seedHandler(await seedCatalog(), { nowSec: NOW_SEC });
    const res = await get(h, '/export/event/137346/contribution/2-0-44.json');
    expect(ids(res.json)).toEqual(['2', '0']);
    expect(res.json.results[0]._fossil).toBe('contributionMetadata');
    const missing = await get(h, '/export/event/404/contribution/1.json');
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('Conference does not exist.');
  });

  it('builds the timetable by day with c, s…l… and b entries', async () => {
    const catalog = await seedCatalog();
    await catalog.putBreak({
      id: '1',
      eventId: '137346',
      title: 'Coffee',
      description: '',
      startDate: Date.UTC(2011, 5, 23, 6, 40),
      endDate: Date.UTC(2011, 5, 23, 7),
      location: null,
      room: null,
    });
    const h = seedHandler(catalog, { nowSec: NOW_SEC });
    const tt = (await get(h, '/export/timetable/137346.json')).json.results['137346'];
    expect(Object.keys(tt)).toEqual(['20110623', '20110624']);
    expect(Object.keys(tt['20110623'])).toEqual(['c0', 'c1', 'b1']);
    expect(Object.keys(tt['20110624'])).toEqual(['c2', 's0l0']);
    expect(tt['20110624'].s0l0.entries.c3.sessionId).toBe('0');
    expect(tt['20110623'].b1.entryType).toBe('Break');
  });

  it('searches titles and skips events the requester cannot access', async () => {
    const catalog = await seedCatalog();
    await addEvent(catalog, {
      id: '777',
      title: 'Secret ICHEP',
      protection: { isProtected: true, allowedUserIds: ['1'] },
    });
    const h = seedHandler(catalog, { nowSec: NOW_SEC });
    expect((await get(h, '/export/event/search/ichep.json')).json.count).toBe(5);
    expect(ids((await get(h, '/export/event/search/ichep.json', 'n=2&O=1')).json)).toEqual(['102669', '104128']);
  });

  it('returns a user only to that user or an admin, with Indico messages otherwise', async () => {
    const catalog = await seedCatalog();
    const anon = await get(seedHandler(catalog), '/export/user/36024.json');
    expect([anon.status, anon.json.message]).toEqual([403, 'You need to be logged in']);
    const other = await get(seedHandler(catalog, { authenticate: as({ id: '5' }) }), '/export/user/36024.json');
    expect([other.status, other.json.message]).toEqual([403, 'You do not have access to that info']);
    const admin = await get(
      seedHandler(catalog, { authenticate: as({ id: '5', isAdmin: true }) }),
      '/export/user/36024.json',
    );
    expect(admin.json.results[0].email).toBe('test@cern.ch');
    const missing = await get(
      seedHandler(catalog, { authenticate: as({ id: '5', isAdmin: true }) }),
      '/export/user/1.json',
    );
    expect([missing.status, missing.json.message]).toEqual([404, 'Requested user not found']);
  });

  it('lists linked and favourite-category events for the user, never for guests', async () => {
    const catalog = await seedCatalog();
    await addEvent(catalog, { id: '800', title: 'Mine', links: [{ userId: '36024', roles: ['chair'] }] });
    const guest = await get(seedHandler(catalog), '/export/user/linked_events.json');
    expect([guest.status, guest.json.message]).toEqual([403, 'Guest access to this resource is forbidden.']);
    const h = seedHandler(catalog, { nowSec: NOW_SEC, authenticate: as({ id: '36024' }) });
    const linked = await get(h, '/export/user/linked_events.json');
    expect(linked.json.results.map((r: any) => [r.id, r.roles, r._fossil])).toEqual([
      ['800', ['chair'], 'basicConferenceMetadata'],
    ]);
    const categ = await get(h, '/export/user/categ_events.json', 'from=2011-06-23&to=2011-06-23');
    expect(ids(categ.json)).toEqual(['137344', '137346', '800']);
    const denied = await get(h, '/export/user/linked_events.json', 'uid=1');
    expect([denied.status, denied.json.message]).toEqual([403, 'Access denied']);
  });
});
