/**
 * A job whose build already succeeded (its template deleted afterwards) is recognised by the
 * provenance tags on what it made: the template name, which carries the run, the job and the content.
 * Gallery versions and managed images can be found that way; a VHD can't, so a VHD target builds again.
 */
import { getOrUndefined } from '../azure/notFound';
import { parseGalleryId, parseResourceId } from '../gallery/resourceIds';
import { BuildClients } from './clients';
import { RUN_OUTPUTS } from './distributors';
import { RunOutputInfo } from './outcome';
import { BuildParams } from './params';
import { TEMPLATE_TAG } from './template';

export async function findEarlierResult(clients: BuildClients, params: BuildParams, name: string, signal: AbortSignal): Promise<{ runOutputs: RunOutputInfo[]; describe: string } | undefined> {
  const d = params.distribute;
  if (d.vhd) return undefined;
  const runOutputs: RunOutputInfo[] = [];
  if (d.gallery) {
    const g = parseGalleryId(d.gallery.definitionId)!;
    let found: string | undefined;
    const versions = clients.compute(g.subscriptionId).galleryImageVersions.listByGalleryImage(g.resourceGroup, g.gallery, g.definition!, { abortSignal: signal });
    try {
      for await (const v of versions) {
        if (v.tags?.[TEMPLATE_TAG] === name && v.provisioningState === 'Succeeded') found = v.id;
      }
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
    if (!found) return undefined;
    runOutputs.push({ name: RUN_OUTPUTS.gallery, artifactId: found, provisioningState: 'Succeeded' });
  }
  if (d.managedImage) {
    const p = parseResourceId(d.managedImage.id)!;
    const image = await getOrUndefined(() => clients.compute(p.subscriptionId).images.get(p.resourceGroup, p.levels[0][1], { abortSignal: signal }));
    if (image?.tags?.[TEMPLATE_TAG] !== name) return undefined;
    runOutputs.push({ name: RUN_OUTPUTS.managedImage, artifactId: image.id ?? d.managedImage.id, provisioningState: 'Succeeded' });
  }
  return { runOutputs, describe: runOutputs.map((o) => o.artifactId).join(', ') };
}
