// Helpers for the simulator's own tests: clients that trust the simulator's CA and authenticate as
// its principals.
import * as fs from 'fs';
import { ClientSecretCredential, TokenCredential } from '@azure/identity';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { HttpClient } from '@azure/core-rest-pipeline';
import { trustingHttpClient } from './core/trustingHttpClient';
import type { RunningSim, SimInfo } from './types';

export function simHttpClient(info: SimInfo): HttpClient {
  return trustingHttpClient(fs.readFileSync(info.caCertPath, 'utf8'));
}

/** Options every @azure/identity credential needs to reach the simulated Entra ID. */
export function credentialOptions(info: SimInfo) {
  return {
    authorityHost: info.authorityHost,
    disableInstanceDiscovery: true,
    httpClient: simHttpClient(info),
  };
}

export function spCredential(
  info: SimInfo,
  secret = info.principals.sp.secret,
): ClientSecretCredential {
  return new ClientSecretCredential(
    info.tenantId,
    info.principals.sp.clientId,
    secret,
    credentialOptions(info),
  );
}

/** Options for an ARM SDK client pointed at the simulator (fast retries for tests). */
export function armClientOptions(info: SimInfo) {
  return {
    endpoint: info.armUrl,
    credentialScopes: [`${info.armUrl}.default`],
    httpClient: simHttpClient(info),
    retryOptions: { maxRetries: 3, retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  };
}

export function resourcesClient(
  sim: RunningSim,
  credential: TokenCredential = spCredential(sim.info),
): ResourceManagementClient {
  return new ResourceManagementClient(
    credential,
    sim.info.subscriptionId,
    armClientOptions(sim.info),
  );
}

/**
 * A raw HTTPS request to the simulator (for checking exact status codes, headers and bodies);
 * `base` defaults to armUrl.
 */
export async function rawRequest(
  sim: RunningSim,
  method: string,
  pathAndQuery: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; base?: string } = {},
): Promise<{ status: number; headers: Record<string, string>; body: any }> {
  const client = simHttpClient(sim.info);
  const { createPipelineRequest, createHttpHeaders } = await import('@azure/core-rest-pipeline');
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await client.sendRequest(
    createPipelineRequest({
      url: (opts.base ?? sim.info.armUrl).replace(/\/$/, '') + pathAndQuery,
      method: method as any,
      headers: createHttpHeaders(headers),
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    }),
  );
  let body: any = res.bodyAsText;
  try {
    body = res.bodyAsText ? JSON.parse(res.bodyAsText) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers.toJSON(), body };
}

export async function armToken(
  sim: RunningSim,
  credential: TokenCredential = spCredential(sim.info),
): Promise<string> {
  return (await credential.getToken(`${sim.info.armUrl}.default`))!.token;
}

/**
 * A raw request to Microsoft Graph on the simulator: `pathAndQuery` relative to graphUrl
 * ("/v1.0/devices").
 */
export function graphRequest(
  sim: RunningSim,
  method: string,
  pathAndQuery: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  return rawRequest(sim, method, pathAndQuery, { ...opts, base: sim.info.graphUrl });
}

export async function graphToken(
  sim: RunningSim,
  credential: TokenCredential = spCredential(sim.info),
  scope = `${sim.info.graphUrl}.default`,
): Promise<string> {
  return (await credential.getToken(scope))!.token;
}

/** The claims of a JWT (no verification). */
export function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}
