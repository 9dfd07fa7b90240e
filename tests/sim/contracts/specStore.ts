// Lazy loading of swagger files and `$ref` resolution across files.
import * as fs from 'fs';
import * as path from 'path';

/** A swagger schema object, as found in the files (only the members we read are typed). */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  items?: Schema;
  enum?: unknown[];
  readOnly?: boolean;
  discriminator?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  'x-ms-enum'?: { name?: string; modelAsString?: boolean };
  'x-ms-discriminator-value'?: string;
  'x-ms-mutability'?: string[];
  'x-nullable'?: boolean;
}

/** A schema together with the file it lives in (needed to resolve its relative `$ref`s). */
export interface Located {
  node: Schema;
  file: string;
  /** The definition name when the schema was reached through `#/definitions/<name>`. */
  name?: string;
}

const docs = new Map<string, any>();

export function loadDoc(file: string): any {
  let doc = docs.get(file);
  if (doc === undefined) {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    docs.set(file, doc);
  }
  return doc;
}

function pointer(doc: any, ptr: string, where: string): any {
  let node = doc;
  for (const raw of ptr.split('/').filter((p) => p.length > 0)) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = node?.[key];
    if (node === undefined) throw new Error(`contracts: unresolvable $ref ${where}`);
  }
  return node;
}

/**
 * Resolves `ref` (e.g. `../../common-types/v5/types.json#/definitions/TrackedResource`) seen in
 * `fromFile`.
 */
export function resolveRef(ref: string, fromFile: string): Located {
  const hash = ref.indexOf('#');
  const filePart = hash < 0 ? ref : ref.slice(0, hash);
  const ptr = hash < 0 ? '' : ref.slice(hash + 1);
  const file = filePart ? path.resolve(path.dirname(fromFile), filePart) : fromFile;
  const node = pointer(loadDoc(file), ptr, `${ref} (from ${fromFile})`);
  const m = /^\/definitions\/([^/]+)$/.exec(ptr);
  return { node, file, name: m ? decodeURIComponent(m[1]) : undefined };
}

// A schema object belongs to exactly one file, so its resolution can be cached by identity.
const derefCache = new WeakMap<Schema, Located & { readOnly: boolean }>();

/** Follows `$ref` chains. `readOnly` written beside a `$ref` (as autorest honours it) is kept. */
export function deref(s: Located): Located & { readOnly: boolean } {
  if (s.node.$ref === undefined) return { ...s, readOnly: s.node.readOnly === true };
  const cached = derefCache.get(s.node);
  if (cached) return cached;
  let cur = s;
  let readOnly = s.node.readOnly === true;
  for (let hops = 0; cur.node.$ref !== undefined; hops++) {
    if (hops > 50) throw new Error(`contracts: $ref cycle at ${cur.node.$ref} in ${cur.file}`);
    cur = resolveRef(cur.node.$ref, cur.file);
    readOnly = readOnly || cur.node.readOnly === true;
  }
  const result = { ...cur, readOnly };
  derefCache.set(s.node, result);
  return result;
}
