/**
 * Resolves the base image before anything is written: the marketplace `latest` to the exact version
 * (through the catalog, numerically, not as strings), its purchase plan, OS and Hyper-V generation;
 * a gallery `latest` to the newest version that is not excluded from latest; a managed image's OS.
 * The template then names the exact image, so the build is reproducible and the log says what it
 * used.
 */
import type { ComputeManagementClient } from '@azure/arm-compute';
import { InputError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { getOrUndefined } from '../../azure/notFound';
import { parseGalleryId, parseResourceId } from '../../azure/resourceIds';
import { compareVersions } from '../../gallery/versioning';
import { OsType } from './params';
import { textOf } from '../template/valueText';
import { describeSource, SourceRef } from './sourceRef';

export interface ResolvedSource {
  /** `properties.source` of the template. */
  templateSource: Record<string, unknown>;
  osType: OsType;
  hyperVGeneration?: string;
  /** What was used, exactly (URN with version, or version id). */
  description: string;
  /** The existing task's pirPublisher/Offer/Sku/Version outputs (marketplace sources). */
  pir?: { publisher: string; offer: string; sku: string; version: string };
}

export interface ResolveSourceOptions {
  /** The compute client of a subscription (the connection's by default). */
  compute: (subscriptionId?: string) => ComputeManagementClient;
  /** The source as the inputs or the template file give it. */
  ref: SourceRef;
  /** The build's region: where a marketplace image's versions are listed. */
  location: string;
  /** The osType input; undefined: whatever the source is. */
  declaredOs?: OsType;
  log: Logger;
  signal: AbortSignal;
}

export async function resolveSource(o: ResolveSourceOptions): Promise<ResolvedSource> {
  const { declaredOs } = o;
  const resolved = await resolve(o);
  if (declaredOs && declaredOs !== resolved.osType) {
    throw new InputError(
      'osType',
      `says ${declaredOs}, but the source ${resolved.description} is ${resolved.osType}`,
      `osType ${resolved.osType} or auto`,
    );
  }
  return resolved;
}

async function resolve(o: ResolveSourceOptions): Promise<ResolvedSource> {
  const { compute, ref, location, log, signal } = o;
  switch (ref.kind) {
    case 'marketplace': {
      const c = compute();
      let version = ref.version;
      const urn = `${ref.publisher}:${ref.offer}:${ref.sku}`;
      if (version === 'latest') {
        const list = await getOrUndefined(() =>
          c.virtualMachineImages.list(location, ref.publisher, ref.offer, ref.sku, {
            abortSignal: signal,
          }),
        );
        const newest = (list ?? [])
          .map((v) => v.name)
          .sort(compareVersions)
          .pop();
        if (!newest)
          throw new InputError(
            'sourceImage',
            `the marketplace image ${urn} has no versions in ${location}`,
            'a publisher:offer:sku offered in that region (az vm image list --all -l ' +
              '<region> -p <publisher>)',
          );
        version = newest;
        log.info(`Source: marketplace image ${urn}:latest is version ${version} in ${location}.`);
      }
      const image = await getOrUndefined(() =>
        c.virtualMachineImages.get(location, ref.publisher, ref.offer, ref.sku, version, {
          abortSignal: signal,
        }),
      );
      if (!image)
        throw new InputError(
          'sourceImage',
          `the marketplace image ${urn}:${version} is not offered in ${location}`,
          'an image and version offered in that region',
        );
      const planOf =
        ref.plan ??
        (image.plan
          ? { name: image.plan.name, product: image.plan.product, publisher: image.plan.publisher }
          : undefined);
      if (image.plan && !ref.plan)
        log.info(
          `Source: ${urn} is sold with purchase plan ${image.plan.name} (product ` +
            `${image.plan.product}, publisher ${image.plan.publisher}); the template carries ` +
            `it. Accept its terms once: az vm image terms accept --urn ${urn}:${version}`,
        );
      const osType: OsType = /linux/i.test(String(image.osDiskImage?.operatingSystem ?? ''))
        ? 'Linux'
        : /windows/i.test(String(image.osDiskImage?.operatingSystem ?? ''))
          ? 'Windows'
          : (ref.osHint ?? guessOs(ref.publisher, ref.offer));
      return {
        templateSource: {
          type: 'PlatformImage',
          publisher: ref.publisher,
          offer: ref.offer,
          sku: ref.sku,
          version,
          ...(planOf
            ? {
                planInfo: {
                  planName: planOf.name,
                  planProduct: planOf.product,
                  planPublisher: planOf.publisher,
                },
              }
            : {}),
        },
        osType,
        hyperVGeneration: image.hyperVGeneration,
        description: `${urn}:${version}`,
        pir: { publisher: ref.publisher, offer: ref.offer, sku: ref.sku, version },
      };
    }
    case 'galleryImageVersion': {
      const g = parseGalleryId(ref.definitionId)!;
      const c = compute(g.subscriptionId);
      const definition = await getOrUndefined(() =>
        c.galleryImages.get(g.resourceGroup, g.gallery, g.definition!, { abortSignal: signal }),
      );
      if (!definition)
        throw new InputError(
          'sourceImage',
          `the gallery image definition ${ref.definitionId} does not exist (or the service ` +
            `connection can't read it)`,
          'an existing image definition',
        );
      let version = ref.version;
      if (version === 'latest') {
        const candidates: string[] = [];
        for await (const v of c.galleryImageVersions.listByGalleryImage(
          g.resourceGroup,
          g.gallery,
          g.definition!,
          { abortSignal: signal },
        )) {
          if (
            !v.publishingProfile?.excludeFromLatest &&
            (v.provisioningState ?? 'Succeeded') === 'Succeeded' &&
            v.name
          )
            candidates.push(v.name);
        }
        const newest = candidates.sort(compareVersions).pop();
        if (!newest)
          throw new InputError(
            'sourceImage',
            `the gallery image definition ${ref.definitionId} has no version that may be ` +
              `used as latest`,
            'a published version, or an explicit version id',
          );
        version = newest;
        log.info(
          `Source: gallery image ${g.gallery}/${g.definition} latest is version ${version}.`,
        );
      } else if (
        !(await getOrUndefined(() =>
          c.galleryImageVersions.get(g.resourceGroup, g.gallery, g.definition!, version, {
            abortSignal: signal,
          }),
        ))
      ) {
        throw new InputError(
          'sourceImage',
          `the gallery image version ${ref.definitionId}/versions/${version} does not exist`,
          'an existing version, or latest',
        );
      }
      const id = `${ref.definitionId}/versions/${version}`;
      return {
        templateSource: { type: 'SharedImageVersion', imageVersionId: id },
        osType: definition.osType === 'Linux' ? 'Linux' : 'Windows',
        hyperVGeneration: definition.hyperVGeneration,
        description: id,
      };
    }
    case 'managedImage': {
      const p = parseResourceId(ref.imageId)!;
      const image = await getOrUndefined(() =>
        compute(p.subscriptionId).images.get(p.resourceGroup, p.levels[0][1], {
          abortSignal: signal,
        }),
      );
      if (!image)
        throw new InputError(
          'sourceImage',
          `the managed image ${ref.imageId} does not exist (or the service connection ` +
            `can't read it)`,
          'an existing managed image',
        );
      return {
        templateSource: { type: 'ManagedImage', imageId: ref.imageId },
        osType: image.storageProfile?.osDisk?.osType === 'Linux' ? 'Linux' : 'Windows',
        hyperVGeneration: image.hyperVGeneration,
        description: describeSource(ref),
      };
    }
  }
}

/** When the catalog does not say: Windows publishers and offers say so in their names. */
function guessOs(publisher: string, offer: string): OsType {
  return /windows|microsoftwindows/i.test(`${publisher} ${offer}`) ? 'Windows' : 'Linux';
}

/**
 * What `wait` knows of the source of a template it did not compose: the template's own `source`
 * (with AIB's `exactVersion`) and the OS recorded in its tags.
 */
export function sourceOfTemplate(t: {
  source?: unknown;
  tags?: Record<string, string>;
}): ResolvedSource {
  const s = (t.source ?? {}) as Record<string, unknown>;
  const osType: OsType = t.tags?.['gip.os'] === 'Windows' ? 'Windows' : 'Linux';
  if (s.type === 'PlatformImage') {
    const version = textOf(s.exactVersion ?? s.version ?? 'latest');
    const pir = {
      publisher: textOf(s.publisher),
      offer: textOf(s.offer),
      sku: textOf(s.sku),
      version,
    };
    return {
      templateSource: s,
      osType,
      description: `marketplace image ${pir.publisher}:${pir.offer}:${pir.sku}:${version}`,
      pir,
    };
  }
  const id = textOf(s.imageVersionId ?? s.imageId ?? '');
  return { templateSource: s, osType, description: t.tags?.['gip.source'] ?? id };
}
