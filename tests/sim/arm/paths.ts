// Resource Manager paths: normalisation and the chain of resource levels an id is made of.
//
// /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{childType}/{childName}]...
//   [.../providers/{extNs}/{extType}/{extName}]   (extension resources such as role assignments)

export const SUBSCRIPTION_TYPE = 'Microsoft.Resources/subscriptions';
export const RESOURCE_GROUP_TYPE = 'Microsoft.Resources/resourceGroups';

export interface Level {
  /** Full resource type, e.g. "Microsoft.Compute/galleries/images" (the casing of the request). */
  type: string;
  /** Resource name; undefined for the open end of a collection or action path. */
  name?: string;
  /** The path up to and including this level (casing of the request). */
  id: string;
  namespace: string;
  /** First level of an extension chain (its scope is the level before it). */
  extension: boolean;
}

export interface ParsedPath {
  path: string;
  subscriptionId?: string;
  resourceGroup?: string;
  levels: Level[];
  /** The last level has no name: a collection (GET) or an action (POST). */
  open: boolean;
}

/**
 * Collapses repeated slashes and drops a trailing slash ("//subscriptions/x/" ->
 * "/subscriptions/x").
 */
export function normalisePath(rawPath: string): string {
  const p = ('/' + rawPath).replace(/\/{2,}/g, '/').replace(/\/$/, '');
  return p === '' ? '/' : p;
}

export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** True when `scope` is `id` or one of its ancestors ("/" is everyone's ancestor). */
export function isAncestorOrSelf(scope: string, id: string): boolean {
  const s = normalisePath(scope).toLowerCase();
  const i = normalisePath(id).toLowerCase();
  return s === '/' || i === s || i.startsWith(s + '/');
}

/** Parses an ARM path. Returns undefined when the path is not a resource path ARM would route. */
export function parseArmPath(path: string): ParsedPath | undefined {
  const segs = path
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => decodeURIComponent(s));
  if (segs.length === 0) return undefined;
  const levels: Level[] = [];
  let i = 0;
  let subscriptionId: string | undefined;
  let resourceGroup: string | undefined;
  let cur = '';
  const push = (
    type: string,
    namespace: string,
    name: string | undefined,
    extension: boolean,
  ): void => {
    cur += name === undefined ? `/${segs[i]}` : `/${segs[i]}/${name}`;
    levels.push({ type, name, id: cur, namespace, extension });
  };

  if (segs[0].toLowerCase() === 'subscriptions') {
    subscriptionId = segs[1];
    push(SUBSCRIPTION_TYPE, 'Microsoft.Resources', segs[1], false);
    i = 2;
    if (subscriptionId !== undefined && segs[i]?.toLowerCase() === 'resourcegroups') {
      resourceGroup = segs[i + 1];
      push(RESOURCE_GROUP_TYPE, 'Microsoft.Resources', segs[i + 1], false);
      i += 2;
    }
  } else if (segs[0].toLowerCase() !== 'providers') {
    return undefined;
  }

  while (i < segs.length) {
    const seg = segs[i];
    if (seg.toLowerCase() === 'providers') {
      const ns = segs[i + 1];
      if (ns === undefined) return undefined;
      // "/subscriptions/{s}/providers/{ns}" alone is the provider itself, handled by its own route.
      if (segs[i + 2] === undefined) return undefined;
      const extension =
        levels.length > 0 &&
        levels[levels.length - 1].type !== SUBSCRIPTION_TYPE &&
        levels[levels.length - 1].type !== RESOURCE_GROUP_TYPE;
      cur += `/${seg}/${ns}`;
      i += 2;
      let type = ns;
      let first = true;
      while (i < segs.length && segs[i].toLowerCase() !== 'providers') {
        type = `${type}/${segs[i]}`;
        push(type, ns, segs[i + 1], extension && first);
        first = false;
        i += segs[i + 1] === undefined ? 1 : 2;
      }
    } else {
      // Microsoft.Resources children of a subscription or group, e.g. /subscriptions/{s}/resources,
      // /resourcegroups (list).
      push(`Microsoft.Resources/${seg}`, 'Microsoft.Resources', segs[i + 1], false);
      i += segs[i + 1] === undefined ? 1 : 2;
    }
  }
  const last = levels[levels.length - 1];
  return {
    path,
    subscriptionId,
    resourceGroup,
    levels,
    open: last !== undefined && last.name === undefined,
  };
}

/**
 * The type used in authorization actions: "Microsoft.Resources/subscriptions/resourceGroups" for
 * groups.
 */
export function rbacType(type: string): string {
  if (sameId(type, RESOURCE_GROUP_TYPE)) return 'Microsoft.Resources/subscriptions/resourceGroups';
  return type;
}

/**
 * "Microsoft.Compute/galleries/g/images/i": how ARM names a (nested) resource in ResourceNotFound.
 */
export function typeAndNamePath(levels: Level[], upTo: number): string {
  let start = upTo;
  while (
    start > 0 &&
    !levels[start].extension &&
    levels[start].type.toLowerCase().startsWith(levels[start - 1].type.toLowerCase() + '/')
  )
    start--;
  let out = `${levels[start].type}/${levels[start].name ?? ''}`;
  for (let k = start + 1; k <= upTo; k++)
    out += `/${levels[k].type.split('/').pop()}/${levels[k].name ?? ''}`;
  return out;
}
