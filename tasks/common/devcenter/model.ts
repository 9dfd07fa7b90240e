/**
 * Microsoft Dev Box dev centers, their attached galleries, networks, projects, pools and dev box
 * definitions as Resource Manager returns them (Microsoft.DevCenter 2024-02-01; no npm SDK): the
 * parts the tasks read.
 */
import { ImageReference } from '../azure/resourceIds';

export const DEVCENTER_API = '2024-02-01';

/** The managed identities of a dev center (ARM's ManagedServiceIdentity). */
export interface ManagedServiceIdentity {
  type?: string;
  principalId?: string;
  tenantId?: string;
  userAssignedIdentities?: Record<string, { principalId?: string; clientId?: string } | null>;
}

export interface DevCenter {
  id: string;
  name: string;
  location?: string;
  identity?: ManagedServiceIdentity;
}

export interface AttachedGallery {
  id?: string;
  /** The gallery's name in the dev center (may differ from the gallery's own). */
  name: string;
  properties?: { galleryResourceId?: string; provisioningState?: string };
}

/** A network connection attached to a dev center (`devcenters/{dc}/attachednetworks/{name}`). */
export interface AttachedNetwork {
  name: string;
  properties?: { networkConnectionId?: string; networkConnectionLocation?: string };
}

export interface Project {
  id: string;
  name: string;
  properties?: { devCenterId?: string };
}

export interface Pool {
  id?: string;
  name: string;
  properties?: {
    devBoxDefinitionName?: string;
    networkConnectionName?: string;
    virtualNetworkType?: string;
    managedVirtualNetworkRegions?: string[];
  };
}

/** One entry of `GET /subscriptions/{s}/providers/Microsoft.DevCenter/skus`. */
export interface DevCenterSku {
  name: string;
  resourceType?: string;
  locations?: string[];
}

export type ImageValidationStatus = 'Unknown' | 'Pending' | 'Succeeded' | 'Failed' | 'TimedOut';

export interface DevBoxDefinition {
  id?: string;
  name: string;
  location?: string;
  properties?: {
    imageReference?: ImageReference;
    activeImageReference?: ImageReference;
    sku?: { name: string };
    osStorageType?: string;
    hibernateSupport?: string;
    provisioningState?: string;
    imageValidationStatus?: ImageValidationStatus;
    imageValidationErrorDetails?: { code?: string; message?: string };
  };
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

/** The dev center path of an image of an attached gallery, as a definition's imageReference.id. */
export function devBoxImageId(devCenterId: string, image: DevBoxImage): string {
  return (
    `${devCenterId}/galleries/${image.gallery}/images/${image.definition}` +
    (image.version ? `/versions/${image.version}` : '')
  );
}
