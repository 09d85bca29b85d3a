import { Feed } from 'feed';
import { ExportDate } from '../datetime.js';

// biome-ignore lint/suspicious/noExplicitAny: results are untyped JSON-like trees read by field name.
type Obj = Record<string, any>;

/** Atom feed titled `Indico Feed` whose feed URL is the envelope `url`; one entry per result (spec §7). */
export function toAtom(results: unknown, url: string, ts: number): string {
  const feed = new Feed({
    title: 'Indico Feed',
    id: url,
    link: url,
    feedLinks: { atom: url },
    updated: new Date(ts * 1000),
    generator: false,
  });
  const list: Obj[] = Array.isArray(results) ? results : [];
  for (const r of list) {
    if (r === null || typeof r !== 'object') continue;
    const start = r.startDate instanceof ExportDate ? r.startDate.epochMs : ts * 1000;
    const link = typeof r.url === 'string' ? r.url : url;
    feed.addItem({
      title: String(r.title ?? ''),
      id: link,
      link,
      description: typeof r.description === 'string' ? r.description : '',
      date: new Date(start),
    });
  }
  return feed.atom1();
}
