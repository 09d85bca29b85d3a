import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExportApiError, parseDateExpression } from '../src/index.js';

// spec §5.1. "now" is 2011-06-23T15:07:21Z (the seed's categ example); Zurich is UTC+2 in June.
const NOW = Date.UTC(2011, 5, 23, 15, 7, 21);
const TZ = 'Europe/Zurich';
const at = (s: string) => Date.parse(s);
const parse = (v: string, ctx: 'from' | 'to' = 'from', now = NOW, tz = TZ) => parseDateExpression(v, ctx, { now, tz });
const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ExportApiError);
    expect((e as ExportApiError).status).toBe(400);
    return (e as Error).message;
  }
  throw new Error('expected a 400');
};

describe('date expressions (spec §5.1)', () => {
  it('reads now as the exact instant, whatever the zone', () => {
    expect(parse('now')).toBe(NOW);
    expect(parse('now', 'to', NOW, 'Asia/Tokyo')).toBe(NOW);
  });

  it('snaps today to the whole day: from 00:00:00 and to 23:59:59 in tz', () => {
    expect(parse('today')).toBe(at('2011-06-22T22:00:00Z'));
    expect(parse('today', 'to')).toBe(at('2011-06-23T21:59:59Z'));
  });

  it('uses the UTC calendar date even when the tz date is already the next day', () => {
    const late = Date.UTC(2011, 5, 23, 23, 30); // 01:30 on the 24th in Zurich
    expect(parse('today', 'from', late)).toBe(at('2011-06-22T22:00:00Z'));
  });

  it('reads yesterday and tomorrow as whole days', () => {
    expect(parse('yesterday')).toBe(at('2011-06-21T22:00:00Z'));
    expect(parse('tomorrow', 'to')).toBe(at('2011-06-24T21:59:59Z'));
  });

  it('snaps relative offsets to the day they land on', () => {
    expect(parse('+1d')).toBe(at('2011-06-23T22:00:00Z'));
    expect(parse('2d', 'to')).toBe(at('2011-06-25T21:59:59Z'));
    expect(parse('9h')).toBe(at('2011-06-23T22:00:00Z')); // 15:07 + 9h = 00:07 UTC on the 24th
    expect(parse('8h52m')).toBe(at('2011-06-22T22:00:00Z')); // 23:59 UTC, still the 23rd
    expect(parse('-1d')).toBe(at('2011-06-21T22:00:00Z'));
  });

  it('treats a lone + as today, and a lone - as today for from', () => {
    expect(parse('+')).toBe(parse('today'));
    expect(parse('-')).toBe(parse('today'));
  });

  it('refuses negative offsets for to, and out-of-range hours or minutes', () => {
    expect(message(() => parse('-', 'to'))).toBe('End date cannot be a negative offset');
    expect(message(() => parse('-2d', 'to'))).toBe('End date cannot be a negative offset');
    expect(message(() => parse('24h'))).toBe('Invalid time!');
    expect(message(() => parse('1d60m'))).toBe('Invalid time!');
  });

  it('does not range-check negative offsets (the check runs after the sign)', () => {
    expect(parse('-30h')).toBe(at('2011-06-21T22:00:00Z'));
  });

  it('reads YYYY-MM-DDTHH:MM exactly in tz and YYYY-MM-DD as a whole day', () => {
    expect(parse('2011-06-23T10:30')).toBe(at('2011-06-23T08:30:00Z'));
    expect(parse('2011-06-23T10:30', 'to')).toBe(at('2011-06-23T08:30:00Z'));
    expect(parse('2011-06-23')).toBe(at('2011-06-22T22:00:00Z'));
    expect(parse('2011-06-23', 'to')).toBe(at('2011-06-23T21:59:59Z'));
    expect(parse('2011-01-10', 'from', NOW, 'UTC')).toBe(at('2011-01-10T00:00:00Z'));
  });

  it('accepts what strptime accepts: unpadded fields and a lower-case t', () => {
    expect(parse('2014-5-3')).toBe(at('2014-05-02T22:00:00Z'));
    expect(parse('2014-05-03t9:05')).toBe(at('2014-05-03T07:05:00Z'));
  });

  it('refuses anything else with Impossible to parse', () => {
    for (const bad of [
      '2011-02-30',
      '2011-06-23T10:30:00',
      '2011-13-01',
      'Today',
      '1000d',
      '-70000',
      'soon',
      '2011/06/23',
    ]) {
      expect(message(() => parse(bad))).toBe(`Impossible to parse '${bad}'`);
    }
  });

  it('localises ambiguous and missing wall times with the standard offset (pytz is_dst=False)', () => {
    expect(parse('2011-10-30T02:30')).toBe(at('2011-10-30T01:30:00Z'));
    expect(parse('2011-03-27T02:30')).toBe(at('2011-03-27T01:30:00Z'));
  });

  it('always lands on 00:00 in tz of the UTC date of now + offset (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom('UTC', 'Europe/Zurich', 'America/New_York', 'Asia/Kolkata'),
        (d, h, m, tz) => {
          const got = parse(`+${d}d${h}h${m}m`, 'from', NOW, tz);
          const target = new Date(NOW + ((d * 24 + h) * 60 + m) * 60_000);
          const day = target.toISOString().slice(0, 10);
          const wall = new Intl.DateTimeFormat('en-CA', {
            timeZone: tz,
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
            hourCycle: 'h23',
          }).format(new Date(got));
          expect(wall).toBe(`${day}, 00:00:00`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
