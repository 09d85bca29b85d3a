import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Catalog, EventRecord, PersonRecord } from '@indico/export-api';
import { loadSeedFixtures, loadSeedPart2Fixtures, PART2_EVENT_ID } from '@indico/export-api/fixtures';

/** The demo administrator (the seed fixtures' event creator); `apikey create --user 1` gives an admin key. */
export const DEMO_ADMIN_ID = '1';

const admin: PersonRecord = {
  id: DEMO_ADMIN_ID,
  fullName: 'Indico Admin',
  affiliation: 'CERN',
  email: 'admin@example.org',
};

const CATEGORIES = [
  { id: '4', name: 'Physics', parentId: '0' },
  { id: '5', name: 'Computing', parentId: '0' },
  { id: '6', name: 'Software Development', parentId: '5' },
  { id: '7', name: 'Detector Operations', parentId: '4' },
];
const TOPICS = ['Detector', 'Trigger', 'Computing', 'Software', 'Beam', 'Physics', 'Outreach', 'Safety'];
const KINDS = ['Weekly Meeting', 'Workshop', 'Review', 'Seminar', 'Training', 'Coordination'];
const ROOMS = ['4-3-006', '40-S2-A01', '160-1-009', '222-R-001', '503-1-001'];

/** A tiny deterministic generator, so every demo start shows the same events (relative to today). */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A one-page PDF: the demo's `Slides` file (`/export/event/301397/material/0/0.bin`). */
const DEMO_PDF = `%PDF-1.4
1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj
2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj
3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>> endobj
trailer <</Root 1 0 R>>
%%EOF
`;

/**
 * Writes the files of the part-2 demo event (`<dir>/301397/slides.pdf`, the protected `notes.txt`), keeping
 * files already there.
 */
export async function writeDemoFiles(dir: string): Promise<void> {
  const eventDir = path.join(dir, PART2_EVENT_ID);
  await mkdir(eventDir, { recursive: true });
  const files: Array<[string, string]> = [
    ['slides.pdf', DEMO_PDF],
    ['notes.txt', 'Private notes of the registration test conference (user 36024 only).\n'],
  ];
  for (const [name, text] of files) {
    const file = path.join(eventDir, name);
    if (!existsSync(file)) await writeFile(file, text);
  }
}

/**
 * Seed examples (@indico/export-api/fixtures: category 2 "TEST Category", events 137344 and 137346 with
 * contributions and a session, the search hits, user 36024; part 2: event 301397 with registrant 0, room
 * CERN/120 "Mezzanine" with reservation 93094, room CERN/101 with a blocked day, user `jdoe`, video bookings,
 * a `Slides` material), an admin user, and `generated` events spread from a month ago to three months ahead of
 * `now` so that `from=today` listings have content. With `filesDir`, also the part-2 event's stored files.
 */
export async function loadDemoData(
  catalog: Catalog,
  options: { generated: number; now: number; filesDir?: string },
): Promise<number> {
  await loadSeedFixtures(catalog);
  await loadSeedPart2Fixtures(catalog);
  if (options.filesDir) await writeDemoFiles(options.filesDir);
  await catalog.putUser({
    id: DEMO_ADMIN_ID,
    firstName: 'Indico',
    familyName: 'Admin',
    title: '',
    email: admin.email,
    affiliation: 'CERN',
    phone: '',
    fax: '',
    address: '',
    isAdmin: true,
  });
  for (const c of CATEGORIES) await catalog.putCategory(c);
  const rand = lcg(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const day = 86_400_000;
  const today = Math.floor(options.now / day) * day;
  for (let i = 0; i < options.generated; i++) {
    const start = today + Math.floor(rand() * 120 - 30) * day + (8 + Math.floor(rand() * 9)) * 3_600_000;
    const hours = 1 + Math.floor(rand() * 4);
    const id = String(200_000 + i);
    const event: EventRecord = {
      id,
      title: `${pick(TOPICS)} ${pick(KINDS)} #${i + 1}`,
      description: 'Generated demo event.',
      type: pick(['meeting', 'meeting', 'simple_event', 'conference'] as const),
      startDate: start,
      endDate: start + hours * 3_600_000,
      timezone: 'Europe/Zurich',
      categoryId: pick(['2', '3', ...CATEGORIES.map((c) => c.id)]),
      location: 'CERN',
      room: pick(ROOMS),
      address: null,
      creator: admin,
      chairs: [admin],
      creationDate: today - 60 * day,
      modificationDate: today - 60 * day,
    };
    await catalog.putEvent(event);
    if (i % 5 === 0) {
      for (let k = 0; k < 3; k++) {
        await catalog.putContribution({
          id: String(k),
          eventId: id,
          title: `${pick(TOPICS)} status report`,
          description: '',
          startDate: start + k * 20 * 60_000,
          duration: 20,
          location: 'CERN',
          room: event.room,
          speakers: [admin],
          track: null,
          sessionId: null,
          type: null,
        });
      }
    }
  }
  return options.generated;
}

/** True when the catalog already holds data (the root category exists). */
export async function hasData(catalog: Catalog): Promise<boolean> {
  return (await catalog.getCategory('0')) !== null;
}
