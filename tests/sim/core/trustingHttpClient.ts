// Azure SDK HTTP clients that trust the simulator's CA. In-process clients cannot use
// NODE_EXTRA_CA_CERTS (read only when Node starts), so SDK clients get one of these as their
// `httpClient` option.
import * as https from 'https';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  HttpClient,
  PipelineRequest,
} from '@azure/core-rest-pipeline';
import {
  CompatResponse,
  RequestPolicy,
  toCompatResponse,
  WebResourceLike,
} from '@azure/core-http-compat';

/** For @azure/identity credentials and ARM clients (core-rest-pipeline HttpClient). */
export function trustingHttpClient(caPem: string): HttpClient {
  const agent = new https.Agent({ ca: caPem, keepAlive: true });
  const inner = createDefaultHttpClient();
  return {
    sendRequest(request: PipelineRequest) {
      if (request.url.startsWith('https:')) request.agent = agent;
      return inner.sendRequest(request);
    },
  };
}

/** For @azure/storage-blob clients, whose `httpClient` option is the older RequestPolicy shape. */
export function trustingStorageHttpClient(caPem: string): RequestPolicy {
  const inner = trustingHttpClient(caPem);
  return {
    async sendRequest(wr: WebResourceLike): Promise<CompatResponse> {
      const request = createPipelineRequest({
        url: wr.url,
        method: wr.method,
        headers: createHttpHeaders(wr.headers.toJson({ preserveCase: true })),
        body: wr.body as PipelineRequest['body'],
        abortSignal: wr.abortSignal,
        timeout: wr.timeout,
        streamResponseStatusCodes: wr.streamResponseStatusCodes,
        onUploadProgress: wr.onUploadProgress,
        onDownloadProgress: wr.onDownloadProgress,
      });
      // The response must carry the SDK's own request object: its deserializer finds the operation
      // through it.
      return { ...toCompatResponse(await inner.sendRequest(request)), request: wr };
    },
  };
}
