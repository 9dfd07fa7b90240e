import type { TokenCredential } from '@azure/core-auth';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { armScope, ServiceConnection } from './connection';
import { createCredential } from './credential';
import { networkPolicy, NetworkSettings } from './network';

/**
 * Retry settings for every ARM call; tests shorten them. Retry-After from the service always wins.
 */
export interface RetrySettings {
  maxRetries: number;
  retryDelayInMs: number;
  maxRetryDelayInMs: number;
}

const DEFAULT_RETRY: RetrySettings = {
  maxRetries: 6,
  retryDelayInMs: 2000,
  maxRetryDelayInMs: 60_000,
};

/**
 * Options accepted by every @azure/arm-* client constructor. The token scopes go in both forms:
 * classic clients read `credentialScopes`, the generated "modular" ones (imagebuilder 5, compute
 * 24, storage 20) read `credentials.scopes` and would otherwise ask a sovereign cloud for a
 * public-cloud token.
 */
export interface ArmClientOptions {
  endpoint: string;
  credentialScopes: string[];
  credentials: { scopes: string[] };
  retryOptions: RetrySettings;
  additionalPolicies?: { policy: PipelinePolicy; position: 'perCall' | 'perRetry' }[];
  userAgentOptions: { userAgentPrefix: string };
}

/** Everything a core module needs to build SDK clients against the connection's cloud. */
export interface AzureContext {
  connection: ServiceConnection;
  credential: TokenCredential;
  subscriptionId: string;
  clientOptions: ArmClientOptions;
  /** Same network settings for data-plane clients (storage blobs). */
  policy?: PipelinePolicy;
  network: NetworkSettings;
}

export function createAzureContext(
  connection: ServiceConnection,
  network: NetworkSettings,
  userAgent: string,
  retry: RetrySettings = DEFAULT_RETRY,
): AzureContext {
  const policy = networkPolicy(network);
  return {
    connection,
    credential: createCredential(connection, { policy }),
    subscriptionId: connection.subscriptionId,
    policy,
    network,
    clientOptions: {
      endpoint: connection.resourceManagerUrl.replace(/\/+$/, ''),
      credentialScopes: [armScope(connection)],
      credentials: { scopes: [armScope(connection)] },
      retryOptions: retry,
      additionalPolicies: policy ? [{ policy, position: 'perCall' }] : undefined,
      userAgentOptions: { userAgentPrefix: userAgent },
    },
  };
}
