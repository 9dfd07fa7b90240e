/**
 * Archives and uploaded files are content-addressed, so builds with the same content share one
 * blob: two jobs of a matrix packaging the same folder, or another pipeline in the same resource
 * group. A build that ends deletes its own template first and then only the blobs no other template
 * there still names, so the last build to end deletes them and none loses its download mid-build.
 */
import type { ImageTemplate } from '@azure/arm-imagebuilder';
import { isNotFound } from '../../azure/notFound';
import { AzureContext } from '../../azure/clients';
import { Logger } from '../../core/logger';
import { deleteArtifacts } from './artifactsAccount';
import { ARTIFACTS_TAG } from './buildArtifacts';
import { BuildClients } from '../clients';
import { uploadedFilesOf } from './localFiles';

/**
 * Every archive and uploaded file URL the templates of the resource group name, except template
 * `except`'s.
 */
async function urlsInUse(
  clients: BuildClients,
  resourceGroup: string,
  except: string,
): Promise<Set<string>> {
  const urls = new Set<string>();
  const add = (t: ImageTemplate) => {
    if (t.name === except) return;
    const archive = t.tags?.[ARTIFACTS_TAG];
    if (archive) urls.add(archive);
    for (const u of uploadedFilesOf(t)) urls.add(u);
  };
  try {
    for await (const t of clients.aib.virtualMachineImageTemplates.listByResourceGroup(
      resourceGroup,
    ))
      add(t);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return urls;
}

export interface DropBuildBlobsOptions {
  azure: AzureContext;
  clients: BuildClients;
  /** Where the template is, with the others that may share its blobs. */
  resourceGroup: string;
  /** The template whose build ended. */
  template: string;
  /** Its blobs: the build-artifacts archive and the uploaded local files. */
  urls: { archive?: string; files: string[] };
  log: Logger;
}

/** The blobs a template (as the SDK reads it) names: its archive and its uploaded files. */
export function blobsOf(t: ImageTemplate): DropBuildBlobsOptions['urls'] {
  return { archive: t.tags?.[ARTIFACTS_TAG], files: uploadedFilesOf(t) };
}

/**
 * Deletes the blobs of a build that ended, keeping those another template still names (a failure
 * only warns).
 */
export async function dropBuildBlobs(o: DropBuildBlobsOptions): Promise<void> {
  const { azure, clients, resourceGroup, urls, log } = o;
  const all = [...(urls.archive ? [urls.archive] : []), ...urls.files];
  if (!all.length) return;
  let inUse: Set<string>;
  try {
    inUse = await urlsInUse(clients, resourceGroup, o.template);
  } catch (err) {
    log.warn(
      `Could not list the image templates of ${resourceGroup} to see whether another build ` +
        `shares the build artifacts; they are kept: ${(err as Error).message}`,
    );
    return;
  }
  for (const url of all) {
    if (inUse.has(url)) {
      log.info(
        `Kept ` +
          `${url === urls.archive ? 'the build artifacts archive' : 'the uploaded file'} ` +
          `${url}: another image template in ${resourceGroup} uses it too (the last build to ` +
          `end deletes it).`,
      );
      continue;
    }
    await deleteArtifacts(azure, url, log, url === urls.archive ? undefined : 'uploaded file');
  }
}
