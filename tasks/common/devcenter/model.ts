/**
 * Microsoft Dev Box dev centers, their attached galleries and dev box definitions as Resource
 * Manager returns them (Microsoft.DevCenter 2024-02-01; no npm SDK): the parts the tasks read.
 */
import { ImageReference } from '../azure/resourceIds';

export const DEVCENTER_API = '2024-02-01';

export interface DevCenter {
  id: string;
  name: string;
}

export interface AttachedGallery {
  /** The gallery's name in the dev center (may differ from the gallery's own). */
  name: string;
  properties?: { galleryResourceId?: string };
}

export interface DevBoxDefinition {
  name: string;
  properties?: { imageReference?: ImageReference; activeImageReference?: ImageReference };
}

/**
 * A dev box definition's image id: `.../devcenters/{dc}/galleries/{attached
 * name}/images/{definition}[/versions/{v}]`.
 */
export interface DevBoxImage {
  gallery: string;
  definition: string;
  version?: string;
}

export function devBoxImageOf(ref: ImageReference | undefined): DevBoxImage | undefined {
  const m =
    /\/devcenters\/[^/]+\/galleries\/([^/]+)\/images\/([^/]+)(?:\/versions\/([^/]+))?$/i.exec(
      ref?.id ?? '',
    );
  return m ? { gallery: m[1], definition: m[2], version: m[3] ?? ref?.exactVersion } : undefined;
}
