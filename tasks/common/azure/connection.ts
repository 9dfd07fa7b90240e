/**
 * A service connection as the core needs it: plain data, read once by the pipeline layer from the
 * agent's ENDPOINT_* variables (through azure-arm-rest) so that nothing below touches task-lib.
 */
export type AuthScheme =
  | 'ServicePrincipalSecret'
  | 'ServicePrincipalCertificate'
  | 'WorkloadIdentityFederation'
  | 'ManagedServiceIdentity';

export interface ServiceConnection {
  id: string;
  scheme: AuthScheme;
  tenantId: string;
  /** Service principal / app registration client id; the user-assigned identity's client id for MSI. */
  clientId?: string;
  clientSecret?: string;
  /** PEM (private key + certificate) that azure-arm-rest wrote to the agent's temp folder. */
  certificatePath?: string;
  /** Fetches the pipeline's OIDC token for workload identity federation. */
  getFederatedToken?: () => Promise<string>;
  subscriptionId: string;
  subscriptionName?: string;
  /** AzureCloud, AzureUSGovernment, AzureChinaCloud, AzureStack... */
  environment: string;
  /** Resource Manager URL, e.g. https://management.azure.com/ */
  resourceManagerUrl: string;
  /** Entra authority host, e.g. https://login.microsoftonline.com/ */
  authorityHost: string;
  /** Token audience for Resource Manager (the connection's activeDirectoryResourceId). */
  audience: string;
}

/** The `.default` scope for Resource Manager tokens of this connection. */
export function armScope(connection: ServiceConnection): string {
  return `${connection.audience.replace(/\/+$/, '')}/.default`;
}
