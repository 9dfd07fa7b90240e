import * as tl from 'azure-pipelines-task-lib/task';
import { AuthScheme, ServiceConnection } from '../azure/connection';
import { InputError } from '../core/errors';
import { registerSecret } from './logger';

/** Entra authority of a connection that names none (azure-arm-rest's MSAL default too). */
const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/';

/**
 * Reads the AzureRM service connection named by `inputName` from the agent's ENDPOINT_* variables
 * and keeps only plain data. Read here with task-lib rather than azure-arm-rest's getEndpoint():
 * the same variables, but azure-arm-rest brought 1.5 MB of bundle (azure-devops-node-api, a second
 * MSAL) and ~90 ms to every task's start for it (issue 15, item 9). The one thing it added, Azure
 * Stack Hub's metadata lookup, serves a cloud without Image Builder, galleries of this kind, AVD or
 * Dev Box: such a connection is refused by name.
 */
export function readServiceConnection(inputName: string): ServiceConnection {
  const id = tl.getInput(inputName, false);
  if (!id)
    throw new InputError(
      inputName,
      'a value is required',
      'the name or id of an Azure Resource Manager service connection',
    );
  const url = tl.getEndpointUrl(id, true);
  const auth = tl.getEndpointAuthorization(id, true);
  if (!url || !auth)
    throw new InputError(
      inputName,
      `service connection '${id}' could not be read (the agent gave this task no ` +
        `${!url ? 'URL' : 'authorization'} for it)`,
      'an Azure Resource Manager service connection this pipeline is authorised to use',
    );
  maskEndpointSecrets(auth.parameters);
  const data = (key: string) => tl.getEndpointDataParameter(id, key, true) || undefined;
  const param = (key: string) => tl.getEndpointAuthorizationParameter(id, key, true) || undefined;
  const subscriptionId = data('subscriptionid');
  if (!subscriptionId) {
    throw new InputError(
      inputName,
      `service connection '${id}' is not scoped to a subscription`,
      'a subscription-scoped Azure Resource Manager service connection',
    );
  }
  const environment = data('environment') ?? 'AzureCloud';
  if (environment.toLowerCase() === 'azurestack')
    throw new InputError(
      inputName,
      `service connection '${id}' is for Azure Stack Hub, which has none of the services ` +
        'these tasks use (Image Builder, Compute Gallery image versions, Azure Virtual Desktop, ' +
        'Dev Box)',
      'a connection to Azure (public, US Government or China)',
    );
  const scheme = authScheme(
    id,
    tl.getEndpointAuthorizationScheme(id, true),
    param('authenticationType'),
  );
  const tenantId = param('tenantid');
  if (!tenantId)
    throw new InputError(
      inputName,
      `service connection '${id}' has no tenant id`,
      'a service connection with its Microsoft Entra tenant (edit it in Project settings > ' +
        'Service connections)',
    );
  return {
    id,
    scheme,
    tenantId,
    clientId:
      scheme === 'ManagedServiceIdentity'
        ? data('msiclientId') || param('serviceprincipalid')
        : param('serviceprincipalid'),
    clientSecret: scheme === 'ServicePrincipalSecret' ? param('serviceprincipalkey') : undefined,
    certificate:
      scheme === 'ServicePrincipalCertificate' ? param('servicePrincipalCertificate') : undefined,
    systemAccessToken:
      scheme === 'WorkloadIdentityFederation' ? systemAccessToken(inputName, id) : undefined,
    subscriptionId,
    subscriptionName: data('subscriptionname'),
    environment,
    resourceManagerUrl: url,
    authorityHost: data('activeDirectoryAuthority') ?? DEFAULT_AUTHORITY,
    audience: url,
    graphUrl: data('microsoftGraphUrl'),
  };
}

/**
 * The job's System.AccessToken, with which AzurePipelinesCredential asks Azure DevOps for the
 * pipeline's OIDC token at SYSTEM_OIDCREQUESTURI. An agent that does not set that variable gets
 * the same distributedtask route azure-arm-rest builds from the job's variables.
 */
function systemAccessToken(inputName: string, id: string): string {
  const token = tl.getEndpointAuthorizationParameter('SystemVssConnection', 'AccessToken', true);
  const requestUri = tl.getVariable('System.OidcRequestUri') || oidcRouteOfJob();
  const missing = !token
    ? 'the job access token (System.AccessToken)'
    : !requestUri
      ? 'the OIDC request URI (System.OidcRequestUri), nor the job variables to build it from'
      : undefined;
  if (missing)
    throw new InputError(
      inputName,
      `service connection '${id}' uses workload identity federation, and the agent gave the ` +
        `task no ${missing}`,
      'a job run by an Azure Pipelines agent, or a service connection with a secret or ' +
        'certificate',
    );
  // AzurePipelinesCredential reads it from the environment.
  process.env.SYSTEM_OIDCREQUESTURI = requestUri;
  registerSecret(token!);
  return token!;
}

/** {collection}{project}/_apis/distributedtask/hubs/{hub}/plans/{plan}/jobs/{job}/oidctoken */
function oidcRouteOfJob(): string | undefined {
  const collection =
    tl.getVariable('System.CollectionUri') || tl.getVariable('System.TeamFoundationServerUri');
  const [project, hub, plan, job] = [
    'System.TeamProjectId',
    'System.HostType',
    'System.PlanId',
    'System.JobId',
  ].map((name) => tl.getVariable(name));
  if (!collection || !project || !hub || !plan || !job) return undefined;
  return (
    `${collection.replace(/\/*$/, '/')}${project}/_apis/distributedtask/hubs/${hub}/plans/` +
    `${plan}/jobs/${job}/oidctoken`
  );
}

/**
 * task-lib prints endpoint values to the debug log as it reads them. The agent masks what it knows
 * is secret; registering the values first makes sure of it.
 */
function maskEndpointSecrets(parameters: Record<string, string>): void {
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
