import { InvalidFossilError } from './errors.js';
import { type AnyFossil, Fossil, type FossilArg, type JsonSchema, type MemberType } from './fossil.js';
import { methodKeyOf } from './names.js';

/** Options of {@link toJSONSchema}. */
export interface ToJSONSchemaOptions {
  /** Forbid keys the fossil does not declare (`additionalProperties: false`); default true. */
  readonly closed?: boolean;
}

type Mutable = Record<string, unknown>;

const FOSSILIZED: JsonSchema = {
  type: 'object',
  properties: { _type: { type: 'string' }, _fossil: { type: 'string' } },
  required: ['_type', '_fossil'],
};

/**
 * JSON Schema (draft 2020-12) of the objects a fossil produces. Member value schemas come from the `schema`
 * tag, else the `type` tag, else the `result` fossil (with `type: 'array'` / `'object'` saying which); members
 * without any of these accept any value. Keys follow the method rules (`getFoo` -> `foo`) or the `name` tag;
 * dotted names become nested objects; `onlyIf` members are optional. Nested fossils go to `$defs`.
 */
export function toJSONSchema(fossil: AnyFossil, options: ToJSONSchemaOptions = {}): JsonSchema {
  const closed = options.closed ?? true;
  const defs: Mutable = {};
  const pending: AnyFossil[] = [];
  const ref = (f: AnyFossil): JsonSchema => {
    if (f === fossil) return { $ref: '#' };
    if (!(f.name in defs)) {
      defs[f.name] = {};
      pending.push(f);
    }
    return { $ref: `#/$defs/${f.name}` };
  };
  const root = objectSchema(fossil, ref, closed);
  while (pending.length > 0) {
    const f = pending.pop()!;
    defs[f.name] = objectSchema(f, ref, closed);
  }
  const out: Mutable = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...root };
  if (Object.keys(defs).length > 0) out.$defs = defs;
  return out;
}

interface Node {
  props: Map<string, Node | JsonSchema>;
  required: Set<string>;
}

function objectSchema(fossil: AnyFossil, ref: (f: AnyFossil) => JsonSchema, closed: boolean): JsonSchema {
  if (fossil.fossilName === null)
    throw new InvalidFossilError('INVALID_FOSSIL_NAME', `Invalid fossil name: ${fossil.name}`);
  const root: Node = { props: new Map(), required: new Set() };
  for (const member of fossil.names()) {
    const def = fossil.get(member)!;
    const key = (def.getTaggedValue('name') as string | undefined) ?? methodKeyOf(member) ?? member;
    const segs = key.split('.');
    const optional = def.getTaggedValue('onlyIf') !== undefined;
    let node = root;
    for (let i = 0; i < segs.length - 1; i++) {
      const s = segs[i]!;
      let next = node.props.get(s);
      if (!next || !('props' in next)) {
        next = { props: new Map(), required: new Set() };
        node.props.set(s, next);
      }
      if (!optional) node.required.add(s);
      node = next as Node;
    }
    const last = segs[segs.length - 1]!;
    node.props.set(last, valueSchema(def.getTags(), ref));
    if (!optional) node.required.add(last);
  }
  const schema = render(root, closed) as Mutable;
  const props = schema.properties as Mutable;
  props._type = { type: 'string' };
  props._fossil = { const: fossil.fossilName };
  schema.required = [...(schema.required as string[]), '_type', '_fossil'];
  schema.title = fossil.name;
  return schema;
}

function render(node: Node, closed: boolean): JsonSchema {
  const properties: Mutable = {};
  for (const [k, v] of node.props) properties[k] = 'props' in v ? render(v as Node, closed) : v;
  return {
    type: 'object',
    properties,
    required: [...node.required],
    ...(closed ? { additionalProperties: false } : {}),
  };
}

function valueSchema(tags: Record<string, unknown>, ref: (f: AnyFossil) => JsonSchema): JsonSchema {
  const description = typeof tags.description === 'string' ? { description: tags.description } : {};
  if (tags.schema !== undefined) return { ...(tags.schema as JsonSchema), ...description };
  const type = tags.type as MemberType | readonly MemberType[] | undefined;
  if (tags.result !== undefined && tags.convert === undefined) {
    const one = resultSchema(tags.result as FossilArg, ref);
    if (type === 'array') return { type: 'array', items: one, ...description };
    if (type === 'object') return { ...one, ...description };
    return { anyOf: [one, { type: 'array', items: one }, { type: 'null' }], ...description };
  }
  if (type !== undefined) return { type: Array.isArray(type) ? [...type] : type, ...description };
  return { ...description };
}

function resultSchema(arg: FossilArg, ref: (f: AnyFossil) => JsonSchema): JsonSchema {
  if (arg instanceof Fossil) return ref(arg);
  if (arg === null) return FOSSILIZED;
  const values = arg instanceof Map ? [...arg.values()] : Object.values(arg);
  const refs = values.filter((f): f is AnyFossil => f instanceof Fossil).map(ref);
  return refs.length === 1 ? refs[0]! : { anyOf: refs };
}
