import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import {
  AzurePipelinesCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
} from '@azure/identity';
import { ServiceConnection } from './connection';

export interface CredentialOptions {
  /** The agent network policy (proxy, CA); see network.ts. */
  policy?: PipelinePolicy;
}

/**
 * The service connection as an @azure/identity credential. Always with the connection's authority
 * host and without instance discovery: MSAL would otherwise ask the public cloud's discovery
 * endpoint first, which sovereign clouds and offline tests cannot answer.
 */
export function createCredential(
  connection: ServiceConnection,
  options: CredentialOptions = {},
): TokenCredential {
  const common = {
    authorityHost: connection.authorityHost,
    disableInstanceDiscovery: true,
    additionalPolicies: options.policy
      ? [{ policy: options.policy, position: 'perCall' as const }]
      : undefined,
  };
  const clientId = () => required(connection, 'clientId', connection.clientId);
  switch (connection.scheme) {
    case 'ServicePrincipalSecret':
      return new ClientSecretCredential(
        connection.tenantId,
        clientId(),
        required(connection, 'service principal key', connection.clientSecret),
        common,
      );
    case 'ServicePrincipalCertificate':
      return new ClientCertificateCredential(
        connection.tenantId,
        clientId(),
        { certificate: required(connection, 'certificate', connection.certificate) },
        common,
      );
    case 'WorkloadIdentityFederation':
      // Asks System.OidcRequestUri (read from the environment) for the pipeline's OIDC token.
      return new AzurePipelinesCredential(
        connection.tenantId,
        clientId(),
        connection.id,
        required(connection, 'job access token', connection.systemAccessToken),
        common,
      );
    case 'ManagedServiceIdentity':
      // With no client id the agent VM's system-assigned identity is used.
      return connection.clientId
        ? new ManagedIdentityCredential({ ...common, clientId: connection.clientId })
        : new ManagedIdentityCredential(common);
  }
}

function required(connection: ServiceConnection, what: string, value: string | undefined): string {
  if (!value)
    throw new Error(
      `Service connection '${connection.id}' (${connection.scheme}) has no ${what}. Edit ` +
        `the service connection in Project settings > Service connections.`,
    );
  return value;
}
