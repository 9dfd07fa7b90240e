/**
 * The Compute gallery and its images as the requirement rules see them: each image definition, the
 * version that would be used (the named one, or the latest) and, where the version does not say
 * its disks, its source (a managed image).
 */
import { describeArmError } from '../azure/armErrors';
import type { GalleryImage, GalleryImageVersion } from '@azure/arm-compute';
import { getOrUndefined, isNotFound } from '../azure/notFound';
import { parseResourceId } from '../azure/resourceIds';
import { computeClient } from '../azure/sdkClients';
import { InputError } from '../core/errors';
import { DevBoxRun } from './context';
import { ImageFacts, VersionFacts } from './requirements/rules';

/** Reads the gallery; fails naming the input when it is missing or not visible. */
export async function readGallery(run: DevBoxRun): Promise<void> {
  const { resourceGroup, gallery, subscriptionId } = run.params.gallery;
  let found;
  try {
    found = await getOrUndefined(() =>
      run.compute.galleries.get(resourceGroup, gallery, { abortSignal: run.signal }),
    );
  } catch (err) {
    // Another tenant's subscription, or one the connection holds no role in, answers like this.
    const code = (err as { code?: string }).code ?? '';
    if (!/AuthorizationFailed|SubscriptionNotFound|InvalidAuthenticationToken/i.test(code))
      throw err;
    // Seen but not readable: say which right is missing.
    if (/^AuthorizationFailed$/i.test(code)) throw new Error(describeArmError(err));
  }
  if (!found) {
    throw new InputError(
      'gallery',
      `the gallery '${gallery}' (resource group ${resourceGroup}, ` +
        `subscription ${subscriptionId}) ` +
        'does not exist, or the service connection cannot see it (a gallery in another tenant, ' +
        'or in a subscription where the connection holds no role, looks the same)',
      'the resource id of an existing gallery the connection can read (Reader on it at least)',
    );
  }
}

/** The image definitions to check: the named one, or all of them. */
export async function readImages(run: DevBoxRun): Promise<ImageFacts[]> {
  const { resourceGroup, gallery } = run.params.gallery;
  const opts = { abortSignal: run.signal };
  const all: GalleryImage[] = [];
  for await (const d of run.compute.galleryImages.listByGallery(resourceGroup, gallery, opts))
    all.push(d);
  const named = run.params.image;
  const definitions = named
    ? all.filter((d) => d.name?.toLowerCase() === named.toLowerCase())
    : all;
  if (named && definitions.length === 0) {
    throw new InputError(
      'image',
      `the gallery '${gallery}' has no image definition '${named}'`,
      `one of ${all.map((d) => d.name).join(', ') || '(the gallery has none)'}`,
    );
  }
  const out: ImageFacts[] = [];
  for (const d of definitions) out.push(await factsOf(run, d));
  return out;
}

async function factsOf(run: DevBoxRun, d: GalleryImage): Promise<ImageFacts> {
  const { resourceGroup, gallery } = run.params.gallery;
  const versions: GalleryImageVersion[] = [];
  for await (const v of run.compute.galleryImageVersions.listByGalleryImage(
    resourceGroup,
    gallery,
    d.name!,
    { abortSignal: run.signal },
  ))
    versions.push(v);
  const wanted = run.params.imageVersion;
  const version = wanted ? versions.find((v) => v.name === wanted) : latest(versions);
  if (wanted && !version) {
    throw new InputError(
      'imageVersion',
      `image '${d.name}' has no version ${wanted}`,
      `one of ${versions.map((v) => v.name).join(', ') || '(it has none)'}`,
    );
  }
  return {
    name: d.name!,
    osType: d.osType,
    osState: d.osState,
    hyperVGeneration: d.hyperVGeneration,
    features: d.features ?? [],
    identifier: d.identifier ?? {},
    version: version && (await versionFacts(run, version)),
  };
}

/** The version Dev Box uses for "latest": the highest one not excluded from latest. */
export function latest(versions: GalleryImageVersion[]): GalleryImageVersion | undefined {
  return versions
    .filter(
      (v) =>
        !v.publishingProfile?.excludeFromLatest &&
        (v.provisioningState ?? 'Succeeded') === 'Succeeded',
    )
    .sort((a, b) => compareVersions(a.name ?? '', b.name ?? ''))
    .pop();
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

async function versionFacts(run: DevBoxRun, v: GalleryImageVersion): Promise<VersionFacts> {
  const storage = v.storageProfile;
  const targets = v.publishingProfile?.targetRegions ?? [];
  const encryptionSets = targets.flatMap((t) =>
    [
      t.encryption?.osDiskImage?.diskEncryptionSetId,
      ...(t.encryption?.dataDiskImages ?? []).map((x) => x.diskEncryptionSetId),
    ].filter((x): x is string => !!x),
  );
  let osDiskSizeGB = storage?.osDiskImage?.sizeInGB;
  let dataDisks = storage?.dataDiskImages?.length ?? 0;
  const sourceId = storage?.source?.id;
  if (osDiskSizeGB === undefined && sourceId && /\/Microsoft\.Compute\/images\//i.test(sourceId)) {
    const source = await managedImage(run, sourceId);
    osDiskSizeGB = source?.storageProfile?.osDisk?.diskSizeGB;
    dataDisks = Math.max(dataDisks, source?.storageProfile?.dataDisks?.length ?? 0);
  }
  return {
    name: v.name!,
    regions: targets.map((t) => t.name),
    osDiskSizeGB,
    dataDisks,
    encryptionSets: [...new Set(encryptionSets)],
  };
}

/** The version's source managed image, when the connection can read it (it only adds detail). */
async function managedImage(run: DevBoxRun, id: string) {
  const p = parseResourceId(id);
  if (!p) return undefined;
  try {
    return await computeClient(run.azure, p.subscriptionId).images.get(
      p.resourceGroup,
      p.levels[0][1],
      { abortSignal: run.signal },
    );
  } catch (err) {
    if (isNotFound(err)) return undefined;
    if (!/AuthorizationFailed/i.test((err as { code?: string }).code ?? '')) throw err;
    run.warn(
      `The source image of a version can't be read, so its OS disk size and data disks are ` +
        `not checked: ${describeArmError(err)}`,
    );
    return undefined;
  }
}
