export {
  loadSeedPart2Fixtures,
  PART2_CHECKIN_SECRET,
  PART2_EVENT_ID,
  PART2_MANAGER_ID,
  SEED_REGISTRANT,
  SEED_RESERVATION,
  SEED_ROOM,
} from './fixtures/part2.js';
export { legacyUrls, loadSeedFixtures, loadSeedTimetableFixtures } from './fixtures/seed.js';
