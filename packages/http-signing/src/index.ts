export { HttpSigningError, type HttpSigningErrorCode, isHttpSigningError } from './errors.js';
