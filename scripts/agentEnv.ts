/**
 * The environment an Azure Pipelines agent gives a task, built the way the agent builds it: inputs
 * as INPUT_<NAME>, the service connection as ENDPOINT_* (the id verbatim, keys upper-cased),
 * pipeline variables as SYSTEM_* / BUILD_* / AGENT_*. Used by the runner and by tests that start
 * tasks.
 */
import * as path from 'path';

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
  /**
   * Microsoft Graph's URL (`https://graph.microsoft.com/` in the public cloud); left out when not
   * given.
   */
  microsoftGraphUrl?: string;
  environment?: string;
}

/** ENDPOINT_* variables for one AzureRM service connection. */
export function endpointEnv(c: ConnectionSpec): Record<string, string> {
  const scheme = {
    sp: 'ServicePrincipal',
    'sp-cert': 'ServicePrincipal',
    wif: 'WorkloadIdentityFederation',
    msi: 'ManagedServiceIdentity',
  }[c.auth];
  const parameters: Record<string, string> = { tenantid: c.tenantId };
  if (c.auth === 'sp' || c.auth === 'sp-cert' || c.auth === 'wif')
    parameters.serviceprincipalid = c.clientId;
  if (c.auth === 'sp')
    Object.assign(parameters, {
      authenticationType: 'spnKey',
      serviceprincipalkey: c.secret ?? '',
    });
  if (c.auth === 'sp-cert')
    Object.assign(parameters, {
      authenticationType: 'spnCertificate',
      servicePrincipalCertificate: c.certificatePem ?? '',
    });
  if (c.auth === 'wif') {
    Object.assign(parameters, {
      workloadIdentityFederationIssuer: 'https://vstoken.dev.azure.com/sim',
      workloadIdentityFederationSubject: `sc://simorg/simproject/${c.id}`,
    });
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
  if (c.microsoftGraphUrl) data.microsoftGraphUrl = c.microsoftGraphUrl;
  if (c.auth === 'msi') data.msiclientId = c.clientId;
  const env: Record<string, string> = {
    [`ENDPOINT_URL_${c.id}`]: c.armUrl,
    [`ENDPOINT_AUTH_${c.id}`]: JSON.stringify({ parameters, scheme }),
    [`ENDPOINT_AUTH_SCHEME_${c.id}`]: scheme,
  };
  for (const [key, value] of Object.entries(parameters))
    env[`ENDPOINT_AUTH_PARAMETER_${c.id}_${key.toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(data))
    env[`ENDPOINT_DATA_${c.id}_${key.toUpperCase()}`] = value;
  return env;
}

/** An input as task.json declares it (the parts that decide what the task process sees). */
export interface InputDefinition {
  name: string;
  type: string;
  aliases?: string[];
  defaultValue?: string | boolean;
}

/**
 * The inputs a task process gets for a step, made the way Azure Pipelines makes them: the server
 * renames an input given under one of its aliases to the input's name when it compiles the pipeline
 * (the task never sees the alias), and the agent's TaskRunner starts every input the task declares
 * from its defaultValue (trimmed; '' when it has none) and puts the step's values over them. Names
 * match case-insensitively. An input given twice (under its name and an alias, or two aliases) is
 * refused: one step can't say both.
 */
export function resolveInputs(
  definitions: InputDefinition[],
  given: Record<string, string>,
): Record<string, string> {
  const byName = new Map<string, InputDefinition>();
  for (const d of definitions)
    for (const n of [d.name, ...(d.aliases ?? [])]) byName.set(n.toLowerCase(), d);
  const resolved: Record<string, string> = {};
  for (const d of definitions) resolved[d.name] = String(d.defaultValue ?? '').trim();
  const givenAs = new Map<string, string>();
  for (const [key, value] of Object.entries(given)) {
    const d = byName.get(key.trim().toLowerCase());
    // Inputs the task does not declare reach it under the name given, as the agent passes them.
    const name = d?.name ?? key.trim();
    const earlier = givenAs.get(name.toLowerCase());
    if (earlier !== undefined)
      throw new Error(
        `Input '${name}' is given twice, as '${earlier}' and as '${key}': give it once.`,
      );
    givenAs.set(name.toLowerCase(), key);
    resolved[name] = value.trim();
  }
  return resolved;
}

/**
 * As the agent translates `filePath` inputs: rooted against the sources folder, so an empty one
 * becomes that folder (tasks tell "not given" by comparing with it, as task-lib's
 * `filePathSupplied` does).
 */
export function rootFilePathInputs(
  definitions: InputDefinition[],
  inputs: Record<string, string>,
  sourcesDirectory: string,
): void {
  for (const d of definitions) {
    if (d.type === 'filePath')
      inputs[d.name] = path.resolve(sourcesDirectory, inputs[d.name] ?? '');
  }
}

/**
 * INPUT_* variables: the agent upper-cases the name and replaces spaces and dots with underscores.
 */
export function inputEnv(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [
      `INPUT_${name.replace(/[ .]/g, '_').toUpperCase()}`,
      value,
    ]),
  );
}

/** Pipeline variables as environment variables (`Build.BuildId` -> BUILD_BUILDID). */
export function variableEnv(vars: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(vars).map(([name, value]) => [name.replace(/[ .]/g, '_').toUpperCase(), value]),
  );
}
