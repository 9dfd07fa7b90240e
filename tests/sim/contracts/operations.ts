// Finding the spec operation for a concrete request path, the way ARM routes it.
import { groupsFor, previewGroupsFor, SpecGroup } from './catalog';
import { Schema, loadDoc, resolveRef } from './specStore';

export interface OperationInfo {
  operationId: string;
  /** Upper-case HTTP method. */
  method: string;
  /** The spec's path template, e.g. `/subscriptions/{subscriptionId}/resourceGroups/...`. */
  pathTemplate: string;
  /** Path parameter values taken from the concrete path (URL-decoded). */
  pathParameters: Record<string, string>;
  /** Provider namespace of the spec that holds the operation, as spelled in the catalog. */
  namespace: string;
  /** api-version of the held spec (its group's newest stable one, else its newest preview). */
  apiVersion: string;
  specFile: string;
  longRunning: boolean;
  /** `x-ms-long-running-operation-options.final-state-via`, when the spec gives it. */
  finalStateVia?: string;
  /** The 2xx status codes the spec lists, ascending (e.g. [200, 201]). */
  successStatusCodes: number[];
  /** `x-ms-pageable`, for list operations. */
  pageable?: { nextLinkName: string | null; itemName: string };
  /** The body parameter; its schema is the raw swagger (with `$ref`s relative to `file`). */
  body?: { name: string; required: boolean; schema: Schema; file: string; definition?: string };
}

interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  'x-ms-skip-url-encoding'?: boolean;
}

interface CompiledOp {
  method: string;
  template: string;
  regex: RegExp;
  paramNames: string[];
  literalCount: number;
  multiCount: number;
  operation: any;
  params: Array<{ param: Param; file: string }>;
  file: string;
  group: SpecGroup;
}

const HTTP_METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head'];
const compiledByGroup = new Map<SpecGroup, CompiledOp[]>();

function resolveParam(p: any, file: string): { param: Param; file: string } {
  if (p.$ref) {
    const r = resolveRef(p.$ref, file);
    return { param: r.node as unknown as Param, file: r.file };
  }
  return { param: p as Param, file };
}

// Path-level parameters apply to every operation of the path; operation-level ones override by
// name+in.
function mergedParams(
  pathItem: any,
  operation: any,
  file: string,
): Array<{ param: Param; file: string }> {
  const out = new Map<string, { param: Param; file: string }>();
  for (const p of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]) {
    const r = resolveParam(p, file);
    out.set(`${r.param.in}:${r.param.name}`, r);
  }
  return [...out.values()];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// A parameter spans several segments when the spec says not to URL-encode it (scope,
// parentResourcePath, full ids); `...Name` parameters are single segments even when so marked
// (roleAssignmentName is).
function isMultiSegment(p: Param | undefined): boolean {
  return !!p && p['x-ms-skip-url-encoding'] === true && !/name$/i.test(p.name);
}

function compile(
  group: SpecGroup,
  file: string,
  rawTemplate: string,
  method: string,
  pathItem: any,
  operation: any,
): CompiledOp | undefined {
  const template = rawTemplate.replace(/\?.*$/, ''); // x-ms-paths disambiguation suffix
  const params = mergedParams(pathItem, operation, file);
  const pathParams = new Map(
    params.filter((p) => p.param.in === 'path').map((p) => [p.param.name, p.param]),
  );
  const segments = template.split('/').filter((s) => s.length > 0);
  // By-id aliases (`/{resourceId}`) match any path; their scoped forms describe the same
  // operations.
  if (segments.length === 1 && /^\{[^}]+\}$/.test(segments[0])) return undefined;
  // ARM's generic resource operations
  // (`providers/{resourceProviderNamespace}/.../{resourceType}/...`) are routing, not a contract of
  // any resource type: the type's own spec is the contract.
  const lastProviders = segments.map((s) => s.toLowerCase()).lastIndexOf('providers');
  if (
    lastProviders >= 0 &&
    /^\{.+\}$/.test(segments[lastProviders + 1] ?? '') &&
    template.includes('{resourceType}')
  ) {
    return undefined;
  }
  let pattern = '^';
  const paramNames: string[] = [];
  let literalCount = 0;
  let multiCount = 0;
  for (const seg of segments) {
    const whole = /^\{([^}]+)\}$/.exec(seg);
    if (whole && isMultiSegment(pathParams.get(whole[1]))) {
      pattern += '(?:/(.*?))?';
      paramNames.push(whole[1]);
      multiCount++;
      continue;
    }
    let segPattern = '';
    let lastIndex = 0;
    for (const m of seg.matchAll(/\{([^}]+)\}/g)) {
      segPattern += escapeRegex(seg.slice(lastIndex, m.index)) + '([^/]+)';
      paramNames.push(m[1]);
      lastIndex = (m.index ?? 0) + m[0].length;
    }
    segPattern += escapeRegex(seg.slice(lastIndex));
    if (lastIndex === 0) literalCount++;
    pattern += '/' + segPattern;
  }
  // Literal segments compare case-insensitively, as ARM does.
  const regex = new RegExp(pattern + '$', 'i');
  return {
    method,
    template,
    regex,
    paramNames,
    literalCount,
    multiCount,
    operation,
    params,
    file,
    group,
  };
}

function compiledOps(group: SpecGroup): CompiledOp[] {
  let ops = compiledByGroup.get(group);
  if (ops) return ops;
  ops = [];
  for (const file of group.files) {
    const doc = loadDoc(file);
    const paths = { ...(doc.paths ?? {}), ...(doc['x-ms-paths'] ?? {}) };
    for (const [template, pathItem] of Object.entries<any>(paths)) {
      for (const method of HTTP_METHODS) {
        if (!pathItem[method]) continue;
        const c = compile(group, file, template, method.toUpperCase(), pathItem, pathItem[method]);
        if (c) ops.push(c);
      }
    }
  }
  compiledByGroup.set(group, ops);
  return ops;
}

/** `//subscriptions/x/` and `/subscriptions/x/?api-version=` both become `/subscriptions/x`. */
export function normalisePath(p: string): string {
  const noQuery = p.replace(/[?#].*$/, '');
  const collapsed = ('/' + noQuery).replace(/\/{2,}/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

/**
 * The namespace after the last `/providers/`; paths without one (resource groups, tags) are
 * Microsoft.Resources.
 */
export function namespaceOf(normalisedPath: string): string {
  const segs = normalisedPath.split('/');
  for (let i = segs.length - 2; i >= 0; i--) {
    if (segs[i].toLowerCase() === 'providers' && segs[i + 1].includes('.')) return segs[i + 1];
  }
  return 'Microsoft.Resources';
}

function toInfo(c: CompiledOp, match: RegExpExecArray): OperationInfo {
  const pathParameters: Record<string, string> = {};
  c.paramNames.forEach((name, i) => {
    const raw = match[i + 1] ?? '';
    try {
      pathParameters[name] = decodeURIComponent(raw);
    } catch {
      pathParameters[name] = raw;
    }
  });
  const op = c.operation;
  const successStatusCodes = Object.keys(op.responses ?? {})
    .filter((k) => /^2\d\d$/.test(k))
    .map(Number)
    .sort((a, b) => a - b);
  const bodyParam = c.params.find((p) => p.param.in === 'body');
  let body: OperationInfo['body'];
  if (bodyParam?.param.schema) {
    const schema = bodyParam.param.schema;
    const m = schema.$ref ? /#\/definitions\/([^/]+)$/.exec(schema.$ref) : null;
    body = {
      name: bodyParam.param.name,
      required: bodyParam.param.required === true,
      schema,
      file: bodyParam.file,
      definition: m ? decodeURIComponent(m[1]) : undefined,
    };
  }
  const pageable = op['x-ms-pageable'];
  return {
    operationId: op.operationId,
    method: c.method,
    pathTemplate: c.template,
    pathParameters,
    namespace: c.group.namespace,
    apiVersion: c.group.apiVersion,
    specFile: c.file,
    longRunning: op['x-ms-long-running-operation'] === true,
    finalStateVia: op['x-ms-long-running-operation-options']?.['final-state-via'],
    successStatusCodes,
    pageable: pageable
      ? {
          nextLinkName: pageable.nextLinkName === undefined ? 'nextLink' : pageable.nextLinkName,
          itemName: pageable.itemName ?? 'value',
        }
      : undefined,
    body,
  };
}

function bestMatch(groups: SpecGroup[], method: string, p: string): OperationInfo | undefined {
  let best: { c: CompiledOp; m: RegExpExecArray } | undefined;
  for (const group of groups) {
    for (const c of compiledOps(group)) {
      if (c.method !== method) continue;
      const m = c.regex.exec(p);
      if (!m) continue;
      // The most specific template wins: most literal segments, then fewest multi-segment
      // parameters.
      if (
        !best ||
        c.literalCount > best.c.literalCount ||
        (c.literalCount === best.c.literalCount && c.multiCount < best.c.multiCount)
      ) {
        best = { c, m };
      }
    }
  }
  return best ? toInfo(best.c, best.m) : undefined;
}

const infoCache = new Map<string, OperationInfo | null>();

export function findOperation(method: string, rawPath: string): OperationInfo | undefined {
  const m = method.toUpperCase();
  const p = normalisePath(rawPath);
  const key = `${m} ${p}`;
  const cached = infoCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const ns = namespaceOf(p);
  // A namespace's own specs first; then Microsoft.Resources, which holds provider registration
  // (`/subscriptions/{id}/providers/{namespace}/register`) for every namespace.
  let info = bestMatch(groupsFor(ns), m, p);
  if (!info && ns.toLowerCase() !== 'microsoft.resources')
    info = bestMatch(groupsFor('Microsoft.Resources'), m, p);
  // Operations only a preview describes (a stable spec wins wherever it has the operation).
  info ??= bestMatch(previewGroupsFor(ns), m, p);
  if (infoCache.size > 5000) infoCache.clear();
  infoCache.set(key, info ?? null);
  return info;
}
