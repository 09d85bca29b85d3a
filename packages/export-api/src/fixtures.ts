export { legacyUrls, loadSeedFixtures, loadSeedTimetableFixtures } from './fixtures/seed.js';
