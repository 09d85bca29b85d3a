export { isSchedulerError, SchedulerError, type SchedulerErrorCode } from './errors.js';
