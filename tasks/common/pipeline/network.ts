import * as tl from 'azure-pipelines-task-lib/task';
import { NetworkSettings } from '../azure/network';
import { registerSecret } from './logger';

/** The agent's proxy and certificate settings (Agent.ProxyUrl, Agent.CAInfo, ...). */
export function agentNetworkSettings(): NetworkSettings {
  const proxy = tl.getHttpProxyConfiguration();
  const certs = tl.getHttpCertConfiguration();
  if (proxy?.proxyPassword) registerSecret(proxy.proxyPassword);
  if (certs?.passphrase) registerSecret(certs.passphrase);
  return {
    proxy: proxy
      ? {
          url: proxy.proxyUrl,
          username: proxy.proxyUsername,
          password: proxy.proxyPassword,
          bypass: proxy.proxyBypassHosts ?? [],
        }
      : undefined,
    caFile: certs?.caFile || undefined,
    certFile: certs?.certFile || undefined,
    keyFile: certs?.keyFile || undefined,
    passphrase: certs?.passphrase || undefined,
  };
}
