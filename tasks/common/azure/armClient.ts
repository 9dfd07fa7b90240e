/**
 * Plain Resource Manager calls for what no SDK in this extension covers (subscriptions and their
 * locations, host pools' preview operations, dev centers: Dev Box has no npm SDK): reads, paged
 * lists, and writes (PUT, PATCH, POST actions, DELETE) that follow ARM's long-running operation
 * contract (Azure-AsyncOperation, Location, provisioningState in the body) through @azure/core-lro,
 * the poller the generated SDKs use. Each call names its api-version. Requests go through an SDK
 * client's pipeline, so they get the same credential, retries (Retry-After honoured), proxy and CA
 * settings as every other call.
 */
import { ResourceManagementClient } from '@azure/arm-resources';
import { createHttpPoller, OperationResponse, OperationState } from '@azure/core-lro';
import {
  createHttpHeaders,
  createPipelineRequest,
  PipelineResponse,
  RestError,
} from '@azure/core-rest-pipeline';
import { errorOfBody } from './armErrors';
import { AzureContext } from './clients';

export type WriteMethod = 'PUT' | 'PATCH' | 'POST' | 'DELETE';

export interface ArmClientOptions {
  /** Wait between polls of a long-running operation when the service gives no Retry-After. */
  pollIntervalMs?: number;
}

const DEFAULT_POLL_MS = 10_000;

export class ArmClient {
  private readonly client: ResourceManagementClient;
  private readonly endpoint: string;
  private readonly pollIntervalMs: number;

  constructor(azure: AzureContext, options: ArmClientOptions = {}) {
    this.client = new ResourceManagementClient(
      azure.credential,
      azure.subscriptionId,
      azure.clientOptions,
    );
    this.endpoint = azure.clientOptions.endpoint.replace(/\/+$/, '');
    this.pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  }

  async get<T>(path: string, apiVersion: string, signal: AbortSignal): Promise<T> {
    return parse<T>(await this.send('GET', this.url(path, apiVersion), signal));
  }

  /** Every item of a paged list, following nextLink. */
  async list<T>(path: string, apiVersion: string, signal: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    let url: string | undefined = this.url(path, apiVersion);
    while (url) {
      const page: { value?: T[]; nextLink?: string } = parse(await this.send('GET', url, signal));
      items.push(...(page.value ?? []));
      url = page.nextLink || undefined;
    }
    return items;
  }

  /**
   * Creates or replaces a resource and waits until it is provisioned; returns it as a GET would.
   */
  put<T>(path: string, apiVersion: string, body: unknown, signal: AbortSignal): Promise<T> {
    return this.write<T>('PUT', path, apiVersion, body, signal);
  }

  /** Updates a resource (JSON merge patch) and waits until it is provisioned. */
  patch<T>(path: string, apiVersion: string, body: unknown, signal: AbortSignal): Promise<T> {
    return this.write<T>('PATCH', path, apiVersion, body, signal);
  }

  /**
   * Runs a POST action (`.../start`, `.../initiateSessionHostUpdate`) to its end; its result, if
   * any.
   */
  post<T>(
    path: string,
    apiVersion: string,
    body: unknown,
    signal: AbortSignal,
  ): Promise<T | undefined> {
    return this.write<T | undefined>('POST', path, apiVersion, body, signal);
  }

  /**
   * A PUT or PATCH that waits until the resource is provisioned but does not read it back: one
   * request less than {@link put} / {@link patch} (ARM's final GET), for writes whose result the
   * caller does not need. A failed or canceled operation still throws.
   */
  async apply(
    method: 'PUT' | 'PATCH',
    path: string,
    apiVersion: string,
    body: unknown,
    signal: AbortSignal,
  ): Promise<void> {
    await this.write(method, path, apiVersion, body, signal, { skipFinalGet: true });
  }

  /** Deletes a resource and waits until it is gone; one already gone is not an error. */
  async delete(path: string, apiVersion: string, signal: AbortSignal): Promise<void> {
    try {
      await this.write('DELETE', path, apiVersion, undefined, signal);
    } catch (err) {
      if ((err as RestError).statusCode !== 404) throw err;
    }
  }

  private async write<T>(
    method: WriteMethod,
    path: string,
    apiVersion: string,
    body: unknown,
    signal: AbortSignal,
    options: { skipFinalGet?: boolean } = {},
  ): Promise<T> {
    const url = this.url(path, apiVersion);
    const poller = createHttpPoller<T, OperationState<T>>(
      {
        sendInitialRequest: async () =>
          operationResponse(method, url, body, await this.send(method, url, signal, body)),
        sendPollRequest: async (pollUrl) =>
          operationResponse('GET', pollUrl, undefined, await this.send('GET', pollUrl, signal)),
      },
      {
        intervalInMs: this.pollIntervalMs,
        // ARM's contract: a POST's result is at Location; a PUT's or PATCH's is the resource
        // itself.
        resourceLocationConfig: method === 'POST' ? 'location' : undefined,
        skipFinalGet: options.skipFinalGet,
      },
    );
    return poller.pollUntilDone({ abortSignal: signal });
  }

  private url(path: string, apiVersion: string): string {
    return `${this.endpoint}${path}${path.includes('?') ? '&' : '?'}api-version=${apiVersion}`;
  }

  private async send(
    method: string,
    url: string,
    signal: AbortSignal,
    body?: unknown,
  ): Promise<PipelineResponse> {
    const request = createPipelineRequest({
      url,
      method: method as 'GET',
      abortSignal: signal,
      headers: createHttpHeaders(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const response = await this.client.sendRequest(request);
    if (response.status >= 400) {
      const error = errorOfBody(response.bodyAsText);
      const message =
        error?.message ?? `${method} ${new URL(url).pathname} answered ${response.status}`;
      throw new RestError(message, {
        code: error?.code,
        statusCode: response.status,
        request,
        response,
      });
    }
    return response;
  }
}

function bodyOf(response: PipelineResponse): unknown {
  return response.bodyAsText ? (JSON.parse(response.bodyAsText) as unknown) : undefined;
}

function parse<T>(response: PipelineResponse): T {
  return (bodyOf(response) ?? {}) as T;
}

function operationResponse(
  method: string,
  url: string,
  requestBody: unknown,
  response: PipelineResponse,
): OperationResponse {
  const body = bodyOf(response);
  return {
    flatResponse: body,
    rawResponse: {
      statusCode: response.status,
      request: { method, url, body: requestBody },
      headers: response.headers.toJSON(),
      body,
    },
  };
}
