export { AttrCache, createAttrCache } from './attr-cache.js';
export {
  type AnyClass,
  addFossil,
  classTypeName,
  declaredFossils,
  defaultFossilOf,
  FOSSIL_CLASS_NAME,
  type FossilizesDecorator,
  fossilClassNameOf,
  fossilizes,
  setFossilClassName,
} from './classes.js';
export { clearCompiled, setCodegen } from './compile.js';
export { type DefineFossilOptions, defineFossil } from './define.js';
export {
  FossilCycleError,
  FossilizeError,
  type FossilizeErrorCode,
  FossilMemberError,
  InvalidFossilError,
  InvalidFossilException,
  isFossilizeError,
  type MemberStage,
  MissingFiltersError,
  MissingMemberError,
  NonFossilizableError,
  NonFossilizableException,
} from './errors.js';
export {
  type AnyFossil,
  type FilterMap,
  Fossil,
  type FossilArg,
  type FossilizeContext,
  type FossilMap,
  FossilMember,
  IFossil,
  type JsonSchema,
  type MembersShape,
  type MemberTags,
  type MemberType,
} from './fossil.js';
export { Fossilizable } from './fossilizable.js';
export { clearCache, fossilize, fossilizeObject } from './fossilize.js';
export { type ToJSONSchemaOptions, toJSONSchema } from './json-schema.js';
export { fossilNameOf, methodKeyOf } from './names.js';
export type { FossilizeOptions } from './runtime.js';
export {
  type Applied,
  type Fossilized,
  type FossilizeResult,
  type FossilNameOf,
  type FossilOutput,
  fossilType,
  type MembersOf,
  type MergeMembers,
  type MethodKey,
  type Simplify,
  type TypeNameOf,
} from './types.js';
