import { ComputeManagementClient } from '@azure/arm-compute';
import { DesktopVirtualizationAPIClient } from '@azure/arm-desktopvirtualization';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AzureContext } from './clients';

/** Compute client for a subscription (prune looks at every subscription the connection can see). */
export function computeClient(
  azure: AzureContext,
  subscriptionId = azure.subscriptionId,
): ComputeManagementClient {
  return new ComputeManagementClient(azure.credential, subscriptionId, azure.clientOptions);
}

export function resourcesClient(
  azure: AzureContext,
  subscriptionId = azure.subscriptionId,
): ResourceManagementClient {
  return new ResourceManagementClient(azure.credential, subscriptionId, azure.clientOptions);
}

/** Azure Virtual Desktop client (stable 2024-04-03). */
export function desktopVirtualizationClient(
  azure: AzureContext,
  subscriptionId = azure.subscriptionId,
): DesktopVirtualizationAPIClient {
  return new DesktopVirtualizationAPIClient(azure.credential, subscriptionId, azure.clientOptions);
}
