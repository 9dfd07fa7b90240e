// Checks a JSON value against a swagger schema and reports the first violation.
//
// A focused walker rather than ajv: ARM semantics need things JSON Schema has no words for —
// readOnly members are dropped rather than rejected, polymorphism is `discriminator` +
// `x-ms-discriminator-value` on `allOf` children (found by scanning definitions, not declared on
// the base), enum strictness depends on `x-ms-enum.modelAsString` and on the service's
// deserialiser, and the error must name the JSON path and the type chain the way the real
// deserialisers do. Converting to JSON Schema and mapping ajv's errors back would be more code than
// walking the swagger directly.
//
// Like the real services, deserialisation problems (unknown member, wrong JSON type) win over value
// problems (missing required member, enum, pattern, range) found anywhere in the body.
import { Located, Schema, deref, loadDoc, resolveRef } from './specStore';

export type PathPart = string | number;

/** What a value was expected to be, enough to name the type in a deserialiser's words. */
export interface TypeDesc {
  kind: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'map' | 'any';
  format?: string;
  /** Model name for objects and enums. */
  name?: string;
  item?: TypeDesc;
}

export interface Violation {
  kind: 'unknownMember' | 'wrongType' | 'missingRequired' | 'badValue';
  /** JSON path of the offending (or missing) member. */
  path: PathPart[];
  /**
   * Object types walked from the root to the object holding the member, with the member used to go
   * deeper.
   */
  chain: Array<{ typeName: string; field?: string }>;
  expected?: TypeDesc;
  value?: unknown;
  /** For badValue: which rule failed, in words. */
  reason?: string;
}

export interface WalkOptions {
  /**
   * Enum and discriminator values compare case-sensitively (Go services) or not (.NET services).
   */
  caseSensitiveValues: boolean;
}

interface ObjectModel {
  name: string;
  properties: Map<string, Located>;
  required: Set<string>;
  /** true: any member allowed; Located: members must match it; undefined: closed. */
  additional: Located | true | undefined;
  discriminator?: string;
  declaresDiscriminator: boolean;
  ownDiscriminatorValue?: string;
  file: string;
  node: Schema;
}

const models = new WeakMap<Schema, ObjectModel>();
const subtypeCache = new WeakMap<Schema, Map<string, Located>>();
const regexCache = new Map<string, RegExp | null>();

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function isObjectSchema(n: Schema): boolean {
  if (n.type !== undefined) return n.type === 'object';
  return (
    n.properties !== undefined || n.allOf !== undefined || n.additionalProperties !== undefined
  );
}

function buildModel(loc: Located, name: string): ObjectModel {
  const cached = models.get(loc.node);
  if (cached) return cached;
  const n = loc.node;
  const model: ObjectModel = {
    name,
    properties: new Map(),
    required: new Set(),
    additional: undefined,
    declaresDiscriminator: typeof n.discriminator === 'string',
    discriminator: n.discriminator,
    ownDiscriminatorValue:
      n['x-ms-discriminator-value'] ?? (n.discriminator ? loc.name : undefined),
    file: loc.file,
    node: n,
  };
  models.set(n, model); // before recursing, so self-referencing models terminate
  for (const parentRef of n.allOf ?? []) {
    const parent = deref({ node: parentRef, file: loc.file });
    const pm = buildModel(parent, parent.name ?? name);
    for (const [k, v] of pm.properties) model.properties.set(k, v);
    for (const r of pm.required) model.required.add(r);
    if (pm.additional !== undefined && model.additional === undefined)
      model.additional = pm.additional;
    if (pm.discriminator && !model.discriminator) {
      model.discriminator = pm.discriminator;
      if (!n['x-ms-discriminator-value']) model.ownDiscriminatorValue = loc.name;
    }
  }
  for (const [k, v] of Object.entries(n.properties ?? {}))
    model.properties.set(k, { node: v, file: loc.file });
  for (const r of n.required ?? []) model.required.add(r);
  if (n.additionalProperties === true) model.additional = true;
  else if (n.additionalProperties && typeof n.additionalProperties === 'object') {
    model.additional = { node: n.additionalProperties, file: loc.file };
  }
  // `{ "type": "object" }` with no members declared is free-form in autorest (settings blobs,
  // template bodies).
  if (
    model.properties.size === 0 &&
    model.additional === undefined &&
    n.additionalProperties !== false
  )
    model.additional = true;
  return model;
}

// Children name their base in `allOf`; the spec never lists them on the base. They live beside the
// base.
function subtypesOf(base: Located): Map<string, Located> {
  let subs = subtypeCache.get(base.node);
  if (subs) return subs;
  subs = new Map();
  const defs: Record<string, Schema> = loadDoc(base.file).definitions ?? {};
  for (const [defName, def] of Object.entries(defs)) {
    const extendsBase = (def.allOf ?? []).some(
      (p) => p.$ref !== undefined && resolveRef(p.$ref, base.file).node === base.node,
    );
    if (extendsBase)
      subs.set(def['x-ms-discriminator-value'] ?? defName, {
        node: def,
        file: base.file,
        name: defName,
      });
  }
  subtypeCache.set(base.node, subs);
  return subs;
}

const readOnlyCache = new WeakMap<Schema, boolean>();

function isReadOnlyMember(member: Located): boolean {
  let ro = readOnlyCache.get(member.node);
  if (ro === undefined) {
    const d = deref(member);
    const mut = member.node['x-ms-mutability'] ?? d.node['x-ms-mutability'];
    ro = d.readOnly || (Array.isArray(mut) && !mut.includes('create') && !mut.includes('update'));
    readOnlyCache.set(member.node, ro);
  }
  return ro;
}

function describeType(loc: Located, nameHint: string): TypeDesc {
  const d = deref(loc);
  const n = d.node;
  const name = d.name ?? nameHint;
  if (n.type === 'array')
    return {
      kind: 'array',
      item: n.items
        ? describeType({ node: n.items, file: d.file }, name + 'Item')
        : { kind: 'any' },
    };
  if (isObjectSchema(n)) {
    if (
      !n.properties &&
      !n.allOf &&
      n.additionalProperties &&
      typeof n.additionalProperties === 'object'
    ) {
      return {
        kind: 'map',
        item: describeType({ node: n.additionalProperties, file: d.file }, name + 'Value'),
      };
    }
    return { kind: 'object', name };
  }
  if (n.type === 'string' || n.type === 'integer' || n.type === 'number' || n.type === 'boolean') {
    return { kind: n.type, format: n.format, name: n['x-ms-enum']?.name };
  }
  return { kind: 'any' };
}

function compiledPattern(p: string): RegExp | null {
  if (!regexCache.has(p)) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(p, 'u');
    } catch {
      try {
        re = new RegExp(p);
      } catch {
        re = null; // a pattern JavaScript can't compile is not enforced
      }
    }
    regexCache.set(p, re);
  }
  return regexCache.get(p) ?? null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

class Walk {
  valueViolation: Violation | undefined;
  constructor(private readonly opts: WalkOptions) {}

  private defer(v: Violation): void {
    if (!this.valueViolation) this.valueViolation = v;
  }

  private sameValue(a: unknown, b: unknown): boolean {
    if (typeof a === 'string' && typeof b === 'string' && !this.opts.caseSensitiveValues)
      return a.toLowerCase() === b.toLowerCase();
    return a === b;
  }

  check(
    value: unknown,
    loc: Located,
    path: PathPart[],
    chain: Violation['chain'],
    nameHint: string,
  ): Violation | undefined {
    if (value === null) return undefined; // null is "absent" for both .NET and Go deserialisers
    const d = deref(loc);
    const n = d.node;
    const name = d.name ?? nameHint;
    if (n.type === 'array') return this.checkArray(value, d, path, chain, name);
    if (isObjectSchema(n)) return this.checkObject(value, d, path, chain, name);
    return this.checkPrimitive(value, d, path, chain, name);
  }

  private wrongType(
    value: unknown,
    loc: Located,
    path: PathPart[],
    chain: Violation['chain'],
    name: string,
  ): Violation {
    return { kind: 'wrongType', path, chain, expected: describeType(loc, name), value };
  }

  private checkArray(
    value: unknown,
    loc: Located,
    path: PathPart[],
    chain: Violation['chain'],
    name: string,
  ): Violation | undefined {
    if (!Array.isArray(value)) return this.wrongType(value, loc, path, chain, name);
    const n = loc.node;
    if (n.items) {
      for (let i = 0; i < value.length; i++) {
        const v = this.check(
          value[i],
          { node: n.items, file: loc.file },
          [...path, i],
          chain,
          name + 'Item',
        );
        if (v) return v;
      }
    }
    if (n.minItems !== undefined && value.length < n.minItems)
      this.defer({
        kind: 'badValue',
        path,
        chain,
        value,
        reason: `at least ${n.minItems} item(s) required`,
      });
    if (n.maxItems !== undefined && value.length > n.maxItems)
      this.defer({
        kind: 'badValue',
        path,
        chain,
        value,
        reason: `at most ${n.maxItems} item(s) allowed`,
      });
    if (n.uniqueItems && new Set(value.map((x) => JSON.stringify(x))).size !== value.length) {
      this.defer({ kind: 'badValue', path, chain, value, reason: 'items must be unique' });
    }
    return undefined;
  }

  private checkObject(
    value: unknown,
    loc: Located,
    path: PathPart[],
    chain: Violation['chain'],
    name: string,
  ): Violation | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return this.wrongType(value, loc, path, chain, name);
    const obj = value as Record<string, unknown>;
    const model = buildModel(loc, name);
    if (model.declaresDiscriminator && model.discriminator) {
      const dv = obj[model.discriminator];
      if (typeof dv === 'string') {
        const subs = subtypesOf(loc);
        const key = [...subs.keys()].find((k) => this.sameValue(k, dv));
        if (key !== undefined) return this.check(value, subs.get(key)!, path, chain, name);
        if (!this.sameValue(model.ownDiscriminatorValue, dv)) {
          const allowed = [...subs.keys()].join(', ');
          return {
            kind: 'badValue',
            path: [...path, model.discriminator],
            chain: [...chain, { typeName: model.name }],
            value: dv,
            reason: `expected one of: ${allowed}`,
          };
        }
      }
    }
    const here = [...chain, { typeName: model.name }];
    for (const [key, member] of Object.entries(obj)) {
      const memberPath = [...path, key];
      const prop = model.properties.get(key);
      if (!prop) {
        if (model.additional === true) continue;
        if (model.additional === undefined)
          return { kind: 'unknownMember', path: memberPath, chain: here };
        const v = this.check(member, model.additional, memberPath, here, model.name + 'Value');
        if (v) return v;
        continue;
      }
      if (isReadOnlyMember(prop)) continue; // ARM drops read-only members of a request body
      if (member === null) {
        if (
          model.required.has(key) &&
          !deref(prop).node['x-nullable'] &&
          !prop.node['x-nullable']
        ) {
          this.defer({ kind: 'missingRequired', path: memberPath, chain: here });
        }
        continue;
      }
      const down = [...chain, { typeName: model.name, field: key }];
      const v = this.check(member, prop, memberPath, down, model.name + capitalise(key));
      if (v) return v;
    }
    const required = new Set(model.required);
    if (model.discriminator) required.add(model.discriminator);
    for (const r of required) {
      const prop = model.properties.get(r);
      if (prop && isReadOnlyMember(prop)) continue;
      if (obj[r] === undefined)
        this.defer({ kind: 'missingRequired', path: [...path, r], chain: here });
    }
    return undefined;
  }

  private checkPrimitive(
    value: unknown,
    loc: Located,
    path: PathPart[],
    chain: Violation['chain'],
    name: string,
  ): Violation | undefined {
    const n = loc.node;
    switch (n.type) {
      case 'string':
        if (typeof value !== 'string') return this.wrongType(value, loc, path, chain, name);
        // Guid and DateTime members fail deserialisation, not validation, on a malformed string.
        if (n.format === 'uuid' && !UUID.test(value))
          return this.wrongType(value, loc, path, chain, name);
        if (
          n.format === 'date-time' &&
          (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))
        ) {
          return this.wrongType(value, loc, path, chain, name);
        }
        if (n.minLength !== undefined && value.length < n.minLength)
          this.defer({
            kind: 'badValue',
            path,
            chain,
            value,
            reason: `length must be at least ${n.minLength}`,
          });
        if (n.maxLength !== undefined && value.length > n.maxLength)
          this.defer({
            kind: 'badValue',
            path,
            chain,
            value,
            reason: `length must be at most ${n.maxLength}`,
          });
        if (n.pattern !== undefined) {
          const re = compiledPattern(n.pattern);
          if (re && !re.test(value))
            this.defer({ kind: 'badValue', path, chain, value, reason: `must match ${n.pattern}` });
        }
        break;
      case 'integer':
        if (typeof value !== 'number' || !Number.isInteger(value))
          return this.wrongType(value, loc, path, chain, name);
        if ((n.format ?? 'int32') === 'int32' && (value > 2147483647 || value < -2147483648))
          return this.wrongType(value, loc, path, chain, name);
        break;
      case 'number':
        if (typeof value !== 'number') return this.wrongType(value, loc, path, chain, name);
        break;
      case 'boolean':
        if (typeof value !== 'boolean') return this.wrongType(value, loc, path, chain, name);
        break;
      default:
        break; // untyped schema: any JSON value
    }
    if (typeof value === 'number') {
      const tooLow =
        n.minimum !== undefined && (n.exclusiveMinimum ? value <= n.minimum : value < n.minimum);
      const tooHigh =
        n.maximum !== undefined && (n.exclusiveMaximum ? value >= n.maximum : value > n.maximum);
      if (tooLow)
        this.defer({
          kind: 'badValue',
          path,
          chain,
          value,
          reason: `must be ${n.exclusiveMinimum ? 'greater than' : 'at least'} ${n.minimum}`,
        });
      if (tooHigh)
        this.defer({
          kind: 'badValue',
          path,
          chain,
          value,
          reason: `must be ${n.exclusiveMaximum ? 'less than' : 'at most'} ${n.maximum}`,
        });
      if (
        n.multipleOf !== undefined &&
        Math.abs(value / n.multipleOf - Math.round(value / n.multipleOf)) > 1e-9
      ) {
        this.defer({
          kind: 'badValue',
          path,
          chain,
          value,
          reason: `must be a multiple of ${n.multipleOf}`,
        });
      }
    }
    // Extensible enums (`modelAsString: true`) accept any string: the listed values are only the
    // known ones.
    if (
      n.enum &&
      n['x-ms-enum']?.modelAsString !== true &&
      !n.enum.some((e) => this.sameValue(e, value))
    ) {
      this.defer({
        kind: 'badValue',
        path,
        chain,
        value,
        reason: `expected one of: ${n.enum.join(', ')}`,
        expected: describeType(loc, name),
      });
    }
    return undefined;
  }
}

/** Validates `value` against `schema`; returns the violation a real service would report first. */
export function walk(
  value: unknown,
  schema: Located,
  rootName: string,
  opts: WalkOptions,
): Violation | undefined {
  const w = new Walk(opts);
  return w.check(value, schema, [], [], rootName) ?? w.valueViolation;
}
