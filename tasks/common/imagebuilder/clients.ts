/** SDK clients for a BuildImage run. */
import { ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { StorageManagementClient } from '@azure/arm-storage';
import type { ComputeManagementClient } from '@azure/arm-compute';
import { AzureContext } from '../azure/clients';
import { computeClient } from '../azure/sdkClients';

export interface BuildClients {
  aib: ImageBuilderClient;
  aci: ContainerInstanceManagementClient;
  storage: StorageManagementClient;
  compute(subscriptionId?: string): ComputeManagementClient;
}

export function buildClients(azure: AzureContext): BuildClients {
  return {
    aib: new ImageBuilderClient(azure.credential, azure.subscriptionId, azure.clientOptions),
    aci: new ContainerInstanceManagementClient(
      azure.credential,
      azure.subscriptionId,
      azure.clientOptions,
    ),
    storage: new StorageManagementClient(
      azure.credential,
      azure.subscriptionId,
      azure.clientOptions,
    ),
    compute: (subscriptionId?: string) =>
      computeClient(azure, subscriptionId ?? azure.subscriptionId),
  };
}
