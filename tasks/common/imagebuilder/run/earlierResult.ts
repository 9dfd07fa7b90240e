/**
 * A job whose build already succeeded (its template deleted afterwards) is recognised by the
 * provenance tags on what it made: the template name, which carries the run, the job and the
 * content. The targets are read from the template as it would be sent, so a template file's
 * distribute counts as the inputs' does. Gallery versions and managed images can be found that way;
 * a VHD can't, so a template with a VHD target builds again.
 */
import { getOrUndefined, isNotFound } from '../../azure/notFound';
import { parseGalleryId, parseResourceId } from '../../azure/resourceIds';
import { BuildClients } from '../clients';
import { RunOutputInfo } from './outcome';
import { TEMPLATE_TAG, TemplateDocument } from '../template/compose';
import { textOf } from '../template/valueText';

export async function findEarlierResult(
  clients: BuildClients,
  doc: TemplateDocument,
  name: string,
  signal: AbortSignal,
): Promise<{ runOutputs: RunOutputInfo[]; describe: string } | undefined> {
  const targets = doc.properties.distribute;
  if (targets.length === 0 || targets.some((d) => d.type === 'VHD')) return undefined;
  const runOutputs: RunOutputInfo[] = [];
  for (const d of targets) {
    const found =
      d.type === 'SharedImage' && typeof d.galleryImageId === 'string'
        ? await galleryVersionOf(clients, d.galleryImageId, name, signal)
        : d.type === 'ManagedImage' && typeof d.imageId === 'string'
          ? await managedImageOf(clients, d.imageId, name, signal)
          : undefined;
    if (!found) return undefined;
    runOutputs.push({
      name: textOf(d.runOutputName ?? ''),
      artifactId: found,
      provisioningState: 'Succeeded',
    });
  }
  return { runOutputs, describe: runOutputs.map((o) => o.artifactId).join(', ') };
}

/** The succeeded version of the definition (or the pinned version) that this template made. */
async function galleryVersionOf(
  clients: BuildClients,
  galleryImageId: string,
  name: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const g = parseGalleryId(galleryImageId);
  if (!g?.definition) return undefined;
  const versions = clients.compute(g.subscriptionId).galleryImageVersions;
  if (g.version) {
    const v = await getOrUndefined(() =>
      versions.get(g.resourceGroup, g.gallery, g.definition!, g.version!, { abortSignal: signal }),
    );
    return v?.tags?.[TEMPLATE_TAG] === name && v.provisioningState === 'Succeeded'
      ? v.id
      : undefined;
  }
  let found: string | undefined;
  try {
    for await (const v of versions.listByGalleryImage(g.resourceGroup, g.gallery, g.definition, {
      abortSignal: signal,
    })) {
      if (v.tags?.[TEMPLATE_TAG] === name && v.provisioningState === 'Succeeded') found = v.id;
    }
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  return found;
}

async function managedImageOf(
  clients: BuildClients,
  imageId: string,
  name: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  const p = parseResourceId(imageId);
  if (!p) return undefined;
  const image = await getOrUndefined(() =>
    clients
      .compute(p.subscriptionId)
      .images.get(p.resourceGroup, p.levels[0][1], { abortSignal: signal }),
  );
  return image?.tags?.[TEMPLATE_TAG] === name ? (image.id ?? imageId) : undefined;
}
