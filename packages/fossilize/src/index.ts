export { FossilizeError, type FossilizeErrorCode, isFossilizeError } from './errors.js';
