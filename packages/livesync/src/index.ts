export { isLivesyncError, LivesyncError, type LivesyncErrorCode } from './errors.js';
