import { ExportDate } from '../datetime.js';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
// Characters XML 1.0 cannot carry at all are dropped (as Indico 3.x does).
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point.
const INVALID_XML_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function esc(s: string, attr = false): string {
  let out = s.replace(INVALID_XML_RE, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (attr) out = out.replace(/"/g, '&quot;');
  return out;
}

/** Python `str()` of a scalar: `True`/`False`, integers without a fraction, `None` as empty text. */
/** How the XML serializer writes a text value (element content). */
export function escapeXmlText(s: string): string {
  return esc(s);
}

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof ExportDate) return v.toISOString();
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  return String(v);
}

const isDict = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof ExportDate);

export interface XmlOptions {
  pretty: boolean;
  /** `_type` renames applied only to XML (SERIALIZER_TYPE_MAP, e.g. RoomCERN -> Room). */
  typeMap?: Readonly<Record<string, string>>;
}

/**
 * Indico's XML (spec §7): each object becomes an element named after its lower-cased `_type` (or
 * `collection`), with `fossil` and `id` attributes; other keys become child elements; lists of scalars become
 * `<item>`s; dates are ISO 8601 with offset. Keys that are not XML names (e.g. timetable day keys) become
 * `<entry key="…">`, as in Indico 3.x (1.2 failed on them).
 */
export function toIndicoXml(root: Record<string, unknown>, opts: XmlOptions): string {
  const out: string[] = ["<?xml version='1.0' encoding='utf-8'?>\n"];
  const nl = opts.pretty ? '\n' : '';
  const ind = (d: number) => (opts.pretty ? '  '.repeat(d) : '');

  const element = (tag: string, attrs: string, children: string[] | null, text: string | null, d: number) => {
    if (children && children.length > 0) {
      out.push(`${ind(d)}<${tag}${attrs}>${nl}`);
      for (const c of children) out.push(c);
      out.push(`${ind(d)}</${tag}>${nl}`);
    } else if (text) out.push(`${ind(d)}<${tag}${attrs}>${esc(text)}</${tag}>${nl}`);
    else out.push(`${ind(d)}<${tag}${attrs}/>${nl}`);
  };

  // Renders into `out` directly; `children` collection uses a sub-buffer.
  const capture = (fn: () => void): string[] => {
    const start = out.length;
    fn();
    return out.splice(start, out.length - start);
  };

  const dict = (obj: Record<string, unknown>, d: number) => {
    const type = typeof obj._type === 'string' ? obj._type : null;
    const mapped = type && opts.typeMap && Object.hasOwn(opts.typeMap, type) ? opts.typeMap[type]! : type;
    const tag = (mapped ?? 'collection').toLowerCase();
    let attrs = '';
    if (typeof obj._fossil === 'string') attrs += ` fossil="${esc(obj._fossil, true)}"`;
    if ('id' in obj) attrs += ` id="${esc(scalarText(obj.id), true)}"`;
    const children = capture(() => {
      for (const [k, v] of Object.entries(obj)) {
        if (k === '_type' || k === '_fossil' || k === 'id' || v === undefined) continue;
        keyed(k, v, d + 1);
      }
    });
    element(NAME_RE.test(tag) ? tag : 'collection', attrs, children, null, d);
  };

  const keyed = (k: string, v: unknown, d: number) => {
    const named = NAME_RE.test(k) && !/^xml/i.test(k);
    const tag = named ? k : 'entry';
    const attrs = named ? '' : ` key="${esc(k, true)}"`;
    if (Array.isArray(v)) {
      const children = capture(() => {
        for (const item of v) {
          if (isDict(item)) dict(item, d + 1);
          else element('item', '', null, scalarText(item), d + 1);
        }
      });
      element(tag, attrs, children, null, d);
    } else if (isDict(v)) {
      const children = capture(() => dict(v, d + 1));
      element(tag, attrs, children, null, d);
    } else element(tag, attrs, null, scalarText(v), d);
  };

  dict(root, 0);
  return out.join('');
}
