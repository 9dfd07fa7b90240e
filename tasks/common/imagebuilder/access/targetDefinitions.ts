/**
 * A gallery target's image definition must agree with the source (OS type, Hyper-V generation,
 * security type): Azure otherwise finds out only at the end of the build.
 */
import { getOrUndefined } from '../../azure/notFound';
import { parseGalleryId } from '../../azure/resourceIds';
import { InputError } from '../../core/errors';
import { definitionTypesAccepting, securityTypeOf } from '../../gallery/compatibility';
import { BuildClients } from '../clients';
import { ResolvedSource } from '../inputs/sourceResolution';
import type { TemplateOutline } from '../template/outline';

/**
 * Each gallery target's definition exists and agrees with the source; `input` names where the
 * target came from.
 */
export async function checkDefinitions(
  clients: BuildClients,
  outline: TemplateOutline,
  source: ResolvedSource,
  input: 'templateFile' | 'galleryImageDefinitionId',
  signal: AbortSignal,
): Promise<void> {
  const sourceSecurity = await securityTypeOfSource(clients, source, signal);
  for (const [i, d] of outline.properties.distribute.entries()) {
    if (d.type !== 'SharedImage' || typeof d.galleryImageId !== 'string') continue;
    const at = input === 'templateFile' ? `properties.distribute[${i}].galleryImageId: ` : '';
    const ref = parseGalleryId(d.galleryImageId);
    if (!ref?.definition)
      throw new InputError(
        input,
        `${at}'${d.galleryImageId}' is not the resource id of a gallery image definition ` +
          `or version`,
      );
    const id =
      `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers` +
      `/Microsoft.Compute/galleries/${ref.gallery}/images/${ref.definition}`;
    const definition = await getOrUndefined(() =>
      clients
        .compute(ref.subscriptionId)
        .galleryImages.get(ref.resourceGroup, ref.gallery, ref.definition!, {
          abortSignal: signal,
        }),
    );
    if (!definition) {
      throw new InputError(
        input,
        `${at}the image definition ${id} does not exist (or the service connection can't read it)`,
        'an existing image definition (DistributeToGallery can create one)',
      );
    }
    if (definition.osType && definition.osType !== source.osType) {
      throw new InputError(
        input,
        `${at}the image definition '${ref.definition}' is for ${definition.osType}, but ` +
          `the source ${source.description} is ${source.osType}`,
        'a definition of the same OS type',
      );
    }
    const gen = (x?: string) => (x ?? 'V1').toUpperCase();
    if (
      source.hyperVGeneration &&
      gen(definition.hyperVGeneration) !== gen(source.hyperVGeneration)
    ) {
      throw new InputError(
        input,
        `${at}the image definition '${ref.definition}' is Hyper-V generation ` +
          `${gen(definition.hyperVGeneration)}, but the source ${source.description} is ` +
          `${gen(source.hyperVGeneration)}`,
        `a ${gen(source.hyperVGeneration)} image definition, or a ` +
          `${gen(definition.hyperVGeneration)} source`,
      );
    }
    const targetSecurity = securityTypeOf(definition.features);
    if (sourceSecurity && !definitionTypesAccepting(sourceSecurity).includes(targetSecurity)) {
      throw new InputError(
        input,
        `${at}the image definition '${ref.definition}' has security type ` +
          `${targetSecurity}, but the source ${source.description} is ${sourceSecurity}`,
        `a definition with security type ${definitionTypesAccepting(sourceSecurity).join(', ')}`,
      );
    }
  }
}

/**
 * A gallery source's security type (its definition's); marketplace and managed images do not
 * restrict the target.
 */
async function securityTypeOfSource(
  clients: BuildClients,
  source: ResolvedSource,
  signal: AbortSignal,
) {
  const s = source.templateSource;
  if (s.type !== 'SharedImageVersion' || typeof s.imageVersionId !== 'string') return undefined;
  const ref = parseGalleryId(s.imageVersionId);
  if (!ref?.definition) return undefined;
  const definition = await getOrUndefined(() =>
    clients
      .compute(ref.subscriptionId)
      .galleryImages.get(ref.resourceGroup, ref.gallery, ref.definition!, { abortSignal: signal }),
  );
  return definition ? securityTypeOf(definition.features) : undefined;
}
