/**
 * What a source input names: a managed image, VM, gallery image version (by id) or a VHD (by URI).
 */
import { parseGalleryId, parseResourceId, typeOf } from '../azure/resourceIds';

export const VERSION_SOURCE_KINDS = [
  'managedImage',
  'virtualMachine',
  'galleryImageVersion',
  'vhd',
] as const;
export type VersionSourceKind = (typeof VERSION_SOURCE_KINDS)[number];

export const SOURCE_LABEL: Record<VersionSourceKind, string> = {
  managedImage: 'managed image',
  virtualMachine: 'virtual machine',
  galleryImageVersion: 'gallery image version',
  vhd: 'VHD',
};

/** The kind of source a value names; throws an Error saying what would be right. */
export function classifySource(
  value: string,
  declared: VersionSourceKind | 'auto',
): VersionSourceKind {
  const kind = detectSourceKind(value);
  if (!kind) {
    const p = parseResourceId(value);
    const what = p
      ? `a ${typeOf(p)} resource, which can't be the source of an image version`
      : 'neither a resource id nor an https URI';
    throw new Error(
      `'${value}' is ${what}. Expected the id of a managed image ` +
        `(/subscriptions/.../providers/Microsoft.Compute/images/<name>), ` +
        ('a virtual machine (.../Microsoft.Compute/virtualMachines/<name>), a gallery image ' +
          'version ') +
        ('(.../Microsoft.Compute/galleries/<gallery>/images/<definition>/versions' +
          '/<version>), or the https URI of a VHD blob'),
    );
  }
  if (declared !== 'auto' && declared !== kind) {
    throw new Error(
      `'${value}' is a ${SOURCE_LABEL[kind]}, but sourceType is ${declared} ` +
        `(${SOURCE_LABEL[declared]}); set sourceType to ${kind} or auto`,
    );
  }
  return kind;
}

/** The kind of source a value names, if any. */
export function detectSourceKind(value: string): VersionSourceKind | undefined {
  if (/^https:\/\//i.test(value)) return 'vhd';
  const g = parseGalleryId(value);
  if (g?.version) return 'galleryImageVersion';
  const p = parseResourceId(value);
  if (!p || p.levels.length !== 1) return undefined;
  const type = typeOf(p).toLowerCase();
  if (type === 'microsoft.compute/images') return 'managedImage';
  if (type === 'microsoft.compute/virtualmachines') return 'virtualMachine';
  return undefined;
}

/**
 * The storage account that holds a VHD, by name, from its URI:
 * `https://<account>.blob.<suffix>/...`, or path-style `https://<host>/<account>/...` (Azure Stack,
 * emulators).
 */
export function storageAccountNameOf(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  const host = /^([a-z0-9]{3,24})\.blob\./i.exec(url.hostname);
  if (host) return host[1].toLowerCase();
  const first = url.pathname.split('/').filter(Boolean)[0];
  return first && /^[a-z0-9]{3,24}$/.test(first) ? first : undefined;
}
