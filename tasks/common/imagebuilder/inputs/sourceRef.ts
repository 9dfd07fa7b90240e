/**
 * The base image as users write it: a marketplace URN (`publisher:offer:sku[:version]`, or the
 * existing Microsoft task's `publisher:offer:sku:os` with the version in its own input), a gallery
 * image version id (`.../versions/<x.y.z|latest>`) or a managed image id. Pure parsing; resolution
 * is in sourceResolution.ts.
 */
import { parseGalleryId, parseResourceId, typeOf } from '../../azure/resourceIds';

export const BUILD_SOURCE_KINDS = ['marketplace', 'galleryImageVersion', 'managedImage'] as const;
export type BuildSourceKind = (typeof BUILD_SOURCE_KINDS)[number];

/**
 * The existing Microsoft task's `imageSource` values (of its versions and patched copies), by
 * lower-case value.
 */
export const LEGACY_SOURCE_KINDS: Partial<Record<string, BuildSourceKind>> = {
  marketplace: 'marketplace',
  sig: 'galleryImageVersion',
  gallery: 'galleryImageVersion',
  managed: 'managedImage',
  managedimage: 'managedImage',
};

export interface PurchasePlan {
  name: string;
  product: string;
  publisher: string;
}

export type SourceRef =
  | {
      kind: 'marketplace';
      publisher: string;
      offer: string;
      sku: string;
      version: string;
      osHint?: 'Windows' | 'Linux';
      plan?: PurchasePlan;
    }
  | { kind: 'galleryImageVersion'; definitionId: string; version: string }
  | { kind: 'managedImage'; imageId: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const VERSION = /^(latest|\d+\.\d+\.\d+)$/i;

/**
 * Parses a marketplace URN. The fourth part is a version, or an OS name (`windows`, `linux`) as the
 * existing task writes it, in which case `versionInput` (default latest) is the version.
 */
export function parseMarketplaceUrn(
  urn: string,
  versionInput?: string,
): Extract<SourceRef, { kind: 'marketplace' }> {
  const parts = urn.trim().split(':');
  const shape =
    'publisher:offer:sku[:version], e.g. MicrosoftWindowsDesktop:windows-11:win11-24h2-ent:latest';
  if (parts.length < 3 || parts.length > 4)
    throw new Error(`'${urn}' is not a marketplace image URN; expected ${shape}`);
  const [publisher, offer, sku, fourth] = parts;
  for (const [what, value] of [
    ['publisher', publisher],
    ['offer', offer],
    ['sku', sku],
  ] as const) {
    if (!NAME.test(value))
      throw new Error(
        `'${urn}': the ${what} '${value}' is not valid (letters, digits, '.', '-', '_'); ` +
          `expected ${shape}`,
      );
  }
  let version = versionInput?.trim() || 'latest';
  let osHint: 'Windows' | 'Linux' | undefined;
  if (fourth !== undefined) {
    if (/^(windows|linux)$/i.test(fourth)) osHint = /^w/i.test(fourth) ? 'Windows' : 'Linux';
    // The version input defaults to latest, so only another explicit version conflicts with the
    // URN's.
    else if (
      versionInput?.trim() &&
      !/^latest$/i.test(versionInput.trim()) &&
      versionInput.trim().toLowerCase() !== fourth.toLowerCase()
    ) {
      throw new Error(
        `'${urn}' names version '${fourth}' but the version input says '${versionInput}'; ` +
          `give the version in one place`,
      );
    } else version = fourth;
  }
  if (!VERSION.test(version))
    throw new Error(
      `'${version}' is not a marketplace image version; expected latest or ` +
        `Major.Minor.Build, e.g. 22631.4460.241106`,
    );
  return {
    kind: 'marketplace',
    publisher,
    offer,
    sku,
    version: version.toLowerCase() === 'latest' ? 'latest' : version,
    osHint,
  };
}

/**
 * A gallery image version id; `/versions/latest` or a definition id alone mean the newest version.
 */
export function parseGalleryVersionRef(
  id: string,
): Extract<SourceRef, { kind: 'galleryImageVersion' }> {
  const g = parseGalleryId(id);
  if (!g?.definition)
    throw new Error(
      `'${id}' is not the resource id of a gallery image version; expected ` +
        `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/galleries` +
        `/<gallery>/images/<definition>/versions/<version|latest>`,
    );
  const version = g.version ?? 'latest';
  if (!VERSION.test(version))
    throw new Error(`'${id}': '${version}' is not a version; expected latest or Major.Minor.Patch`);
  const definitionId =
    `/subscriptions/${g.subscriptionId}/resourceGroups/${g.resourceGroup}/providers` +
    `/Microsoft.Compute/galleries/${g.gallery}/images/${g.definition}`;
  return {
    kind: 'galleryImageVersion',
    definitionId,
    version: version.toLowerCase() === 'latest' ? 'latest' : version,
  };
}

export function parseManagedImageRef(id: string): Extract<SourceRef, { kind: 'managedImage' }> {
  const p = parseResourceId(id);
  if (!p || typeOf(p).toLowerCase() !== 'microsoft.compute/images') {
    throw new Error(
      `'${id}' is not the resource id of a managed image; expected ` +
        `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/images/<name>`,
    );
  }
  return { kind: 'managedImage', imageId: id.trim().replace(/\/+$/, '') };
}

/** `name:product:publisher`, the marketplace purchase plan. */
export function parsePlan(text: string): PurchasePlan {
  const parts = text.trim().split(':');
  if (parts.length !== 3 || parts.some((p) => !p.trim()))
    throw new Error(`'${text}' is not a purchase plan; expected planName:product:publisher`);
  const [name, product, publisher] = parts.map((p) => p.trim());
  return { name, product, publisher };
}

/** The kind the value says it is, for `sourceType: auto`. */
export function guessKind(value: string): BuildSourceKind {
  if (!value.trim().startsWith('/')) return 'marketplace';
  return /\/providers\/Microsoft\.Compute\/galleries\//i.test(value)
    ? 'galleryImageVersion'
    : 'managedImage';
}

/** A one-line description for logs and the summary. */
export function describeSource(ref: SourceRef): string {
  switch (ref.kind) {
    case 'marketplace':
      return `marketplace image ${ref.publisher}:${ref.offer}:${ref.sku}:${ref.version}`;
    case 'galleryImageVersion':
      return `gallery image version ${ref.definitionId}/versions/${ref.version}`;
    case 'managedImage':
      return `managed image ${ref.imageId}`;
  }
}
