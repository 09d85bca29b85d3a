import { bumpEpoch, currentEpoch } from './epoch.js';
import { InvalidFossilError } from './errors.js';
import { type AnyFossil, describe, Fossil, IFossil } from './fossil.js';

/** Any class (constructor function). */
export type AnyClass = abstract new (...args: never) => unknown;

/**
 * Marks instances that are fossilized as objects before any container check (dispatch row 1): instances of
 * `Fossilizable` and of every class with declared fossils.
 * @internal
 */
export const FOSSILIZABLE: unique symbol = Symbol.for('@indico/fossilize.fossilizable');

/** Optional static property giving a class its full dotted name (`'package.subpackage.User'`). */
export const FOSSIL_CLASS_NAME = 'fossilClassName';

const ownDeclarations = new WeakMap<Function, AnyFossil[]>();
let defaults = new WeakMap<Function, AnyFossil | null>();
let defaultsEpoch = -1;

function checkFossils(fossils: readonly unknown[], where: string): asserts fossils is AnyFossil[] {
  fossils.forEach((f, i) => {
    if (!(f instanceof Fossil))
      throw new InvalidFossilError(
        'INVALID_DEFINITION',
        `${where}: argument ${i + 1} is not a fossil defined with defineFossil (got ${describe(f)})`,
      );
  });
}

function declare(cls: Function, fossils: readonly AnyFossil[]): void {
  let list = ownDeclarations.get(cls);
  if (!list) {
    list = [];
    ownDeclarations.set(cls, list);
  }
  list.push(...fossils);
  Object.defineProperty(cls.prototype, FOSSILIZABLE, { value: true, configurable: true, enumerable: false });
  bumpEpoch();
}

/** A TC39 class decorator (also usable as a legacy decorator or called by hand). */
export type FossilizesDecorator = (cls: AnyClass, context?: ClassDecoratorContext) => void;

/**
 * Declares the fossils a class "implements", in order; the first becomes its default fossil.
 * As a decorator: `@fossilizes(ISimpleUserFossil, IComplexUserFossil) class User {}`.
 * As a function: `fossilizes(User, ISimpleUserFossil, IComplexUserFossil)`.
 */
export function fossilizes<C extends AnyClass>(cls: C, ...fossils: AnyFossil[]): C;
export function fossilizes(...fossils: AnyFossil[]): FossilizesDecorator;
export function fossilizes(...args: unknown[]): unknown {
  if (typeof args[0] === 'function') {
    const [cls, ...fossils] = args as [Function, ...unknown[]];
    checkFossils(fossils, `fossilizes(${cls.name})`);
    declare(cls, fossils);
    return cls;
  }
  checkFossils(args, 'fossilizes');
  const fossils = args as AnyFossil[];
  return (cls: AnyClass, _context?: ClassDecoratorContext) => {
    declare(cls, fossils);
  };
}

/** Appends one fossil or a list of fossils to the class's own declarations (spec §4.4 R-ADDFOSSIL). */
export function addFossil(cls: AnyClass, fossils: AnyFossil | readonly AnyFossil[]): void {
  if (typeof cls !== 'function')
    throw new InvalidFossilError('INVALID_DEFINITION', `addFossil: ${describe(cls)} is not a class`);
  const list = Array.isArray(fossils) ? fossils : [fossils];
  checkFossils(list, `addFossil(${cls.name})`);
  declare(cls, list as AnyFossil[]);
}

/**
 * The fossils a class implements, as zope's `implementedBy` lists them: its own declarations in order, then
 * those of its base classes, nearest first, each fossil once.
 */
export function declaredFossils(cls: AnyClass | Function): AnyFossil[] {
  const out: AnyFossil[] = [];
  const seen = new Set<AnyFossil>();
  for (let c: Function | null = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    for (const f of ownDeclarations.get(c) ?? []) {
      if (!seen.has(f)) {
        seen.add(f);
        out.push(f);
      }
    }
  }
  return out;
}

/** The default fossil of a class (the first declared, `IFossil` itself skipped), or `null`. Cached. */
export function defaultFossilOf(cls: AnyClass | Function): AnyFossil | null {
  if (defaultsEpoch !== currentEpoch()) {
    defaults = new WeakMap();
    defaultsEpoch = currentEpoch();
  }
  let f = defaults.get(cls);
  if (f === undefined) {
    f = declaredFossils(cls).find((x) => x !== IFossil) ?? null;
    defaults.set(cls, f);
  }
  return f;
}

/**
 * Gives a class its full dotted name, used as a key of fossil maps (`{ 'package.subpackage.User': IFoo }`).
 * Its last segment also becomes the class's `_type` (robust against minifiers). Same effect as a static
 * `fossilClassName` property.
 */
export function setFossilClassName(cls: AnyClass, fullName: string): void {
  if (typeof fullName !== 'string' || fullName === '')
    throw new InvalidFossilError('INVALID_DEFINITION', `setFossilClassName: invalid name ${describe(fullName)}`);
  Object.defineProperty(cls, FOSSIL_CLASS_NAME, { value: fullName, configurable: true, enumerable: false });
  bumpEpoch();
}

/** The full dotted name of a class (own `fossilClassName`), or `null`; subclasses do not inherit it. */
export function fossilClassNameOf(cls: Function): string | null {
  if (!Object.hasOwn(cls, FOSSIL_CLASS_NAME)) return null;
  const n = (cls as unknown as Record<string, unknown>)[FOSSIL_CLASS_NAME];
  return typeof n === 'string' ? n : null;
}

/** The `_type` of instances of `cls` before `mapClassType`: the last segment of its full name, else its name. */
export function classTypeName(cls: unknown): string {
  if (typeof cls !== 'function') return 'Object';
  const full = fossilClassNameOf(cls);
  if (full !== null) return full.slice(full.lastIndexOf('.') + 1);
  return cls.name || 'Object';
}
