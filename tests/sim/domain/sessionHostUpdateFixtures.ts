// Automated host pools for the session host update tests: a pool with `managementType: Automated`,
// its session host configuration on gallery image 1.0.0, N hosts with VMs, and raw-request helpers
// for the preview operations.
import * as assert from 'assert';
import type { RunningSim } from '../index';
import { rawRequest } from '../testSupport';
import { IMAGE_WIN, RG } from './support';
import { SUBNET, VNET } from './vmFixtures';

export const PREVIEW = '?api-version=2024-08-08-preview';
export const V100 = `${IMAGE_WIN}/versions/1.0.0`;
export const V101 = `${IMAGE_WIN}/versions/1.0.1`;
export const poolId = (name: string) =>
  `${RG}/providers/Microsoft.DesktopVirtualization/hostPools/${name}`;

const version = (id: string) => ({
  id,
  type: 'Microsoft.Compute/galleries/images/versions',
  location: 'westeurope',
  properties: { publishingProfile: { targetRegions: [{ name: 'westeurope' }] } },
});

/** Image versions 1.0.0 and 1.0.1 (in westeurope) and the hosts' network. */
export function sharedResources(): any[] {
  return [
    version(V100),
    version(V101),
    {
      id: VNET,
      type: 'Microsoft.Network/virtualNetworks',
      location: 'westeurope',
      properties: {
        addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
        subnets: [{ name: 'hosts', properties: { addressPrefix: '10.0.1.0/24' } }],
      },
    },
  ];
}

export function configurationProperties(extra: any = {}): any {
  return {
    friendlyName: 'hosts',
    vmNamePrefix: 'avd',
    vmSizeId: 'Standard_D4s_v5',
    diskInfo: { type: 'StandardSSD_LRS' },
    imageInfo: { type: 'Custom', customInfo: { resourceId: V100 } },
    networkInfo: { subnetId: SUBNET },
    domainInfo: {
      joinType: 'AzureActiveDirectory',
      azureActiveDirectoryInfo: { mdmProviderGuid: '0000000a-0000-0000-c000-000000000000' },
    },
    securityInfo: { type: 'TrustedLaunch', secureBootEnabled: true, vTpmEnabled: true },
    vmAdminCredentials: {
      usernameKeyVaultSecretUri: 'https://kv1.vault.azure.net/secrets/adminuser',
      passwordKeyVaultSecretUri: 'https://kv1.vault.azure.net/secrets/adminpassword',
    },
    ...extra,
  };
}

/** An Automated pool `name` with its configuration and `hosts` hosts `<name>-<i>` on 1.0.0. */
export function automatedPool(
  name: string,
  hosts: number,
  opts: { sessions?: Record<number, string[]>; management?: any; configuration?: any } = {},
): any[] {
  const id = poolId(name);
  const out: any[] = [
    {
      id,
      type: 'Microsoft.DesktopVirtualization/hostPools',
      location: 'westeurope',
      properties: {
        hostPoolType: 'Pooled',
        loadBalancerType: 'BreadthFirst',
        preferredAppGroupType: 'Desktop',
        managementType: 'Automated',
      },
    },
    {
      id: `${id}/sessionHostConfigurations/default`,
      type: 'Microsoft.DesktopVirtualization/hostPools/sessionHostConfigurations',
      properties: configurationProperties(opts.configuration),
    },
  ];
  if (opts.management)
    out.push({
      id: `${id}/sessionHostManagements/default`,
      type: 'Microsoft.DesktopVirtualization/hostPools/sessionHostManagements',
      properties: opts.management,
    });
  for (let i = 0; i < hosts; i++) {
    const vm = `${RG}/providers/Microsoft.Compute/virtualMachines/${name}-${i}`;
    out.push(
      {
        id: vm,
        type: 'Microsoft.Compute/virtualMachines',
        location: 'westeurope',
        zones: ['1'],
        properties: {
          hardwareProfile: { vmSize: 'Standard_D4s_v5' },
          storageProfile: { imageReference: { id: V100 } },
        },
      },
      {
        id: `${id}/sessionHosts/${name}-${i}`,
        type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
        properties: { resourceId: vm },
      },
    );
    for (const [n, upn] of (opts.sessions?.[i] ?? []).entries())
      out.push({
        id: `${id}/sessionHosts/${name}-${i}/userSessions/${n + 1}`,
        type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions',
        properties: { userPrincipalName: upn, sessionState: 'Active' },
      });
  }
  return out;
}

/** Raw preview calls on one pool. */
export class PoolCalls {
  constructor(
    private readonly sim: RunningSim,
    private readonly token: string,
    readonly id: string,
  ) {}

  request(method: string, subPath: string, body?: unknown, query = PREVIEW) {
    return rawRequest(this.sim, method, `${this.id}${subPath}${query}`, {
      token: this.token,
      body,
    });
  }

  async initiate(body: any = {}): Promise<void> {
    const r = await this.request(
      'POST',
      '/sessionHostManagements/default/initiateSessionHostUpdate',
      body,
    );
    assert.strictEqual(r.status, 204, JSON.stringify(r.body));
  }

  async status(): Promise<any> {
    const r = await this.request(
      'GET',
      '/sessionHostManagements/default/sessionHostUpdateStatuses/default',
    );
    assert.strictEqual(r.status, 200, JSON.stringify(r.body));
    return r.body;
  }

  /** Sends a control action and follows its Location until it is done; the last answer. */
  async control(action: string, extra: any = {}): Promise<{ status: number; body: any }> {
    const r = await this.request(
      'POST',
      '/sessionHostManagements/default/controlSessionHostUpdate',
      {
        action,
        ...extra,
      },
    );
    if (r.status !== 202) return r;
    const location = new URL(r.headers.location);
    for (;;) {
      const p = await rawRequest(this.sim, 'GET', location.pathname + location.search, {
        token: this.token,
      });
      if (p.status !== 202) return p;
      await new Promise((res) => setTimeout(res, 10));
    }
  }

  /** Polls the status until `done`; returns it and every status seen, in order. */
  async waitFor(done: (s: any) => boolean, ms = 20_000): Promise<{ last: any; seen: string[] }> {
    const seen: string[] = [];
    const end = Date.now() + ms;
    for (;;) {
      const s = await this.status();
      if (seen[seen.length - 1] !== s.status) seen.push(s.status);
      if (done(s)) return { last: s, seen };
      if (Date.now() > end)
        throw new Error(`not reached: ${JSON.stringify(s)} after ${seen.join()}`);
      await new Promise((res) => setTimeout(res, 10));
    }
  }
}
