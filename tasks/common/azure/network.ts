import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

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
 * The agent's proxy for a storage data-plane client (storage-blob takes its own proxy settings, not
 * pipeline policies), or undefined when there is none or the URL is on the bypass list. The agent's
 * CA file is not applied to these clients: only NODE_EXTRA_CA_CERTS reaches them.
 */
export function storageProxyOptions(
  settings: NetworkSettings,
  url: string,
): { host: string; port: number; username?: string; password?: string } | undefined {
  const proxy = settings.proxy;
  if (!proxy || proxy.bypass.some((pattern) => new RegExp(pattern, 'i').test(url)))
    return undefined;
  const parsed = new URL(proxy.url);
  return {
    host: `${parsed.protocol}//${parsed.hostname}`,
    port: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
    username: proxy.username,
    password: proxy.password,
  };
}
