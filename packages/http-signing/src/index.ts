export { ApiMode, type ApiModeName, resolveApiMode } from './api-mode.js';
export {
  type CanonicalFlavor,
  type CanonicalQueryOptions,
  canonicalQuery,
  type ParamsInput,
  type ParamValue,
  stringToSign,
} from './canonical.js';
export { type BuildIndicoRequestOptions, buildIndicoRequest, type SignedRequest, signRequest } from './client.js';
export {
  HTTP_SIGNING_ERROR_CODES,
  HTTP_SIGNING_MESSAGES,
  HttpSigningError,
  type HttpSigningErrorCode,
  isHttpSigningError,
} from './errors.js';
export { quotePlus } from './quote.js';
export { computeSignature, constantTimeEqual, isWellFormedSignature } from './signature.js';
export type { ApiKeyRecord, ApiKeyStore, Clock, CreateApiKeyOptions, KeyUse, ReplayStore } from './store.js';
export {
  createMemoryApiKeyStore,
  createMemoryReplayStore,
  type MemoryApiKeyStoreOptions,
  type MemoryReplayStoreOptions,
} from './stores/memory.js';
export { recordKeyUse } from './usage.js';
export {
  type AnonymousOutcome,
  type CookieUser,
  isSignatureValid,
  type OutcomeBase,
  type ParsedForm,
  type PendingKeyUse,
  type PublicOnlyOutcome,
  type UserOutcome,
  type VerifyLimits,
  type VerifyOptions,
  type VerifyOutcome,
  type VerifyRequestInput,
  verifyRequest,
} from './verify.js';
