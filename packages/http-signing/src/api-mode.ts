/**
 * Indico's five API modes with their numeric values (spec: export-api-and-signing §3.3; the admin setting
 * "API mode", default 0).
 */
export const ApiMode = {
  /** No key: anonymous. Key: authenticated. Signature optional (verified when present). */
  KEY: 0,
  /** A key is required; a signature is optional. */
  ONLYKEY: 1,
  /** No key: anonymous. Key without signature: public-only. Key + signature: authenticated. */
  SIGNED: 2,
  /** A key is required; without a signature the request is public-only. */
  ONLYKEY_SIGNED: 3,
  /** A key and a signature are required. */
  ALL_SIGNED: 4,
} as const;

export type ApiModeName = keyof typeof ApiMode;
export type ApiMode = (typeof ApiMode)[ApiModeName];

/** Accepts a mode value (0-4) or its name; anything else is a programmer error (TypeError). */
export function resolveApiMode(mode: ApiMode | ApiModeName | undefined): ApiMode {
  if (mode === undefined) return ApiMode.KEY;
  if (typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 4) return mode;
  if (typeof mode === 'string' && Object.hasOwn(ApiMode, mode)) return ApiMode[mode];
  throw new TypeError(`unknown API mode ${JSON.stringify(mode)}; use 0-4 or ${Object.keys(ApiMode).join(', ')}`);
}
