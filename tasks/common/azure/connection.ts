/**
 * A service connection as the core needs it: plain data, read once by the pipeline layer from the
 * agent's ENDPOINT_* variables so that nothing below touches task-lib.
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
  /**
   * Service principal / app registration client id; the user-assigned identity's client id for MSI.
   */
  clientId?: string;
  clientSecret?: string;
  /** PEM (private key + certificate), kept in memory: never written to disk. */
  certificate?: string;
  /**
   * Workload identity federation: the job's System.AccessToken, with which the credential asks
   * Azure DevOps (System.OidcRequestUri) for the pipeline's OIDC token.
   */
  systemAccessToken?: string;
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
  /**
   * Microsoft Graph as the connection gives it (its microsoftGraphUrl), e.g.
   * https://graph.microsoft.com/.
   */
  graphUrl?: string;
}

/** The `.default` scope for Resource Manager tokens of this connection. */
export function armScope(connection: ServiceConnection): string {
  return `${connection.audience.replace(/\/+$/, '')}/.default`;
}

/** Microsoft Graph of each national cloud, for connections that do not name it. */
const GRAPH_BY_CLOUD: Record<string, string> = {
  azurecloud: 'https://graph.microsoft.com/',
  azureusgovernment: 'https://graph.microsoft.us/',
  azurechinacloud: 'https://microsoftgraph.chinacloudapi.cn/',
};

/**
 * The connection's Microsoft Graph endpoint: its own, else its cloud's; undefined for a cloud
 * without one known (Azure Stack).
 */
export function graphEndpoint(connection: ServiceConnection): string | undefined {
  return connection.graphUrl || GRAPH_BY_CLOUD[connection.environment.toLowerCase()];
}
