import type { ExportFormat } from '../registry.js';

/** Content types, verbatim and without a charset (spec §7). */
export const CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = Object.freeze({
  json: 'application/json',
  jsonp: 'application/javascript',
  xml: 'text/xml',
  ics: 'text/calendar',
  atom: 'application/atom+xml',
  html: 'text/html',
  bin: 'application/octet-stream',
});

/** Formats whose errors keep their own format; the others answer errors in JSON (spec §2 step 11). */
export const ERRORS_IN_OWN_FORMAT: ReadonlySet<ExportFormat> = new Set(['json', 'jsonp', 'xml']);

export { toAtom } from './atom.js';
export { toHtml } from './html.js';
export { icsEventsOf, stampIcs, toIcs, toIcsTemplate } from './ics.js';
export { JSONP_CALLBACK_RE, toIndicoJson, toJsonp } from './json.js';
export { toIndicoXml } from './xml.js';
