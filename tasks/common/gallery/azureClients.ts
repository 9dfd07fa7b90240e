import { ComputeManagementClient } from '@azure/arm-compute';
import { ResourceManagementClient } from '@azure/arm-resources';
import { AzureContext } from '../azure/clients';

/**
 * Compute client for a subscription. @azure/arm-compute 24 is a generated "modular" client: it takes
 * its token scopes as `credentials.scopes`, not `credentialScopes`, so both are passed (a sovereign
 * cloud's Resource Manager audience would otherwise be replaced by the public cloud's).
 */
export function computeClient(azure: AzureContext, subscriptionId = azure.subscriptionId): ComputeManagementClient {
  return new ComputeManagementClient(azure.credential, subscriptionId, {
    ...azure.clientOptions,
    credentials: { scopes: azure.clientOptions.credentialScopes },
  });
}

export function resourcesClient(azure: AzureContext, subscriptionId = azure.subscriptionId): ResourceManagementClient {
  return new ResourceManagementClient(azure.credential, subscriptionId, azure.clientOptions);
}

/** Runs a read and returns undefined when Azure answers that the resource does not exist. */
export async function getOrUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    const e = err as { statusCode?: number; code?: string };
    if (e?.statusCode === 404 || /NotFound$/i.test(e?.code ?? '')) return undefined;
    throw err;
  }
}
