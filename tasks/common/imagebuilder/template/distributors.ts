/**
 * The AIB `distribute` array: a gallery image version (explicit version, or AIB's own `Latest`
 * versioning so concurrent builds cannot take the same number), a managed image, a VHD; several at
 * once. Each carries the provenance tags, which is how a rerun of a succeeded job finds its own
 * result.
 */
import { BuildTargets } from '../inputs/params';

const RUN_OUTPUTS = {
  gallery: 'galleryImageVersion',
  managedImage: 'managedImage',
  vhd: 'vhd',
} as const;

export type Distributor = Record<string, unknown> & { type: string; runOutputName: string };

export function composeDistributors(
  d: BuildTargets,
  location: string,
  tags: Record<string, string>,
): Distributor[] {
  const list: Distributor[] = [];
  if (d.gallery) {
    const g = d.gallery;
    const regions = g.regions.length ? g.regions : [{ region: location }];
    // The image is built in the template's region; the gallery needs a replica there to publish it.
    if (!regions.some((r) => r.region.toLowerCase() === location))
      regions.unshift({ region: location });
    list.push({
      type: 'SharedImage',
      runOutputName: RUN_OUTPUTS.gallery,
      galleryImageId:
        g.version.kind === 'fixed'
          ? `${g.definitionId}/versions/${g.version.version}`
          : g.definitionId,
      ...(g.version.kind === 'next'
        ? {
            versioning: {
              scheme: 'Latest',
              ...(g.version.major !== undefined ? { major: g.version.major } : {}),
            },
          }
        : {}),
      targetRegions: regions.map((r) => ({
        name: r.region,
        replicaCount: r.replicaCount ?? g.defaults.replicaCount,
        storageAccountType: r.storageAccountType ?? g.defaults.storageAccountType,
      })),
      excludeFromLatest: g.excludeFromLatest,
      artifactTags: tags,
    });
  }
  if (d.managedImage) {
    list.push({
      type: 'ManagedImage',
      runOutputName: RUN_OUTPUTS.managedImage,
      imageId: d.managedImage.id,
      location: d.managedImage.location ?? location,
      artifactTags: tags,
    });
  }
  if (d.vhd) {
    list.push({
      type: 'VHD',
      runOutputName: RUN_OUTPUTS.vhd,
      ...(d.vhd.uri ? { uri: d.vhd.uri } : {}),
      artifactTags: tags,
    });
  }
  return list;
}
