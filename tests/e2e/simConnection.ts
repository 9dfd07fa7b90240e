import { createAzureContext, AzureContext, RetrySettings } from '../../tasks/common/azure/clients';
import type { SimInfo } from '../sim';

/**
 * Our own Azure client stack (credential, retry, network policy) pointed at the simulator,
 * in-process.
 */
export function simAzureContext(info: SimInfo, retry?: RetrySettings): AzureContext {
  return createAzureContext(
    {
      id: 'e2e',
      scheme: 'ServicePrincipalSecret',
      tenantId: info.tenantId,
      clientId: info.principals.sp.clientId,
      clientSecret: info.principals.sp.secret,
      subscriptionId: info.subscriptionId,
      subscriptionName: info.subscriptionName,
      environment: 'AzureCloud',
      resourceManagerUrl: info.armUrl,
      authorityHost: info.authorityHost,
      audience: info.armUrl,
      graphUrl: info.graphUrl,
    },
    { caFile: info.caCertPath },
    'e2e-tests',
    retry,
  );
}
