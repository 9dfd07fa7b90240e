/**
 * Plain Resource Manager reads (GET, paged lists) for what has no SDK in this extension: subscriptions
 * and their locations, AVD host pools, dev centers. Requests go through an SDK client's pipeline, so
 * they get the same credential, retries (Retry-After honoured), proxy and CA settings as every call.
 */
import { ResourceManagementClient } from '@azure/arm-resources';
import { createPipelineRequest, RestError } from '@azure/core-rest-pipeline';
import { AzureContext } from '../azure/clients';

export class ArmReader {
  private readonly client: ResourceManagementClient;
  private readonly endpoint: string;

  constructor(azure: AzureContext) {
    this.client = new ResourceManagementClient(azure.credential, azure.subscriptionId, azure.clientOptions);
    this.endpoint = azure.clientOptions.endpoint.replace(/\/+$/, '');
  }

  async get<T>(path: string, apiVersion: string, signal: AbortSignal): Promise<T> {
    const sep = path.includes('?') ? '&' : '?';
    return this.send<T>(`${this.endpoint}${path}${sep}api-version=${apiVersion}`, signal);
  }

  /** Every item of a paged list, following nextLink. */
  async list<T>(path: string, apiVersion: string, signal: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    const sep = path.includes('?') ? '&' : '?';
    let url: string | undefined = `${this.endpoint}${path}${sep}api-version=${apiVersion}`;
    while (url) {
      const page: { value?: T[]; nextLink?: string } = await this.send(url, signal);
      items.push(...(page.value ?? []));
      url = page.nextLink || undefined;
    }
    return items;
  }

  private async send<T>(url: string, signal: AbortSignal): Promise<T> {
    const request = createPipelineRequest({ url, method: 'GET', abortSignal: signal });
    const response = await this.client.sendRequest(request);
    if (response.status >= 400) {
      let code: string | undefined;
      let message = `GET ${new URL(url).pathname} answered ${response.status}`;
      try {
        const body = JSON.parse(response.bodyAsText ?? '');
        code = body?.error?.code;
        message = body?.error?.message ?? message;
      } catch { /* not JSON */ }
      throw new RestError(message, { code, statusCode: response.status, request, response });
    }
    return (response.bodyAsText ? JSON.parse(response.bodyAsText) : {}) as T;
  }
}

/** An error that means "there is nothing of this kind here" rather than a failure. */
export function isAbsent(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: string };
  return e?.statusCode === 404 || /^(NoRegisteredProviderFound|InvalidResourceType|MissingSubscriptionRegistration|ResourceNotFound|ResourceGroupNotFound|NotFound)$/i.test(e?.code ?? '');
}

export function isForbidden(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: string };
  return e?.statusCode === 403 || /^(AuthorizationFailed|LinkedAuthorizationFailed)$/i.test(e?.code ?? '');
}
