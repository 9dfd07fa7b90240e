/**
 * Checks made before anything is written: the template's resource group and the AIB identity exist,
 * and a gallery target's image definition agrees with the source (OS type, Hyper-V generation), which
 * Azure otherwise finds only at the end of the build, after the customisation has run.
 */
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AzureContext } from '../azure/clients';
import { InputError } from '../core/errors';
import { Logger } from '../core/logger';
import { getOrUndefined } from '../azure/notFound';
import { parseGalleryId, parseResourceId } from '../gallery/resourceIds';
import { BuildClients } from './clients';
import { BuildParams } from './params';
import { ResolvedSource } from './sourceResolution';

export interface Identity { id: string; principalId?: string; clientId?: string }

export async function preflight(azure: AzureContext, clients: BuildClients, params: BuildParams, source: ResolvedSource, log: Logger, signal: AbortSignal): Promise<Identity> {
  const resources = new ResourceManagementClient(azure.credential, azure.subscriptionId, azure.clientOptions);
  if (!await getOrUndefined(() => resources.resourceGroups.get(params.resourceGroup, { abortSignal: signal }))) {
    throw new InputError('resourceGroup', `the resource group '${params.resourceGroup}' does not exist in subscription ${azure.subscriptionId}`, `an existing resource group (az group create -n ${params.resourceGroup} -l ${params.location})`);
  }
  const identity = await checkIdentity(azure, params, log, signal);
  const g = params.distribute.gallery;
  if (g) {
    const ref = parseGalleryId(g.definitionId)!;
    const definition = await getOrUndefined(() => clients.compute(ref.subscriptionId).galleryImages.get(ref.resourceGroup, ref.gallery, ref.definition!, { abortSignal: signal }));
    if (!definition) {
      throw new InputError('galleryImageDefinitionId', `the image definition ${g.definitionId} does not exist (or the service connection can't read it)`, 'an existing image definition (DistributeToGallery can create one)');
    }
    if (definition.osType && definition.osType !== source.osType) {
      throw new InputError('galleryImageDefinitionId', `the image definition '${ref.definition}' is for ${definition.osType}, but the source ${source.description} is ${source.osType}`, 'a definition of the same OS type');
    }
    const gen = (x?: string) => (x ?? 'V1').toUpperCase();
    if (source.hyperVGeneration && gen(definition.hyperVGeneration) !== gen(source.hyperVGeneration)) {
      throw new InputError('galleryImageDefinitionId', `the image definition '${ref.definition}' is Hyper-V generation ${gen(definition.hyperVGeneration)}, but the source ${source.description} is ${gen(source.hyperVGeneration)}`, `a ${gen(source.hyperVGeneration)} image definition, or a ${gen(definition.hyperVGeneration)} source`);
    }
  }
  return identity;
}

async function checkIdentity(azure: AzureContext, params: BuildParams, log: Logger, signal: AbortSignal): Promise<Identity> {
  const id = params.identity.startsWith('/') ? params.identity
    : `/subscriptions/${azure.subscriptionId}/resourceGroups/${params.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${params.identity}`;
  const p = parseResourceId(id)!;
  const msi = new ManagedServiceIdentityClient(azure.credential, p.subscriptionId, azure.clientOptions);
  const found = await getOrUndefined(() => msi.userAssignedIdentities.get(p.resourceGroup, p.levels[0][1], { abortSignal: signal }));
  if (!found) {
    throw new InputError('managedIdentity', `the user-assigned identity ${id} does not exist (or the service connection can't read it)`,
      `an existing identity: az identity create -g ${p.resourceGroup} -n ${p.levels[0][1]}, then grant it rights on the distribution targets`);
  }
  log.info(`Image Builder runs as identity ${p.levels[0][1]} (principal ${found.principalId}).`);
  return { id: found.id ?? id, principalId: found.principalId, clientId: found.clientId };
}
