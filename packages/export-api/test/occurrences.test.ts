import { describe, expect, it } from 'vitest';
import { occurrencesOf } from '../src/index.js';

const D = 86_400_000;
const H = 3_600_000;
const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);

// spec §10 reservationMetadata.repeatability: null, daily, weekly, everyTwoWeeks, everyThreeWeeks, monthly
describe('reservation occurrences', () => {
  it('is the booking itself when not repeating', () => {
    expect(occurrencesOf({ startDT: 5, endDT: 9, repeatability: null })).toEqual([[5, 9]]);
  });

  it('repeats the time of day on every day, every 7, 14 or 21 days up to the end date', () => {
    const start = day(2026, 3, 2) + 8 * H; // a Monday
    const end = day(2026, 3, 30) + 10 * H;
    const starts = (rep: 'daily' | 'weekly' | 'everyTwoWeeks' | 'everyThreeWeeks') =>
      occurrencesOf({ startDT: start, endDT: end, repeatability: rep }).map(([s, e]) => {
        expect(e - s).toBe(2 * H);
        return (s - start) / D;
      });
    expect(starts('daily')).toHaveLength(29);
    expect(starts('weekly')).toEqual([0, 7, 14, 21, 28]);
    expect(starts('everyTwoWeeks')).toEqual([0, 14, 28]);
    expect(starts('everyThreeWeeks')).toEqual([0, 21]);
  });

  it('repeats monthly on the same n-th weekday, skipping months without it', () => {
    // 2026-01-29 is the 5th Thursday of January; of Feb-May only April has a 5th Thursday (2026-04-30)
    const occ = occurrencesOf({
      startDT: day(2026, 1, 29) + 9 * H,
      endDT: day(2026, 5, 31) + 10 * H,
      repeatability: 'monthly',
    });
    expect(occ.map(([s]) => new Date(s).toISOString().slice(0, 10))).toEqual(['2026-01-29', '2026-04-30']);
    const second = occurrencesOf({
      startDT: day(2026, 1, 13) + 9 * H, // 2nd Tuesday
      endDT: day(2026, 3, 31) + 10 * H,
      repeatability: 'monthly',
    });
    expect(second.map(([s]) => new Date(s).toISOString().slice(0, 10))).toEqual([
      '2026-01-13',
      '2026-02-10',
      '2026-03-10',
    ]);
  });
});
