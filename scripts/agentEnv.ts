/**
 * The environment an Azure Pipelines agent gives a task, built the way the agent builds it: inputs as
 * INPUT_<NAME>, the service connection as ENDPOINT_* (the id verbatim, keys upper-cased), pipeline
 * variables as SYSTEM_* / BUILD_* / AGENT_*. Used by the runner and by tests that start tasks.
 */

export type AuthKind = 'sp' | 'sp-cert' | 'wif' | 'msi';

export interface ConnectionSpec {
  id: string;
  auth: AuthKind;
  tenantId: string;
  clientId: string;
  secret?: string;
  /** Private key + certificate PEM, as the agent passes a certificate-based connection. */
  certificatePem?: string;
  subscriptionId: string;
  subscriptionName: string;
  armUrl: string;
  authorityHost: string;
  environment?: string;
}

/** ENDPOINT_* variables for one AzureRM service connection. */
export function endpointEnv(c: ConnectionSpec): Record<string, string> {
  const scheme = { sp: 'ServicePrincipal', 'sp-cert': 'ServicePrincipal', wif: 'WorkloadIdentityFederation', msi: 'ManagedServiceIdentity' }[c.auth];
  const parameters: Record<string, string> = { tenantid: c.tenantId };
  if (c.auth === 'sp' || c.auth === 'sp-cert' || c.auth === 'wif') parameters.serviceprincipalid = c.clientId;
  if (c.auth === 'sp') Object.assign(parameters, { authenticationType: 'spnKey', serviceprincipalkey: c.secret ?? '' });
  if (c.auth === 'sp-cert') Object.assign(parameters, { authenticationType: 'spnCertificate', servicePrincipalCertificate: c.certificatePem ?? '' });
  if (c.auth === 'wif') {
    Object.assign(parameters, { workloadIdentityFederationIssuer: 'https://vstoken.dev.azure.com/sim', workloadIdentityFederationSubject: `sc://simorg/simproject/${c.id}` });
  }
  const data: Record<string, string> = {
    subscriptionId: c.subscriptionId,
    subscriptionName: c.subscriptionName,
    environment: c.environment ?? 'AzureCloud',
    scopeLevel: 'Subscription',
    environmentAuthorityUrl: c.authorityHost,
    activeDirectoryAuthority: c.authorityHost,
    activeDirectoryServiceEndpointResourceId: c.armUrl,
  };
  if (c.auth === 'msi') data.msiclientId = c.clientId;
  const env: Record<string, string> = {
    [`ENDPOINT_URL_${c.id}`]: c.armUrl,
    [`ENDPOINT_AUTH_${c.id}`]: JSON.stringify({ parameters, scheme }),
    [`ENDPOINT_AUTH_SCHEME_${c.id}`]: scheme,
  };
  for (const [key, value] of Object.entries(parameters)) env[`ENDPOINT_AUTH_PARAMETER_${c.id}_${key.toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(data)) env[`ENDPOINT_DATA_${c.id}_${key.toUpperCase()}`] = value;
  return env;
}

/** INPUT_* variables: the agent upper-cases the name and replaces spaces and dots with underscores. */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/[ .]/g, '_').toUpperCase()}`, value]));
}

/** Pipeline variables as environment variables (`Build.BuildId` -> BUILD_BUILDID). */
export function variableEnv(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(vars).map(([name, value]) => [name.replace(/[ .]/g, '_').toUpperCase(), value]));
}
