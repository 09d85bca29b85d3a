export { canAccess, canAccessEvent, canModifyEvent, type Requester } from './access.js';
export { createNodeListener, type NodeAdapterOptions, splitUrl } from './adapters/node.js';
export { type Authenticator, type AuthInput, type AuthOutcome, anonymousAuthenticator } from './auth.js';
export { type DateContext, parseDateExpression } from './date-expr.js';
export { ExportDate, isExportDate, isValidTimeZone } from './datetime.js';
export { buildEnvelope, buildErrorBody, countOf, type EnvelopeInput, type EnvelopeStyle } from './envelope.js';
export {
  badParameter,
  ExportApiError,
  type ExportApiErrorCode,
  isExportApiError,
  STATUS_BY_CODE,
} from './errors.js';
export { createLocalFileStorage, type FileStorage, type StoredFile } from './files.js';
export {
  Conference,
  Contribution,
  type EventBundle,
  type ExportFossilContext,
  IBasicConferenceMetadataFossil,
  IConferenceMetadataFossil,
  IConferenceMetadataWithContribsFossil,
  IConferenceMetadataWithSessionsFossil,
  IConferenceMetadataWithSubContribsFossil,
  IContributionMetadataFossil,
  IContributionMetadataWithSubContribsFossil,
  ISessionMetadataFossil,
  ISessionMetadataWithContributionsFossil,
  ISessionMetadataWithSubContribsFossil,
  SessionSlot,
} from './fossils.js';
export {
  createExportHandler,
  type ExportHandler,
  type ExportHandlerOptions,
  type ExportLogger,
  type ExportRequest,
  type ExportResponse,
} from './handler.js';
export { compileFnmatch, EVENT_DETAIL_LEVELS } from './hooks/categ-event.js';
export { CORE_HOOKS } from './hooks/index.js';
export {
  IBreakTimeSchEntryFossil,
  IContribSchEntryDisplayFossil,
  ILinkedTimeSchEntryDisplayFossil,
  timetableOf,
} from './hooks/timetable.js';
export { type CollectOptions, collect, type SortKeys } from './iterate.js';
export type {
  BreakRecord,
  CategoryRecord,
  ContributionRecord,
  EventRecord,
  EventType,
  MaterialRecord,
  PersonalData,
  PersonRecord,
  Protection,
  RegistrantRecord,
  RegistrantState,
  Repeatability,
  ReservationRecord,
  ResourceRecord,
  RoomRecord,
  SessionRecord,
  SlotRecord,
  SubContributionRecord,
  UserRecord,
  VideoBookingRecord,
  VideoServiceType,
} from './model.js';
export { type CommonParams, type DetailLevels, type OrderKey, ParamReader, parseCommonParams } from './params.js';
export { canonicalQuery, parseQueryPairs, quotePlus } from './query.js';
export {
  type ExportChange,
  type ExportFormat,
  type HookContext,
  type HookDefinition,
  HookRegistry,
  type HookResult,
  KNOWN_FORMATS,
  type ResolvedHook,
} from './registry.js';
export { MAX_OCCURRENCES, occurrencesOf } from './rooms/occurrences.js';
export {
  CONTENT_TYPES,
  icsEventsOf,
  JSONP_CALLBACK_RE,
  toAtom,
  toHtml,
  toIcs,
  toIndicoJson,
  toIndicoXml,
  toJsonp,
} from './serializers/index.js';
export {
  createSigningAuthenticator,
  type SigningAuthenticatorOptions,
  STATUS_BY_SIGNING_CODE,
} from './signing.js';
export type {
  BookingOutcome,
  BookingRequest,
  CachedResult,
  Catalog,
  CatalogWrites,
  CategoryWindowListing,
  EventWindow,
  LinkedEvent,
  ResultCache,
} from './store.js';
export { createMemoryCatalog, createMemoryResultCache } from './stores/memory.js';
export { defaultUrls, type ExportUrls } from './urls.js';
