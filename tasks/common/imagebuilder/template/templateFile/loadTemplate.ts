/**
 * `templateFile` and `customizersFile`: an image template (plain resource object, its `properties`
 * alone, or an ARM template holding exactly one Microsoft.VirtualMachineImages/imageTemplates
 * resource) or a customisers list, read into the 2024-02-01 REST shape the task sends. ARM
 * expressions are evaluated (armExpressions.ts); shapes older api-versions allowed are migrated
 * with a warning; anything else unknown is refused naming its JSON path, before anything is written
 * in Azure.
 *
 * Only the resource's location, identity, tags and properties are read: the task names the template
 * itself (so `name`, `dependsOn`, `comments` and other resources are not evaluated), and an
 * identity the `managedIdentity` input gives replaces the file's without evaluating it.
 */
import * as yaml from 'js-yaml';
import { InputError } from '../../../core/errors';
import { ArmExpressionError, ArmScope, ArmValue, evaluateString } from './armExpressions';
import { migrateProperties } from './migrate';
import { ModuleOutputs } from './modules';
import { refuseExpansionBomb } from './expansion';
import { textOf } from '../valueText';

export const TEMPLATE_TYPE = 'Microsoft.VirtualMachineImages/imageTemplates';
type Obj = { [key: string]: ArmValue };

export interface FileContext {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  /** templateParameters, by name (matched case-insensitively, as ARM does). */
  parameters: Record<string, ArmValue>;
  /** The file's identity is not read when the task has one. */
  identityGiven: boolean;
}

export interface LoadedTemplate {
  location?: string;
  identity?: ArmValue;
  tags?: Record<string, string>;
  properties: Obj;
  warnings: string[];
  /** What kind of file it was, for the log. */
  shape: 'resource' | 'properties' | 'arm';
  /** The values given to its secureString and secureObject parameters: masked in the log. */
  secrets?: string[];
}

/** Text of a JSON or YAML file (BOM and CRLF allowed); a syntax error names the line and column. */
export function parseDocument(text: string, input: string, fileName: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  if (/\.ya?ml$/i.test(fileName)) {
    try {
      const doc = yaml.load(body, { schema: yaml.JSON_SCHEMA });
      refuseExpansionBomb(doc, input, fileName);
      return doc;
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(
        input,
        `${fileName} is not valid YAML: ${(err as Error).message.split('\n')[0]}`,
      );
    }
  }
  try {
    return JSON.parse(body);
  } catch (err) {
    const reason = (err as Error).message
      .split('\n')[0]
      .replace(/, (\.\.\.)?".*$/, '')
      .replace(/ in JSON at position \d+.*$/, '');
    throw new InputError(
      input,
      `${fileName} is not valid JSON (${lineCol(body, errorOffset(body))}): ${reason}`,
    );
  }
}

/**
 * Where JSON.parse gave up (its messages carry no position for every error): a small scan of the
 * grammar, enough to find the first character that can't be there.
 */
function errorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): boolean => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return true;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"' || !value()) return false;
          ws();
          if (text[i] !== ':') return false;
          i++;
        }
        if (!value()) return false;
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return true;
        }
        return false;
      }
    }
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        else if (text.charCodeAt(i) < 0x20) return false;
        i++;
      }
      if (i >= text.length) return false;
      i++;
      return true;
    }
    const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  if (value()) {
    ws();
  }
  return Math.min(i, text.length);
}

function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos).split('\n');
  return `line ${before.length} column ${before[before.length - 1].length + 1}`;
}

export function loadTemplate(
  doc: unknown,
  ctx: FileContext,
  input = 'templateFile',
): LoadedTemplate {
  const fail = (path: string, problem: string): never => {
    throw new InputError(input, `${path ? `${path}: ` : ''}${problem}`);
  };
  if (!isObj(doc)) return fail('', 'the file holds no JSON object');
  const warnings: string[] = [];
  if (
    doc.resources !== undefined ||
    doc.contentVersion !== undefined ||
    (typeof doc.$schema === 'string' && /deploymentTemplate/i.test(doc.$schema))
  ) {
    return loadArm(doc, ctx, warnings, fail);
  }
  if (isObj(doc.properties)) {
    checkType(doc, '', warnings);
    const ev = evaluator(ctx, {}, {}, fail);
    const r = pick(doc, ev, ctx, '', warnings);
    return {
      ...r,
      properties: migrateProperties(r.properties, 'properties', apiVersionOf(doc), warnings, fail),
      warnings,
      shape: 'resource',
    };
  }
  if (doc.source !== undefined || doc.customize !== undefined || doc.distribute !== undefined) {
    const ev = evaluator(ctx, {}, {}, fail);
    return {
      properties: migrateProperties(ev(doc, ''), '', undefined, warnings, fail),
      warnings,
      shape: 'properties',
    };
  }
  return fail(
    '',
    'is neither an image template (with properties.source), its properties, nor an ARM ' +
      'template with a Microsoft.VirtualMachineImages/imageTemplates resource',
  );
}

type Fail = (path: string, problem: string) => never;
type Evaluate = (v: ArmValue, path: string) => ArmValue;

function loadArm(doc: Obj, ctx: FileContext, warnings: string[], fail: Fail): LoadedTemplate {
  const resources: { r: ArmValue; path: string; symbol?: string }[] = Array.isArray(doc.resources)
    ? doc.resources.map((r, i) => ({ r, path: `resources[${i}]` }))
    : isObj(doc.resources)
      ? Object.entries(doc.resources).map(([k, r]) => ({ r, path: `resources.${k}`, symbol: k }))
      : fail('resources', 'is not a list of resources');
  const found = resources.filter(
    ({ r }) =>
      isObj(r) &&
      typeof r.type === 'string' &&
      r.type.toLowerCase().startsWith('microsoft.virtualmachineimages'),
  );
  if (found.length !== 1)
    fail(
      'resources',
      `holds ${found.length} Microsoft.VirtualMachineImages/imageTemplates resources; the ` +
        `task builds a template file with exactly one`,
    );
  const { r, path } = found[0] as { r: Obj; path: string };
  const params = isObj(doc.parameters) ? doc.parameters : {};
  for (const name of Object.keys(ctx.parameters)) {
    if (!Object.keys(params).some((p) => p.toLowerCase() === name.toLowerCase()))
      fail(
        '',
        `templateParameters gives '${name}', which the template does not declare (it ` +
          `declares ${Object.keys(params).join(', ') || 'no parameters'})`,
      );
  }
  const variables = isObj(doc.variables) ? doc.variables : {};
  // Bicep modules' outputs are evaluated by the task, the modules not deployed (modules.ts).
  const modules: ModuleOutputs = new ModuleOutputs({
    resources,
    subscriptionId: ctx.subscriptionId,
    resourceGroup: ctx.resourceGroup,
    outer: (v, p) => ev(v, p),
    inner: (values, declared, vars) =>
      evaluator({ ...ctx, parameters: values }, declared, vars, fail),
  });
  const ev = evaluator(ctx, params, variables, fail, undefined, modules);
  // The resource's location is the location input's anyway: a parameter with no value that feeds
  // it (the quickstarts' svclocation) takes the input's value there, and only there (evaluated
  // apart, so nothing else sees the stand-in).
  const standIns: string[] = [];
  const evLocation = evaluator(ctx, params, variables, fail, standIns, modules);
  if (r.copy !== undefined)
    fail(
      `${path}.copy`,
      "copy loops over the image template resource can't be evaluated by the task",
    );
  if (r.condition !== undefined && ev(r.condition, `${path}.condition`) !== true)
    fail(`${path}.condition`, 'is not true: the template would deploy no image template');
  checkType(r, path, warnings);
  const picked = pick(r, ev, ctx, path, warnings, evLocation);
  for (const [name, outputs] of modules.evaluated)
    warnings.push(
      `Module '${name}' is not deployed: the task evaluated its outputs ` +
        `(${outputs.join(', ') || 'none'}) for the image template.`,
    );
  const others = resources.length - 1 - modules.evaluated.size;
  if (others)
    warnings.push(
      `The ARM template's ${others} other resource${others === 1 ? ' is' : 's are'} not ` +
        `deployed: the task only builds its image template (create what it needs, such as ` +
        `the identity or the gallery, beforehand).`,
    );
  for (const name of standIns)
    warnings.push(
      `templateFile: parameter '${name}' has no value; it only sets the template's location, ` +
        `which the location input decides, so it takes '${ctx.location}'.`,
    );
  // Only read for the migration note (the task sends its own api-version): one it can't evaluate is
  // no reason to refuse.
  let apiVersion: ArmValue = null;
  try {
    apiVersion = ev(r.apiVersion ?? null, `${path}.apiVersion`);
  } catch {
    apiVersion = null;
  }
  return {
    ...picked,
    properties: migrateProperties(
      picked.properties,
      `${path}.properties`,
      typeof apiVersion === 'string' ? apiVersion : undefined,
      warnings,
      fail,
    ),
    warnings,
    shape: 'arm',
    secrets: secureValues(params, ctx.parameters),
  };
}

/**
 * The strings in the values given to parameters declared secureString or secureObject; not those
 * under 4 characters (masking them would blank every such run of letters in the log).
 */
function secureValues(declared: Obj, given: Record<string, ArmValue>): string[] {
  const strings = (v: ArmValue): string[] =>
    typeof v === 'string'
      ? [v]
      : Array.isArray(v)
        ? v.flatMap(strings)
        : isObj(v)
          ? Object.values(v).flatMap(strings)
          : [];
  return Object.entries(declared).flatMap(([name, d]) => {
    if (!isObj(d) || typeof d.type !== 'string' || !/^secure(string|object)$/i.test(d.type))
      return [];
    const key = Object.keys(given).find((k) => k.toLowerCase() === name.toLowerCase());
    return key === undefined ? [] : strings(given[key]).filter((s) => s.length >= 4);
  });
}

function pick(
  r: Obj,
  ev: Evaluate,
  ctx: FileContext,
  path: string,
  warnings: string[],
  evLocation: Evaluate = ev,
): Omit<LoadedTemplate, 'warnings' | 'shape'> {
  const p = (k: string) => (path ? `${path}.${k}` : k);
  if (isObj(r.properties) && r.properties.copy !== undefined)
    throw new InputError(
      'templateFile',
      `${p('properties.copy')}: ARM copy loops (property iteration) can't be evaluated by the task`,
    );
  const location = r.location !== undefined ? evLocation(r.location, p('location')) : undefined;
  let identity: ArmValue | undefined;
  if (r.identity !== undefined) {
    if (ctx.identityGiven)
      warnings.push(`${p('identity')} is replaced by the managedIdentity input.`);
    else identity = ev(r.identity, p('identity'));
  }
  const tags = r.tags !== undefined ? ev(r.tags, p('tags')) : undefined;
  if (
    tags !== undefined &&
    tags !== null &&
    (!isObj(tags) || Object.values(tags).some((v) => typeof v !== 'string'))
  )
    throw new InputError('templateFile', `${p('tags')}: is not an object of string values`);
  return {
    location: typeof location === 'string' ? location : undefined,
    identity,
    tags: (tags ?? undefined) as Record<string, string> | undefined,
    properties: ev(r.properties, p('properties')) as Obj,
  };
}

function checkType(r: Obj, path: string, warnings: string[]): void {
  const t = r.type;
  if (t === undefined || t === TEMPLATE_TYPE) return;
  warnings.push(`${path ? `${path}.` : ''}type '${textOf(t)}' is read as ${TEMPLATE_TYPE}.`);
}

function apiVersionOf(r: Obj): string | undefined {
  return typeof r.apiVersion === 'string' ? r.apiVersion : undefined;
}

/**
 * Evaluates a JSON value (object keys too) with the template's parameters and variables, each
 * evaluated once, on demand. With `standIns`, a parameter with no value takes ctx.location and its
 * name is added there; with `modules`, reference() to a module's outputs is evaluated.
 */
function evaluator(
  ctx: FileContext,
  params: Obj,
  variables: Obj,
  fail: Fail,
  standIns?: string[],
  modules?: ModuleOutputs,
): Evaluate {
  const paramCache = new Map<string, ArmValue>();
  const varCache = new Map<string, ArmValue>();
  const busy = new Set<string>();
  const find = (o: Obj, name: string) =>
    Object.keys(o).find((k) => k.toLowerCase() === name.toLowerCase());
  const scope: ArmScope = {
    subscriptionId: ctx.subscriptionId,
    resourceGroup: ctx.resourceGroup,
    location: ctx.location,
    reference: modules && ((args) => modules.reference(args)),
    parameter(name) {
      const key = find(params, name);
      if (key === undefined)
        throw new ArmExpressionError(
          `parameters('${name}'): the template declares no such parameter`,
        );
      if (!paramCache.has(key.toLowerCase())) {
        const given = find(ctx.parameters, key);
        const decl = params[key];
        let value: ArmValue;
        if (given !== undefined) value = ctx.parameters[given];
        else if (isObj(decl) && decl.nullable === true && decl.defaultValue === undefined)
          value = null;
        else if (isObj(decl) && decl.defaultValue !== undefined)
          value = once(`parameters.${key}`, () =>
            ev(decl.defaultValue, `parameters.${key}.defaultValue`),
          );
        else if (standIns) {
          if (!standIns.includes(key)) standIns.push(key);
          value = ctx.location;
        } else
          throw new ArmExpressionError(
            `parameter '${key}' has no value: give it in templateParameters`,
          );
        paramCache.set(key.toLowerCase(), value);
      }
      return paramCache.get(key.toLowerCase())!;
    },
    variable(name) {
      const key = find(variables, name);
      if (key === undefined)
        throw new ArmExpressionError(
          `variables('${name}'): the template declares no such variable`,
        );
      if (!varCache.has(key.toLowerCase()))
        varCache.set(
          key.toLowerCase(),
          once(`variables.${key}`, () => ev(variables[key], `variables.${key}`)),
        );
      return varCache.get(key.toLowerCase())!;
    },
  };
  const once = (what: string, f: () => ArmValue): ArmValue => {
    if (busy.has(what)) throw new ArmExpressionError(`${what} refers to itself`);
    busy.add(what);
    try {
      return f();
    } finally {
      busy.delete(what);
    }
  };
  const ev: Evaluate = (v, path) => {
    if (typeof v === 'string') {
      try {
        return evaluateString(v, scope);
      } catch (err) {
        if (err instanceof ArmExpressionError && !(err as { located?: boolean }).located) {
          const e = new ArmExpressionError(`${path}: ${err.message}`);
          (e as { located?: boolean }).located = true;
          throw e;
        }
        throw err;
      }
    }
    if (Array.isArray(v)) return v.map((x, i) => ev(x, `${path}[${i}]`));
    if (isObj(v)) {
      const out: Obj = {};
      for (const [k, x] of Object.entries(v)) {
        const key = ev(k, join(path, k));
        if (typeof key !== 'string') fail(join(path, k), 'the key is not a string');
        out[key] = ev(x, join(path, key));
      }
      return out;
    }
    return v;
  };
  return (v, path) => {
    try {
      return ev(v, path);
    } catch (err) {
      if (err instanceof ArmExpressionError) fail('', err.message);
      throw err;
    }
  };
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function isObj(v: unknown): v is Obj {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}
