import { classTypeName, FOSSILIZABLE } from './classes.js';
import { bumpEpoch, currentEpoch } from './epoch.js';
import { InvalidFossilError } from './errors.js';
import { type AnyFossil, Fossil, type FossilArg, type FossilizeContext, type FossilMember } from './fossil.js';
import { methodKeyOf } from './names.js';
import {
  type CallState,
  dispatch,
  getFilter,
  invalidMemberName,
  missingMember,
  nested,
  onPath,
  produceCached,
  pushPath,
  readCached,
  reservedKey,
  setPath,
  truthy,
  wrapError,
} from './runtime.js';

/** A compiled fossil: maps one object (already known to use this fossil) to its output. */
export type CompiledFn = (obj: object, st: CallState) => Record<string, unknown>;

/** Everything about one member that does not depend on the object, resolved once per compilation. */
interface PlanMember {
  readonly member: string;
  readonly def: FossilMember;
  readonly convert: ((v: unknown, ctx: FossilizeContext, obj: unknown) => unknown) | undefined;
  readonly produce: ((obj: unknown, ctx: FossilizeContext) => unknown) | undefined;
  readonly hasResult: boolean;
  readonly result: FossilArg;
  readonly onlyIf: string | ((ctx: FossilizeContext, obj: unknown) => unknown) | undefined;
  readonly filterBy: string | undefined;
  /** Key path when the object's member is a plain property: the `name` tag, else the member name. */
  readonly plainKey: readonly string[];
  /** Key path when it is a method (or produced): the `name` tag, else the get/has/is rule; null if invalid. */
  readonly methodKey: readonly string[] | null;
}

let codegen = true;

/**
 * Chooses how fossils are compiled: `true` (default) generates a specialised function per fossil with
 * `new Function`; `false` uses closures only (for environments whose CSP forbids code generation).
 * Also switched off automatically when `new Function` throws.
 */
export function setCodegen(enabled: boolean): void {
  codegen = enabled;
  bumpEpoch();
}

/** Drops every compiled fossil and cached default fossil; they are rebuilt on next use. */
export function clearCompiled(): void {
  bumpEpoch();
}

/** @internal the compiled form of a fossil, rebuilt when a tag or declaration changed since. */
export function compiledFossil(fossil: AnyFossil): CompiledFn {
  const c = fossil._compiled;
  const epoch = currentEpoch();
  if (c !== undefined && c.epoch === epoch) return c.fn as CompiledFn;
  const fn = compile(fossil);
  fossil._compiled = { epoch, fn };
  return fn;
}

function plan(fossil: AnyFossil): PlanMember[] {
  return fossil.names().map((member) => {
    const def = fossil.get(member)!;
    const t = (tag: string) => def.getTaggedValue(tag);
    const name = t('name') as string | undefined;
    const mk = name ?? methodKeyOf(member);
    return {
      member,
      def,
      convert: t('convert') as PlanMember['convert'],
      produce: t('produce') as PlanMember['produce'],
      hasResult: t('result') !== undefined,
      result: (t('result') ?? null) as FossilArg,
      onlyIf: t('onlyIf') as PlanMember['onlyIf'],
      filterBy: t('filterBy') as string | undefined,
      plainKey: (name ?? member).split('.'),
      methodKey: mk === null ? null : mk.split('.'),
    };
  });
}

function compile(fossil: AnyFossil): CompiledFn {
  const fossilName = fossil.fossilName;
  if (fossilName === null) {
    return () => {
      throw new InvalidFossilError('INVALID_FOSSIL_NAME', `Invalid fossil name: ${fossil.name}`);
    };
  }
  const members = plan(fossil);
  if (codegen) {
    try {
      return generate(fossil, fossilName, members);
    } catch (e) {
      if (!(e instanceof EvalError)) throw e;
      codegen = false;
    }
  }
  return interpret(fossil, fossilName, members);
}

// ---- closure-based form ----------------------------------------------------------------------------

function interpret(fossil: AnyFossil, fossilName: string, members: readonly PlanMember[]): CompiledFn {
  let lastCls: unknown = null;
  let lastType = '';
  return (obj, st) => {
    const ctx = st.ctx;
    const out: Record<string, unknown> = {};
    for (const m of members) {
      let stage = 0;
      let v: unknown;
      let plain = false;
      try {
        if (m.onlyIf !== undefined) {
          const ok = typeof m.onlyIf === 'string' ? truthy(ctx[m.onlyIf]) : truthy(m.onlyIf(ctx, obj));
          if (!ok) continue;
        }
        if (m.produce !== undefined) {
          stage = 2;
          v = st.cache === null ? m.produce(obj, ctx) : produceCached(st, obj, m.def, m.produce);
        } else if (st.cache === null) {
          stage = 1;
          const a = (obj as Record<string, unknown>)[m.member];
          if (typeof a === 'function') v = a.call(obj);
          else {
            if (a === undefined && !(m.member in obj)) throw missingMember(fossil, m.member, obj);
            v = a;
            plain = true;
          }
        } else {
          stage = 1;
          v = readCached(st, obj as Record<string, unknown>, m.member, fossil);
          plain = st.plain;
        }
        const filter = m.filterBy === undefined ? null : getFilter(ctx, m.filterBy);
        if (m.hasResult) {
          stage = 3;
          v = nested(v, m.result, filter, st, obj, fossil, m.member);
        }
        if (m.convert !== undefined) {
          stage = 4;
          v = m.convert(v, ctx, obj);
        }
      } catch (e) {
        throw wrapError(e, fossil, m.member, obj, stage);
      }
      const key = plain ? m.plainKey : m.methodKey;
      if (key === null) throw invalidMemberName(fossil, m.member);
      setPath(out, key, v);
    }
    if (Object.hasOwn(out, '_type') || Object.hasOwn(out, '_fossil')) throw reservedKey(fossil);
    const cls = (obj as { constructor?: unknown }).constructor;
    if (cls !== lastCls) {
      lastType = classTypeName(cls);
      lastCls = cls;
    }
    out._type = st.map === null ? lastType : (st.map.get(lastType) ?? lastType);
    out._fossil = fossilName;
    return out;
  };
}

// ---- generated form --------------------------------------------------------------------------------

const lit = (s: string) => JSON.stringify(s);
const prop = (s: string) => (s === '__proto__' ? `[${lit(s)}]` : lit(s));

interface KeyTree {
  [seg: string]: KeyTree | number;
}

/** The nested object literal for the all-methods case, or null when keys collide or are reserved. */
function literalTree(members: readonly PlanMember[]): KeyTree | null {
  const root: KeyTree = Object.create(null);
  for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    if (m.onlyIf !== undefined || m.methodKey === null) return null;
    const segs = m.methodKey;
    if (segs[0] === '_type' || segs[0] === '_fossil') return null;
    let cur = root;
    for (let j = 0; j < segs.length - 1; j++) {
      const s = segs[j]!;
      const next = cur[s];
      if (typeof next === 'number') return null;
      if (next === undefined) cur[s] = Object.create(null);
      cur = cur[s] as KeyTree;
    }
    const last = segs[segs.length - 1]!;
    if (last in cur) return null;
    cur[last] = i;
  }
  return root;
}

function renderTree(t: KeyTree): string {
  return `{${Object.keys(t)
    .map((k) => {
      const v = t[k]!;
      return `${prop(k)}: ${typeof v === 'number' ? `v${v}` : renderTree(v)}`;
    })
    .join(', ')}}`;
}

function generate(fossil: AnyFossil, fossilName: string, members: readonly PlanMember[]): CompiledFn {
  const env = {
    fossil,
    members,
    FZ: FOSSILIZABLE,
    compiledFossil,
    dispatch,
    onPath,
    pushPath,
    classTypeName,
    getFilter,
    invalidMemberName,
    missingMember,
    nested,
    produceCached,
    readCached,
    reservedKey,
    setPath,
    truthy,
    wrapError,
  };
  const n = members.length;
  const body: string[] = [];
  const decl: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    const M = lit(m.member);
    decl.push(`let v${i}, p${i} = false${m.onlyIf !== undefined ? `, s${i} = false` : ''};`);
    const b: string[] = [`i = ${i};`];
    let close = '';
    if (m.onlyIf !== undefined) {
      b.push('stage = 0;');
      b.push(
        typeof m.onlyIf === 'string'
          ? `if (!truthy(ctx[${lit(m.onlyIf)}])) s${i} = true; else {`
          : `if (!truthy(oi${i}(ctx, obj))) s${i} = true; else {`,
      );
      close = '}';
    }
    if (m.produce !== undefined) {
      b.push(
        `stage = 2; v${i} = C === null ? m${i}.produce(obj, ctx) : produceCached(st, obj, m${i}.def, m${i}.produce);`,
      );
    } else {
      b.push(
        `stage = 1; if (C === null) { v${i} = obj[${M}]; if (typeof v${i} === 'function') v${i} = v${i}.call(obj); ` +
          `else { p${i} = true; if (v${i} === undefined && !(${M} in obj)) throw missingMember(fossil, ${M}, obj); } }` +
          ` else { v${i} = readCached(st, obj, ${M}, fossil); p${i} = st.plain; }`,
      );
    }
    const filter = m.filterBy === undefined ? 'null' : `getFilter(ctx, ${lit(m.filterBy)})`;
    if (m.hasResult && m.result instanceof Fossil) {
      // Arrays under a fossil: one loop per member site, the nested compiled function looked up once.
      const f = m.filterBy === undefined ? '' : `const fl = ${filter}; `;
      const test = m.filterBy === undefined ? '' : 'if (!truthy(fl(e))) continue; ';
      b.push(
        `stage = 3; if (Array.isArray(v${i})) { ${f}pushPath(st, obj, fossil, ${M}); ` +
          `const rf = compiledFossil(ra${i}); const n = v${i}.length; const a = new Array(n); let k = 0; ` +
          `for (let j = 0; j < n; j++) { const e = v${i}[j]; ${test}` +
          `a[k++] = e !== null && typeof e === 'object' && e[FZ] === true && !onPath(st, e, ra${i}) ? rf(e, st) : dispatch(e, ra${i}, null, st); } ` +
          `if (k !== n) a.length = k; st.depth -= 3; v${i} = a; } ` +
          `else v${i} = nested(v${i}, ra${i}, ${filter}, st, obj, fossil, ${M});`,
      );
    } else if (m.hasResult) b.push(`stage = 3; v${i} = nested(v${i}, ra${i}, ${filter}, st, obj, fossil, ${M});`);
    else if (m.filterBy !== undefined) b.push(`${filter};`);
    if (m.convert !== undefined) b.push(`stage = 4; v${i} = cv${i}(v${i}, ctx, obj);`);
    if (m.methodKey === null) b.push(`if (!p${i}) throw invalidMemberName(fossil, ${M});`);
    body.push(b.join(' ') + close);
  }
  const tree = literalTree(members);
  // Members whose key does not depend on plain-vs-method (name tag, or identical keys) need no runtime check.
  const varying = members
    .map((m, i) => (m.methodKey !== null && m.methodKey.join('.') === m.plainKey.join('.') ? -1 : i))
    .filter((i) => i >= 0);
  const typeExpr = `(st.map === null ? tn : (st.map.get(tn) ?? tn))`;
  const fast =
    tree === null
      ? ''
      : `if (${varying.length === 0 ? 'true' : `!(${varying.map((i) => `p${i}`).join(' || ')})`}) ` +
        `{ const out = ${renderTree(tree).slice(0, -1)}${n > 0 ? ', ' : ''}"_type": ${typeExpr}, "_fossil": ${lit(fossilName)}}; return out; }`;
  const slow: string[] = ['const out = {};'];
  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    const key = m.methodKey === null ? `K${i}p` : `(p${i} ? K${i}p : K${i}m)`;
    slow.push(`${members[i]!.onlyIf !== undefined ? `if (!s${i}) ` : ''}setPath(out, ${key}, v${i});`);
  }
  slow.push(`if (Object.hasOwn(out, '_type') || Object.hasOwn(out, '_fossil')) throw reservedKey(fossil);`);
  slow.push(`out._type = ${typeExpr}; out._fossil = ${lit(fossilName)}; return out;`);

  const consts: string[] = [];
  for (let i = 0; i < n; i++) {
    consts.push(
      `const m${i} = members[${i}], K${i}p = m${i}.plainKey, K${i}m = m${i}.methodKey, cv${i} = m${i}.convert, ` +
        `pr${i} = m${i}.produce, ra${i} = m${i}.result, oi${i} = m${i}.onlyIf;`,
    );
  }
  const fname = fossil.name.replace(/\W/g, '_');
  const src = `"use strict";
const { fossil, members, FZ, compiledFossil, dispatch, onPath, pushPath, classTypeName, getFilter, invalidMemberName, missingMember, nested, produceCached, readCached, reservedKey, setPath, truthy, wrapError } = env;
${consts.join('\n')}
let lastCls = null, lastType = '';
return function fossilize_${fname}(obj, st) {
  const ctx = st.ctx, C = st.cache;
  let i = -1, stage = 0;
  ${decl.join('\n  ')}
  try {
    ${body.join('\n    ')}
  } catch (e) { throw wrapError(e, fossil, members[i].member, obj, stage); }
  const cls = obj.constructor;
  if (cls !== lastCls) { lastType = classTypeName(cls); lastCls = cls; }
  const tn = lastType;
  ${fast}
  ${slow.join('\n  ')}
};`;
  return new Function('env', src)(env) as CompiledFn;
}
