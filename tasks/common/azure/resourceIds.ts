/** Azure resource ids of the gallery world, parsed and built. Ids compare case-insensitively. */

export interface ParsedId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. Microsoft.Compute */
  namespace: string;
  /** Type segments and names: galleries/g/images/d -> [['galleries','g'],['images','d']] */
  levels: [string, string][];
}

export function parseResourceId(id: string): ParsedId | undefined {
  const m =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/(.+?)\/?$/i.exec(
      id.trim(),
    );
  if (!m) return undefined;
  const rest = m[4].split('/');
  if (rest.length % 2 !== 0 || rest.some((s) => !s)) return undefined;
  // A malformed escape (`%zz`) or an encoded slash is not an id (rather than a URIError, or a name
  // that is a path).
  const names = [m[2], ...rest.filter((_, i) => i % 2 === 1)].map(decoded);
  if (names.some((n) => n === undefined || n.includes('/'))) return undefined;
  const [resourceGroup, ...levelNames] = names as string[];
  const levels = levelNames.map((name, i): [string, string] => [rest[2 * i], name]);
  return { subscriptionId: m[1], resourceGroup, namespace: m[3], levels };
}

function decoded(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** Azure's rule for a resource group name, and how to say it in an error. */
export const RESOURCE_GROUP_NAME = /^[-\w.()]{0,89}[-\w()]$/;
export const RESOURCE_GROUP_RULE =
  'up to 90 letters, digits, underscores, parentheses, hyphens and periods, not ending in a period';

/** The type of a parsed id, e.g. Microsoft.Compute/galleries/images. */
export function typeOf(p: ParsedId): string {
  return [p.namespace, ...p.levels.map(([t]) => t)].join('/');
}

export interface GalleryRef {
  subscriptionId: string;
  resourceGroup: string;
  gallery: string;
}
export interface DefinitionRef extends GalleryRef {
  definition: string;
}
export interface VersionRef extends DefinitionRef {
  version: string;
}

/** A gallery, image definition or image version id; undefined for anything else. */
export function parseGalleryId(
  id: string,
): (GalleryRef & { definition?: string; version?: string }) | undefined {
  const p = parseResourceId(id);
  if (!p || !/^microsoft\.compute$/i.test(p.namespace)) return undefined;
  const [g, d, v] = p.levels;
  if (!g || g[0].toLowerCase() !== 'galleries') return undefined;
  if (d && d[0].toLowerCase() !== 'images') return undefined;
  if (v && v[0].toLowerCase() !== 'versions') return undefined;
  if (p.levels.length > 3) return undefined;
  return {
    subscriptionId: p.subscriptionId,
    resourceGroup: p.resourceGroup,
    gallery: g[1],
    definition: d?.[1],
    version: v?.[1],
  };
}

const base = (r: GalleryRef) =>
  `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers` +
  `/Microsoft.Compute/galleries/${r.gallery}`;

export function galleryId(r: GalleryRef): string {
  return base(r);
}
export function definitionId(r: DefinitionRef): string {
  return `${base(r)}/images/${r.definition}`;
}
export function versionId(r: VersionRef): string {
  return `${definitionId(r)}/versions/${r.version}`;
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}

/** The last name in an id, for messages. */
export function shortName(id: string): string {
  return id.replace(/\/+$/, '').split('/').pop() ?? id;
}

/** An image reference as VMs, scale sets and dev box definitions carry it. */
export interface ImageReference {
  id?: string;
  exactVersion?: string;
  sharedGalleryImageId?: string;
}
