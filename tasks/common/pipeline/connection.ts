import * as fs from 'fs';
import * as tl from 'azure-pipelines-task-lib/task';
import { AuthScheme, ServiceConnection } from '../azure/connection';
import { InputError } from '../core/errors';
import { registerSecret } from './logger';

export interface ReadConnection {
  connection: ServiceConnection;
  /** Removes what reading the connection left on disk (the certificate PEM). Safe to call twice. */
  dispose: () => void;
}

/**
 * Reads the AzureRM service connection named by `inputName` with azure-arm-rest's getEndpoint()
 * (every cloud and scheme the agent knows), then keeps only plain data. azure-arm-rest's token path
 * is not used: see azure/credential.ts.
 */
export async function readServiceConnection(inputName: string): Promise<ReadConnection> {
  const id = tl.getInput(inputName, false);
  if (!id)
    throw new InputError(
      inputName,
      'a value is required',
      'the name or id of an Azure Resource Manager service connection',
    );
  if (!tl.getVariable('Agent.TempDirectory')) {
    throw new Error(
      'Agent.TempDirectory is not set: this task must run on an Azure Pipelines agent (or ' +
        'the runner: npm run task).',
    );
  }
  // Loaded here, not at the top: azure-arm-rest reads Agent.TempDirectory when it loads.
  const { AzureRMEndpoint } =
    await import('azure-pipelines-tasks-azure-arm-rest/azure-arm-endpoint');
  maskEndpointSecrets(id);
  let endpoint;
  try {
    endpoint = await new AzureRMEndpoint(id).getEndpoint(false, true);
  } catch (err) {
    throw new InputError(
      inputName,
      `service connection '${id}' could not be read ` +
        `(${err instanceof Error ? err.message : String(err)})`,
      'an Azure Resource Manager service connection this pipeline is authorised to use',
    );
  }
  if (!endpoint.subscriptionID) {
    throw new InputError(
      inputName,
      `service connection '${id}' is not scoped to a subscription`,
      'a subscription-scoped Azure Resource Manager service connection',
    );
  }
  const scheme = authScheme(id, endpoint.scheme, endpoint.authenticationType);
  const certificatePath =
    scheme === 'ServicePrincipalCertificate' ? endpoint.servicePrincipalCertificatePath : undefined;
  const credentials = endpoint.applicationTokenCredentials;
  const connection: ServiceConnection = {
    id,
    scheme,
    tenantId: endpoint.tenantID,
    clientId:
      scheme === 'ManagedServiceIdentity'
        ? endpoint.msiClientId || endpoint.servicePrincipalClientID || undefined
        : endpoint.servicePrincipalClientID,
    clientSecret: endpoint.servicePrincipalKey,
    certificatePath,
    getFederatedToken:
      scheme === 'WorkloadIdentityFederation'
        ? async () => {
            const token = await credentials.getFederatedToken();
            registerSecret(token);
            return token;
          }
        : undefined,
    subscriptionId: endpoint.subscriptionID,
    subscriptionName: endpoint.subscriptionName,
    environment: endpoint.environment ?? 'AzureCloud',
    resourceManagerUrl: endpoint.url,
    authorityHost: endpoint.environmentAuthorityUrl,
    audience: endpoint.activeDirectoryResourceID ?? endpoint.url,
    graphUrl: tl.getEndpointDataParameter(id, 'microsoftGraphUrl', true) || undefined,
  };
  return {
    connection,
    dispose: () => {
      if (certificatePath) fs.rmSync(certificatePath, { force: true });
    },
  };
}

/**
 * task-lib and azure-arm-rest print the endpoint (secret included) to the debug log. The agent
 * masks what it knows is secret; registering the values first makes sure of it.
 */
function maskEndpointSecrets(id: string): void {
  const parameters = tl.getEndpointAuthorization(id, true)?.parameters ?? {};
  for (const [key, value] of Object.entries(parameters)) {
    if (!value || !/^(serviceprincipalkey|serviceprincipalcertificate|apitoken)$/i.test(key))
      continue;
    // task-lib refuses multi-line secrets: a PEM is registered line by line.
    const lines = value.split(/\r?\n/);
    if (lines.length === 1) registerSecret(value);
    else
      for (const line of lines)
        if (line.length >= 16 && !line.startsWith('-----')) registerSecret(line);
  }
}

function authScheme(
  id: string,
  scheme: string | undefined,
  authenticationType: string | undefined,
): AuthScheme {
  switch ((scheme ?? 'ServicePrincipal').toLowerCase()) {
    case 'serviceprincipal':
      return authenticationType === 'spnCertificate'
        ? 'ServicePrincipalCertificate'
        : 'ServicePrincipalSecret';
    case 'workloadidentityfederation':
      return 'WorkloadIdentityFederation';
    case 'managedserviceidentity':
      return 'ManagedServiceIdentity';
    default:
      throw new Error(
        `Service connection '${id}' uses the '${scheme}' scheme, which this task does not ` +
          `support. ` +
          ('Use a service principal (secret or certificate), workload identity federation ' +
            'or managed identity connection.'),
      );
  }
}
