/**
 * Microsoft Graph with the service connection's credential, at the Graph endpoint of the
 * connection's cloud: the few directory objects the tasks need (the Windows 365 service principal
 * for Dev Box, device records of removed session hosts). Requests get the same proxy, CA and retry
 * settings as Resource Manager calls (Retry-After honoured). Graph's permission errors name the
 * application permission the connection lacks, since that is what an administrator grants.
 */
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  HttpClient,
  Pipeline,
  PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import { errorOfBody } from './armErrors';
import { AzureContext } from './clients';
import { graphEndpoint } from './connection';

export interface ServicePrincipal {
  /** The object id (what role assignments name). */
  id: string;
  appId: string;
  displayName?: string;
}

export interface Device {
  /** The directory object id (what DELETE takes). */
  id: string;
  /** The device id the machine itself reports. */
  deviceId?: string;
  displayName: string;
  operatingSystem?: string;
  trustType?: string;
}

/** Which application permission each call needs, for the message when Graph refuses it. */
const PERMISSION = {
  readServicePrincipals: 'Application.Read.All',
  readDevices: 'Device.Read.All',
  deleteDevices: 'Device.ReadWrite.All',
} as const;

export class GraphClient {
  private readonly pipeline: Pipeline;
  private readonly http: HttpClient = createDefaultHttpClient();
  private readonly endpoint: string;

  constructor(azure: AzureContext) {
    const endpoint = graphEndpoint(azure.connection);
    if (!endpoint) {
      throw new Error(
        `The service connection's cloud (${azure.connection.environment}) has no Microsoft ` +
          `Graph endpoint this task knows: ` +
          'give the connection a microsoftGraphUrl, or do the directory step by hand.',
      );
    }
    this.endpoint = endpoint.replace(/\/+$/, '');
    const { retryOptions, userAgentOptions } = azure.clientOptions;
    this.pipeline = createPipelineFromOptions({ retryOptions, userAgentOptions });
    this.pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({
        credential: azure.credential,
        scopes: `${this.endpoint}/.default`,
      }),
    );
    if (azure.policy) this.pipeline.addPolicy(azure.policy);
  }

  /**
   * The tenant's service principal of an application (e.g. Windows 365's), or undefined when there
   * is none.
   */
  async servicePrincipalByAppId(
    appId: string,
    signal: AbortSignal,
  ): Promise<ServicePrincipal | undefined> {
    const page = await this.send<{ value: ServicePrincipal[] }>(
      'GET',
      `/v1.0/servicePrincipals?$filter=${odataEq('appId', appId)}&$select=id,appId,displayName`,
      PERMISSION.readServicePrincipals,
      signal,
    );
    return page.value[0];
  }

  /** Device records with this display name (a VM's computer name), every page. */
  async devicesByDisplayName(displayName: string, signal: AbortSignal): Promise<Device[]> {
    const devices: Device[] = [];
    const filter = odataEq('displayName', displayName);
    let path: string | undefined =
      `/v1.0/devices?$filter=${filter}&$select=id,deviceId,displayName,operatingSystem,trustType`;
    while (path) {
      const page: { value: Device[]; '@odata.nextLink'?: string } = await this.send(
        'GET',
        path,
        PERMISSION.readDevices,
        signal,
      );
      devices.push(...page.value);
      path = page['@odata.nextLink'];
    }
    return devices;
  }

  /** Deletes a device record by object id; one already gone is not an error. */
  async deleteDevice(id: string, signal: AbortSignal): Promise<void> {
    try {
      await this.send(
        'DELETE',
        `/v1.0/devices/${encodeURIComponent(id)}`,
        PERMISSION.deleteDevices,
        signal,
      );
    } catch (err) {
      if ((err as RestError).statusCode !== 404) throw err;
    }
  }

  private async send<T>(
    method: 'GET' | 'DELETE',
    pathOrUrl: string,
    permission: string,
    signal: AbortSignal,
  ): Promise<T> {
    const url = /^https:/i.test(pathOrUrl) ? pathOrUrl : `${this.endpoint}${pathOrUrl}`;
    const request = createPipelineRequest({
      url,
      method,
      abortSignal: signal,
      headers: createHttpHeaders({ accept: 'application/json' }),
    });
    const response = await this.pipeline.sendRequest(this.http, request);
    if (response.status >= 400) throw graphError(response, method, permission);
    return (response.bodyAsText ? JSON.parse(response.bodyAsText) : {}) as T;
  }
}

/** `appId eq '...'`, quotes doubled as OData escapes them, URL-encoded. */
function odataEq(property: string, value: string): string {
  return encodeURIComponent(`${property} eq '${value.replace(/'/g, "''")}'`);
}

function graphError(response: PipelineResponse, method: string, permission: string): RestError {
  const error = errorOfBody(response.bodyAsText);
  const code = error?.code;
  let message = error?.message
    ? `Microsoft Graph: ${error.message}`
    : `Microsoft Graph answered ${response.status} to ${method} ` +
      new URL(response.request.url).pathname;
  if (response.status === 403 || code === 'Authorization_RequestDenied') {
    message =
      `${message} The service connection's principal needs the Microsoft Graph application ` +
      `permission ${permission} ` +
      ('(granted by an administrator: App registrations > API permissions > Microsoft Graph ' +
        '> Application permissions, then Grant admin consent).');
  }
  return new RestError(message, {
    code,
    statusCode: response.status,
    request: response.request,
    response,
  });
}
