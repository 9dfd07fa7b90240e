/**
 * The resource group, gallery and image definition: read before anything is written, planned (what
 * to create, what the definition will look like, whether the source fits), then created or updated.
 */
import type { Gallery, GalleryImage, GalleryImageVersion } from '@azure/arm-compute';
import type { ResourceGroup } from '@azure/arm-resources';
import { getOrUndefined } from '../azure/notFound';
import { resourcesClient } from '../azure/sdkClients';
import { PlanItem } from '../core/plan';
import {
  definitionConflicts,
  ImageTraits,
  inputConflicts,
  plannedDefinitionTraits,
  securityTypeOf,
} from './compatibility';
import { GalleryRun } from './context';
import { SourceInfo } from './source';

export interface GalleryState {
  resourceGroup?: ResourceGroup;
  gallery?: Gallery;
  definition?: GalleryImage;
  /** Versions of the definition (empty when it does not exist). */
  versions: GalleryImageVersion[];
  /**
   * The gallery's other definitions, read when ours is to be created (publisher/offer/sku must be
   * unique).
   */
  definitions?: GalleryImage[];
}

export async function readGalleryState(run: GalleryRun): Promise<GalleryState> {
  const { ref, compute, signal } = run;
  const opts = { abortSignal: signal };
  const resourceGroup = await getOrUndefined(() =>
    resourcesClient(run.azure, ref.subscriptionId).resourceGroups.get(ref.resourceGroup, opts),
  );
  // Compute returns a gallery's sharing groups only when asked; sharing plans against them.
  const gallery = resourceGroup
    ? await getOrUndefined(() =>
        compute.galleries.get(ref.resourceGroup, ref.gallery, {
          ...opts,
          expand: 'SharingProfile/Groups',
        }),
      )
    : undefined;
  const definition = gallery
    ? await getOrUndefined(() =>
        compute.galleryImages.get(ref.resourceGroup, ref.gallery, ref.definition, opts),
      )
    : undefined;
  const versions = definition ? await listVersions(run) : [];
  const definitions: GalleryImage[] = [];
  if (gallery && !definition) {
    for await (const d of compute.galleryImages.listByGallery(ref.resourceGroup, ref.gallery, opts))
      definitions.push(d);
  }
  return { resourceGroup, gallery, definition, versions, definitions };
}

export async function listVersions(run: GalleryRun): Promise<GalleryImageVersion[]> {
  const { ref, compute, signal } = run;
  const versions: GalleryImageVersion[] = [];
  for await (const v of compute.galleryImageVersions.listByGalleryImage(
    ref.resourceGroup,
    ref.gallery,
    ref.definition,
    { abortSignal: signal },
  ))
    versions.push(v);
  return versions;
}

function traitsOf(definition: GalleryImage): ImageTraits {
  return {
    osType: definition.osType,
    osState: definition.osState,
    hyperVGeneration: definition.hyperVGeneration ?? 'V1',
    securityType: securityTypeOf(definition.features),
    architecture: definition.architecture ?? 'x64',
  };
}

export function describeTraits(t: ImageTraits): string {
  return (
    [
      t.osType,
      t.osState,
      t.hyperVGeneration && `Hyper-V ${t.hyperVGeneration}`,
      t.securityType && `security ${t.securityType}`,
      t.architecture,
    ]
      .filter(Boolean)
      .join(', ') || 'nothing known'
  );
}

/**
 * A definition to create, or the existing one after its checks. Throws one Error listing every
 * problem.
 */
export interface DefinitionPlan {
  create?: GalleryImage;
  /**
   * Mutable properties of an existing definition to update (description, recommended sizes, end of
   * life).
   */
  update?: GalleryImage;
  /** The definition's line of the plan: create, update (what changes) or keep. */
  item: PlanItem;
}

export function planDefinition(
  run: GalleryRun,
  state: GalleryState,
  source: SourceInfo,
  location: string,
): DefinitionPlan {
  const p = run.params.definition;
  const name = run.ref.definition;
  if (state.definition) {
    const existing = { ...traitsOf(state.definition), name };
    const problems = [...inputConflicts(p, existing), ...definitionConflicts(existing, source)];
    if (problems.length) throw new Error(problems.join('\n'));
    return planUpdate(state.definition, run);
  }
  const { traits, problems } = plannedDefinitionTraits(p, source);
  if (problems.length) throw new Error(problems.join('\n'));
  const identifier = {
    publisher: p.publisher ?? run.ref.gallery,
    offer: p.offer ?? name,
    sku: p.sku ?? (traits.hyperVGeneration === 'V2' ? 'gen2' : 'gen1'),
  };
  const clash = (state.definitions ?? []).find(
    (d) =>
      d.name?.toLowerCase() !== name.toLowerCase() &&
      (['publisher', 'offer', 'sku'] as const).every(
        (k) => d.identifier?.[k]?.toLowerCase() === identifier[k].toLowerCase(),
      ),
  );
  if (clash) {
    throw new Error(
      `The image definition '${clash.name}' in gallery '${run.ref.gallery}' already uses ` +
        `publisher '${identifier.publisher}', offer '${identifier.offer}', sku ` +
        `'${identifier.sku}'; ` +
        'each definition of a gallery needs its own. Set the publisher, offer or sku inputs.',
    );
  }
  const features = [...p.features];
  if (traits.securityType !== 'Standard')
    features.push({ name: 'SecurityType', value: traits.securityType });
  const create: GalleryImage = {
    location,
    osType: traits.osType as GalleryImage['osType'],
    osState: traits.osState as GalleryImage['osState'],
    hyperVGeneration: traits.hyperVGeneration,
    architecture: traits.architecture,
    identifier,
    ...(features.length ? { features } : {}),
    ...(p.description ? { description: p.description } : {}),
    ...(p.recommended ? { recommended: p.recommended } : {}),
    ...(p.endOfLifeDate ? { endOfLifeDate: p.endOfLifeDate } : {}),
  };
  return {
    create,
    item: {
      action: 'create',
      target: `image definition ${name}`,
      reason: 'missing',
      details: [
        `${describeTraits(traits)}; publisher/offer/sku ` +
          `${identifier.publisher}/${identifier.offer}/${identifier.sku}`,
      ],
    },
  };
}

function planUpdate(d: GalleryImage, run: GalleryRun): DefinitionPlan {
  const p = run.params.definition;
  const changes: string[] = [];
  const next: GalleryImage = { ...d };
  if (p.description !== undefined && p.description !== d.description) {
    next.description = p.description;
    changes.push('description');
  }
  if (
    p.recommended &&
    JSON.stringify(normaliseRecommended(p.recommended)) !==
      JSON.stringify(normaliseRecommended(d.recommended))
  ) {
    next.recommended = p.recommended;
    changes.push('recommended vCPUs/memory');
  }
  if (p.endOfLifeDate && p.endOfLifeDate.getTime() !== d.endOfLifeDate?.getTime()) {
    next.endOfLifeDate = p.endOfLifeDate;
    changes.push(`end of life ${p.endOfLifeDate.toISOString().slice(0, 10)}`);
  }
  const target = `image definition ${d.name}`;
  return changes.length
    ? {
        update: writableDefinition(next),
        item: { action: 'update', target, reason: `the inputs change its ${changes.join(', ')}` },
      }
    : { item: { action: 'keep', target, reason: 'exists and fits the source and the inputs' } };
}

function normaliseRecommended(r: GalleryImage['recommended']) {
  return { cpu: [r?.vCPUs?.min, r?.vCPUs?.max], mem: [r?.memory?.min, r?.memory?.max] };
}

/** A definition as it may be PUT back (read-only properties dropped). */
function writableDefinition(d: GalleryImage): GalleryImage {
  return {
    location: d.location,
    tags: d.tags,
    description: d.description,
    eula: d.eula,
    privacyStatementUri: d.privacyStatementUri,
    releaseNoteUri: d.releaseNoteUri,
    osType: d.osType,
    osState: d.osState,
    hyperVGeneration: d.hyperVGeneration,
    endOfLifeDate: d.endOfLifeDate,
    identifier: d.identifier,
    recommended: d.recommended,
    disallowed: d.disallowed,
    purchasePlan: d.purchasePlan,
    features: d.features,
    architecture: d.architecture,
  };
}

/** Creates what is missing (resource group, gallery, definition) and applies definition updates. */
export async function ensureGalleryAndDefinition(
  run: GalleryRun,
  state: GalleryState,
  plan: DefinitionPlan,
  location: string,
  sharing: boolean,
): Promise<{ gallery: Gallery; definition: GalleryImage }> {
  const { ref, compute, log, lro } = run;
  if (!state.resourceGroup) {
    log.info(`Creating resource group ${ref.resourceGroup} in ${location}...`);
    state.resourceGroup = await run.step(`Creating resource group ${ref.resourceGroup}`, () =>
      resourcesClient(run.azure, ref.subscriptionId).resourceGroups.createOrUpdate(
        ref.resourceGroup,
        { location },
        { abortSignal: run.signal },
      ),
    );
  }
  let gallery = state.gallery;
  if (!gallery) {
    log.info(`Creating gallery ${ref.gallery} in ${location}...`);
    gallery = await run.step(`Creating gallery ${ref.gallery}`, () =>
      compute.galleries.createOrUpdate(
        ref.resourceGroup,
        ref.gallery,
        {
          location,
          description:
            `Golden images, published by Azure Pipelines ` +
            `(${run.pipeline.definitionName || 'pipeline'})`,
          ...(sharing ? { sharingProfile: { permissions: 'Groups' } } : {}),
        },
        lro,
      ),
    );
    state.gallery = gallery;
  }
  let definition = state.definition;
  if (plan.create) {
    log.info(`Creating image definition ${ref.definition}...`);
    definition = await run.step(`Creating image definition ${ref.definition}`, () =>
      compute.galleryImages.createOrUpdate(
        ref.resourceGroup,
        ref.gallery,
        ref.definition,
        { ...plan.create!, location: gallery.location ?? location },
        lro,
      ),
    );
  } else if (plan.update) {
    log.info(`Updating image definition ${ref.definition} (${plan.item.reason})...`);
    definition = await run.step(`Updating image definition ${ref.definition}`, () =>
      compute.galleryImages.createOrUpdate(
        ref.resourceGroup,
        ref.gallery,
        ref.definition,
        plan.update!,
        lro,
      ),
    );
  }
  state.definition = definition;
  return { gallery, definition: definition! };
}
