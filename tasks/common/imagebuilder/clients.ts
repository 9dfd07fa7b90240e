/**
 * SDK clients for a BuildImage run. The generated "modular" clients (imagebuilder 5, compute 24,
 * storage 20) take their token scopes as `credentials.scopes`; both forms are passed so a sovereign
 * cloud's audience is kept.
 */
import { ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { StorageManagementClient } from '@azure/arm-storage';
import type { ComputeManagementClient } from '@azure/arm-compute';
import { AzureContext } from '../azure/clients';
import { computeClient } from '../gallery/azureClients';

export interface BuildClients {
  aib: ImageBuilderClient;
  aci: ContainerInstanceManagementClient;
  storage: StorageManagementClient;
  compute(subscriptionId?: string): ComputeManagementClient;
}

export function buildClients(azure: AzureContext): BuildClients {
  const modular = { ...azure.clientOptions, credentials: { scopes: azure.clientOptions.credentialScopes } };
  return {
    aib: new ImageBuilderClient(azure.credential, azure.subscriptionId, modular),
    aci: new ContainerInstanceManagementClient(azure.credential, azure.subscriptionId, azure.clientOptions),
    storage: new StorageManagementClient(azure.credential, azure.subscriptionId, modular),
    compute: (subscriptionId?: string) => computeClient(azure, subscriptionId ?? azure.subscriptionId),
  };
}
