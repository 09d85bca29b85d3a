import { describe, expect, it } from 'vitest';
import { firstOccurrence, nextOccurrence, wallToInstant, zoneOffset } from '../src/index.js';
import { normalizeRule } from '../src/recurrence.js';

const at = (iso: string) => Date.parse(iso);

describe('recurrence (rrule, anchored at dtstart)', () => {
  it('first run is the first rule instant at or after dtstart', () => {
    // spec: scheduler §1.10 "MINUTELY, bysecond=(40,) created at 20:07:13 -> first run 20:07:40"
    const rule = normalizeRule('MINUTELY', { bysecond: [40] }, at('2026-01-01T20:07:13Z'));
    expect(firstOccurrence(rule)).toBe(at('2026-01-01T20:07:40Z'));
  });

  it('anchors the grid at dtstart, not at round clock times', () => {
    // spec: scheduler §1.10 "MINUTELY, interval=15 created at 20:07:13 -> 20:07:13, 20:22:13"
    const rule = normalizeRule('MINUTELY', { interval: 15 }, at('2026-01-01T20:07:13.500Z'));
    const first = firstOccurrence(rule)!;
    expect(first).toBe(at('2026-01-01T20:07:13Z'));
    expect(nextOccurrence(rule, first, false)).toBe(at('2026-01-01T20:22:13Z'));
  });

  it('returns null once count/until are exhausted', () => {
    // spec: scheduler §1.10 "YEARLY, until=dtstart+30d -> None after the first run"
    const dtstart = at('2026-01-01T20:00:00Z');
    const rule = normalizeRule('YEARLY', { dtstart, until: dtstart + 30 * 86_400_000 }, dtstart);
    expect(nextOccurrence(rule, dtstart, false)).toBeNull();
  });

  it('refuses unknown options, frequencies and zones', () => {
    expect(() => normalizeRule('SOMETIMES', {}, 0)).toThrowError(/frequency/);
    expect(() => normalizeRule('DAILY', { tzid: 'Mars/Olympus' }, 0)).toThrowError(/time zone/);
    expect(() => normalizeRule('DAILY', { byday: [1] } as never, 0)).toThrowError(/unknown recurrence option/);
  });
});

describe('time zones and DST (Europe/Zurich, 2026)', () => {
  // Clocks go forward on 2026-03-29 at 02:00 CET (-> 03:00 CEST) and back on 2026-10-25 at 03:00 CEST (-> 02:00 CET).
  const rule = normalizeRule(
    'DAILY',
    { tzid: 'Europe/Zurich', byhour: [2], byminute: [30], bysecond: [0], dtstart: at('2026-03-26T23:00:00Z') },
    0,
  );

  /** Runs the way the daemon does: next = first instant strictly after max(previous occurrence, end of run). */
  function runs(from: number, count: number, runMs = 60_000): number[] {
    const out: number[] = [];
    let next = nextOccurrence(rule, from, true);
    while (next !== null && out.length < count) {
      out.push(next);
      next = nextOccurrence(rule, next + runMs, false);
    }
    return out;
  }

  it('computes zone offsets on both sides of each change', () => {
    expect(zoneOffset(at('2026-03-29T00:59:59Z'), 'Europe/Zurich')).toBe(3_600_000);
    expect(zoneOffset(at('2026-03-29T01:00:00Z'), 'Europe/Zurich')).toBe(7_200_000);
    expect(zoneOffset(at('2026-10-25T00:59:59Z'), 'Europe/Zurich')).toBe(7_200_000);
    expect(zoneOffset(at('2026-10-25T01:00:00Z'), 'Europe/Zurich')).toBe(3_600_000);
  });

  it('runs a daily 02:30 task once on the spring-forward day, pushed to 03:30 CEST', () => {
    expect(runs(at('2026-03-27T00:00:00Z'), 4)).toEqual([
      at('2026-03-27T01:30:00Z'), // 02:30 CET
      at('2026-03-28T01:30:00Z'), // 02:30 CET
      at('2026-03-29T01:30:00Z'), // 02:30 does not exist: 03:30 CEST
      at('2026-03-30T00:30:00Z'), // 02:30 CEST
    ]);
  });

  it('runs a daily 02:30 task once on the fall-back day, at the first 02:30', () => {
    expect(runs(at('2026-10-23T12:00:00Z'), 4)).toEqual([
      at('2026-10-24T00:30:00Z'), // 02:30 CEST
      at('2026-10-25T00:30:00Z'), // first 02:30 (CEST); the repeated 02:30 CET (01:30Z) is not a second run
      at('2026-10-26T01:30:00Z'), // 02:30 CET
      at('2026-10-27T01:30:00Z'),
    ]);
  });

  it('maps skipped and repeated wall times as documented', () => {
    const wall = (iso: string) => Date.parse(`${iso}Z`);
    expect(wallToInstant(wall('2026-03-29T02:30:00'), 'Europe/Zurich')).toBe(at('2026-03-29T01:30:00Z'));
    expect(wallToInstant(wall('2026-10-25T02:30:00'), 'Europe/Zurich')).toBe(at('2026-10-25T00:30:00Z'));
    expect(wallToInstant(wall('2026-07-01T12:00:00'), 'Europe/Zurich')).toBe(at('2026-07-01T10:00:00Z'));
  });
});
