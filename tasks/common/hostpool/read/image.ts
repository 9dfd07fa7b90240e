/**
 * The target image: a version as given, or a definition's latest version (resolved once here and
 * pinned for the rollout), with what the checks need: OS, Hyper-V generation, security type and
 * the regions it is replicated to.
 */
import type { GalleryImageVersion } from '@azure/arm-compute';
import { AzureContext } from '../../azure/clients';
import { getOrUndefined } from '../../azure/notFound';
import { definitionId, versionId } from '../../azure/resourceIds';
import { computeClient } from '../../azure/sdkClients';
import { InputError } from '../../core/errors';
import { ImageInput } from '../params';
import { TargetImage } from '../state';

/** Options of {@link readTargetImage}. */
export interface ReadImageOptions {
  azure: AzureContext;
  image: ImageInput;
  signal: AbortSignal;
}

export async function readTargetImage(o: ReadImageOptions): Promise<TargetImage> {
  const i = o.image;
  const compute = computeClient(o.azure, i.subscriptionId);
  const opts = { abortSignal: o.signal };
  const defId = definitionId(i);
  const definition = await getOrUndefined(() =>
    compute.galleryImages.get(i.resourceGroup, i.gallery, i.definition, opts),
  );
  if (!definition)
    throw new InputError(
      'image',
      `the image definition ${defId} does not exist (or the connection cannot read it)`,
      'an existing gallery image definition or version id, e.g. $(dist.imageVersionId)',
    );
  let version: GalleryImageVersion | undefined;
  if (i.version) {
    version = await getOrUndefined(() =>
      compute.galleryImageVersions.get(i.resourceGroup, i.gallery, i.definition, i.version!, {
        ...opts,
        expand: 'ReplicationStatus',
      }),
    );
    if (!version)
      throw new InputError(
        'image',
        `the image version ${i.id} does not exist`,
        'an existing gallery image version id, e.g. $(dist.imageVersionId)',
      );
  } else {
    const candidates: GalleryImageVersion[] = [];
    for await (const v of compute.galleryImageVersions.listByGalleryImage(
      i.resourceGroup,
      i.gallery,
      i.definition,
      opts,
    ))
      if (!v.publishingProfile?.excludeFromLatest && /^succeeded$/i.test(v.provisioningState ?? ''))
        candidates.push(v);
    const latest = candidates.sort((a, b) => compareVersions(b.name ?? '', a.name ?? ''))[0];
    if (!latest)
      throw new InputError(
        'image',
        `the image definition ${defId} has no version that can be used as its latest`,
        'a definition with a published version not excluded from latest, or a version id',
      );
    version = await compute.galleryImageVersions.get(
      i.resourceGroup,
      i.gallery,
      i.definition,
      latest.name!,
      { ...opts, expand: 'ReplicationStatus' },
    );
  }
  const security = definition.features?.find((f) => /^securitytype$/i.test(f.name ?? ''))?.value;
  return {
    versionId: versionId({ ...i, version: version.name! }),
    definitionId: defId,
    version: version.name!,
    osType: definition.osType ?? '',
    hyperVGeneration: definition.hyperVGeneration ?? 'V1',
    securityType: security || undefined,
    regions: replicatedRegions(version),
  };
}

/** Where the version can be used: its replication summary's Completed regions, else targets. */
function replicatedRegions(v: GalleryImageVersion): string[] {
  const summary = v.replicationStatus?.summary;
  const regions = summary?.length
    ? summary.filter((s) => /^completed$/i.test(s.state ?? '')).map((s) => s.region ?? '')
    : (v.publishingProfile?.targetRegions ?? []).map((t) => t.name);
  return regions.filter(Boolean).map(regionKey);
}

/** `West Europe` and `westeurope` are the same region. */
export function regionKey(region: string): string {
  return region.replace(/\s+/g, '').toLowerCase();
}

/** Gallery versions are major.minor.patch numbers. */
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let k = 0; k < 3; k++) if ((pa[k] ?? 0) !== (pb[k] ?? 0)) return (pa[k] ?? 0) - (pb[k] ?? 0);
  return 0;
}
