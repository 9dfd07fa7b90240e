/** SDK clients for a BuildImage run, and how often their long-running operations are polled. */
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
  compute: (subscriptionId?: string) => ComputeManagementClient;
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

/**
 * Long-running operations are polled as often as the build (Azure's Retry-After wins when it is
 * longer).
 */
export function lroInterval(pollIntervalMs: number): number {
  return Math.min(pollIntervalMs, 5_000);
}
