export { ExportApiError, type ExportApiErrorCode, isExportApiError } from './errors.js';
