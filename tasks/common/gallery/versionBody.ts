/**
 * Request bodies for image versions. Updates are whole PUTs built from what Compute returned (as
 * the Azure CLI's generic update does): the PATCH body's schema requires the storage profile
 * anyway, and a PUT carries exactly the writable properties, nothing read-only.
 */
import type { GalleryImageVersion, GalleryImageVersionStorageProfile } from '@azure/arm-compute';
import { TargetRegion } from './regions';
import { VersionSourceKind } from './sourceRef';

export interface NewVersion {
  location: string;
  source: { kind: VersionSourceKind; ref: string; storageAccountId?: string };
  targetRegions: TargetRegion[];
  excludeFromLatest: boolean;
  endOfLifeDate?: Date;
  blockDeletionBeforeEndOfLife: boolean;
  tags: Record<string, string>;
}

function storageProfileFor(source: NewVersion['source']): GalleryImageVersionStorageProfile {
  switch (source.kind) {
    case 'virtualMachine':
      return { source: { virtualMachineId: source.ref } };
    // The VHD's URI is stored without its query: a SAS token must never end up in the gallery.
    case 'vhd':
      return {
        osDiskImage: {
          source: { uri: source.ref.split('?')[0], storageAccountId: source.storageAccountId },
        },
      };
    default:
      return { source: { id: source.ref } };
  }
}

export function newVersionBody(v: NewVersion): GalleryImageVersion {
  return {
    location: v.location,
    tags: v.tags,
    publishingProfile: {
      targetRegions: v.targetRegions,
      excludeFromLatest: v.excludeFromLatest,
      ...(v.endOfLifeDate ? { endOfLifeDate: v.endOfLifeDate } : {}),
    },
    storageProfile: storageProfileFor(v.source),
    ...(v.blockDeletionBeforeEndOfLife
      ? { safetyProfile: { blockDeletionBeforeEndOfLife: true } }
      : {}),
  };
}

/** The writable part of a stored version's storage profile. */
function writableStorageProfile(
  sp: GalleryImageVersionStorageProfile | undefined,
): GalleryImageVersionStorageProfile {
  if (sp?.source?.virtualMachineId)
    return { source: { virtualMachineId: sp.source.virtualMachineId } };
  if (sp?.source?.id) return { source: { id: sp.source.id } };
  const os = sp?.osDiskImage?.source;
  return {
    osDiskImage: { source: { uri: os?.uri, storageAccountId: os?.storageAccountId, id: os?.id } },
  };
}

/** A stored version with new target regions and, when given, a new end of life / latest flag. */
export function updatedVersionBody(
  existing: GalleryImageVersion,
  change: { targetRegions?: TargetRegion[]; endOfLifeDate?: Date; excludeFromLatest?: boolean },
): GalleryImageVersion {
  const pp = existing.publishingProfile ?? {};
  let targetRegions = change.targetRegions ?? pp.targetRegions?.map((t) => ({ ...t }));
  // Each region carries its own copy of the flag; clearing only the version's would leave them
  // hidden.
  if (change.excludeFromLatest !== undefined && targetRegions)
    targetRegions = targetRegions.map((t) => ({
      ...t,
      excludeFromLatest: change.excludeFromLatest,
    }));
  const safety = existing.safetyProfile;
  return {
    location: existing.location,
    tags: existing.tags,
    publishingProfile: {
      targetRegions,
      replicaCount: pp.replicaCount,
      excludeFromLatest: change.excludeFromLatest ?? pp.excludeFromLatest,
      endOfLifeDate: change.endOfLifeDate ?? pp.endOfLifeDate,
      storageAccountType: pp.storageAccountType,
    },
    storageProfile: writableStorageProfile(existing.storageProfile),
    safetyProfile: safety
      ? {
          allowDeletionOfReplicatedLocations: safety.allowDeletionOfReplicatedLocations,
          blockDeletionBeforeEndOfLife: safety.blockDeletionBeforeEndOfLife,
        }
      : undefined,
  };
}
