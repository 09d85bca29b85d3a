import { ExportDate, wallClock } from '../datetime.js';

// biome-ignore lint/suspicious/noExplicitAny: results are untyped JSON-like trees read by field name.
type Obj = Record<string, any>;

const esc = (s: unknown) =>
  String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/**
 * The event list of spec §7: `<ul class="indico_event_list" data-ts="…">`, results grouped by the day of their
 * `startDate` (days ascending), each item with its `HH:MM` time, category, linked title and room.
 */
export function toHtml(results: unknown, ts: number): string {
  const list: Obj[] = (Array.isArray(results) ? results : []).filter(
    (r) => r && typeof r === 'object' && r.startDate instanceof ExportDate,
  );
  const days = new Map<string, Obj[]>();
  for (const r of list) {
    const d = r.startDate as ExportDate;
    const key = wallClock(d.epochMs, d.tz).date;
    const bucket = days.get(key) ?? [];
    bucket.push(r);
    days.set(key, bucket);
  }
  const out: string[] = [`<ul class="indico_event_list" data-ts="${ts}">`];
  for (const day of [...days.keys()].sort()) {
    out.push(`<li class="indico_day"><span class="indico_date">${day}</span><ul>`);
    const items = days.get(day)!.sort((a, b) => a.startDate.epochMs - b.startDate.epochMs);
    for (const r of items) {
      const d = r.startDate as ExportDate;
      const w = wallClock(d.epochMs, d.tz);
      const time = w.time.slice(0, 5);
      out.push(
        `<li class="indico_event"><span class="indico_time">${time}</span> ` +
          `<span class="indico_category">${esc(r.category)}</span> ` +
          `<a class="indico_title" href="${esc(r.url)}">${esc(r.title)}</a>` +
          (r.room ? ` <span class="indico_room">${esc(r.room)}</span>` : '') +
          '</li>',
      );
    }
    out.push('</ul></li>');
  }
  out.push('</ul>');
  return out.join('\n');
}
