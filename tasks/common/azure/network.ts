import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import {
  toCompatResponse,
  type CompatResponse,
  type RequestPolicy,
  type WebResourceLike,
} from '@azure/core-http-compat';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type PipelinePolicy,
  type PipelineRequest,
} from '@azure/core-rest-pipeline';

/** The agent's proxy and certificate settings, as plain data. */
export interface NetworkSettings {
  proxy?: { url: string; username?: string; password?: string; bypass: string[] };
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  passphrase?: string;
}

/**
 * One policy, added to every SDK client and credential, that routes requests through the agent's
 * proxy (unless the URL matches its bypass list, which the agent gives as regular expressions) and
 * trusts its CA / presents its client certificate. Setting `request.agent` ourselves keeps proxy
 * and TLS options together: the SDK's own proxy policy drops TLS settings when a proxy is used.
 */
export function networkPolicy(settings: NetworkSettings): PipelinePolicy | undefined {
  const tls = tlsOptions(settings);
  if (!settings.proxy && !tls) return undefined;
  const direct = tls ? new https.Agent({ ...tls, keepAlive: true }) : undefined;
  let proxied: http.Agent | undefined;
  const proxy = settings.proxy;
  const bypass = (proxy?.bypass ?? []).map((pattern) => new RegExp(pattern, 'i'));
  return {
    name: 'agentNetworkPolicy',
    async sendRequest(request, next) {
      if (!request.agent) {
        if (proxy && !bypass.some((re) => re.test(request.url))) {
          proxied ??= new TlsProxyAgent(proxyUrl(proxy), tls);
          request.agent = proxied;
        } else if (direct) {
          request.agent = direct;
        }
      }
      return next(request);
    },
  };
}

/**
 * HttpsProxyAgent applies its own options to the proxy connection only; the target's TLS options
 * come from each request, which the SDK does not fill. This passes the agent's CA / client
 * certificate on to the tunnelled TLS connection.
 */
class TlsProxyAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly tls: https.AgentOptions | undefined,
  ) {
    super(proxy.href, { keepAlive: true });
  }

  override connect(
    req: http.ClientRequest,
    opts: Parameters<HttpsProxyAgent<string>['connect']>[1],
  ) {
    return super.connect(req, { ...opts, ...this.tls });
  }
}

function tlsOptions(s: NetworkSettings): https.AgentOptions | undefined {
  if (!s.caFile && !s.certFile) return undefined;
  return {
    ca: s.caFile ? fs.readFileSync(s.caFile) : undefined,
    cert: s.certFile ? fs.readFileSync(s.certFile) : undefined,
    key: s.keyFile ? fs.readFileSync(s.keyFile) : undefined,
    passphrase: s.passphrase,
  };
}

function proxyUrl(proxy: NonNullable<NetworkSettings['proxy']>): URL {
  const url = new URL(proxy.url);
  if (proxy.username) url.username = encodeURIComponent(proxy.username);
  if (proxy.password) url.password = encodeURIComponent(proxy.password);
  return url;
}

/**
 * Options for a storage data-plane client, whose requests go through the agent's network as
 * Resource Manager's do: proxy and bypass list, CA and client certificate. storage-blob takes no
 * pipeline policies and its own proxy settings drop TLS options, so the policy runs inside an
 * HTTP client of storage-blob's (older) shape.
 */
export function storageClientOptions(settings: NetworkSettings): { httpClient?: RequestPolicy } {
  const policy = networkPolicy(settings);
  if (!policy) return {};
  const inner = createDefaultHttpClient();
  return {
    httpClient: {
      async sendRequest(resource: WebResourceLike): Promise<CompatResponse> {
        const request = createPipelineRequest({
          url: resource.url,
          method: resource.method,
          headers: createHttpHeaders(resource.headers.toJson({ preserveCase: true })),
          body: resource.body as PipelineRequest['body'],
          abortSignal: resource.abortSignal,
          timeout: resource.timeout,
          streamResponseStatusCodes: resource.streamResponseStatusCodes,
          onUploadProgress: resource.onUploadProgress,
          onDownloadProgress: resource.onDownloadProgress,
        });
        const response = await policy.sendRequest(request, (r) => inner.sendRequest(r));
        // storage-blob's deserializer finds the operation through its own request object.
        return { ...toCompatResponse(response), request: resource };
      },
    },
  };
}
