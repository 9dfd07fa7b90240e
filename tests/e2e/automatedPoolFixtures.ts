/**
 * UpdateHostPool's Automated worlds (issue 13): a pool made with a session host configuration
 * (`managementType: Automated`) on gallery image 1.0.0, its saved update settings and N hosts with
 * VMs, beside the Standard worlds' image side (hostPoolFixtures.ts: 1.0.0, and 1.0.1 replicated to
 * westeurope); and what the tests read back: the preview requests the task sent, the hosts' images.
 */
import { Scenario, SessionHostUpdateBehaviourSpec, StateDump, StateResource } from '../sim';
import { CURRENT, imageResources, PoolWorld, REGION, rgId, TARGET } from './hostPoolFixtures';

export const PREVIEW_API = '2024-08-08-preview';

/** The update settings each Automated pool has saved (AVD keeps them in sessionHostManagements). */
export const SAVED_SETTINGS = {
  deleteOriginalVm: false,
  maxVmsRemoved: 1,
  logOffDelayMinutes: 0,
  logOffMessage: 'Saved message: this host is being updated.',
};

/** An Automated pool `hp-<key>` in `rg-<key>`, its configuration on 1.0.0 and its hosts. */
export class AutomatedWorld {
  readonly rg: string;
  readonly poolName: string;
  readonly pool: string;
  readonly subnet: string;

  /**
   * `sessions`: indexes of hosts with a signed-in user (Azure's update waits the log-off delay on
   * them).
   */
  constructor(
    readonly key: string,
    readonly hosts: number,
    readonly sessions: number[] = [],
  ) {
    this.rg = rgId(`rg-${key}`);
    this.poolName = `hp-${key}`;
    this.pool = `${this.rg}/providers/Microsoft.DesktopVirtualization/hostPools/${this.poolName}`;
    const vnet = `${this.rg}/providers/Microsoft.Network/virtualNetworks/vnet-${key}`;
    this.subnet = `${vnet}/subnets/hosts`;
  }

  vm(i: number): string {
    return `${this.rg}/providers/Microsoft.Compute/virtualMachines/${this.key}-${i}`;
  }

  resources(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [
      { id: this.rg, type: 'Microsoft.Resources/resourceGroups', location: REGION },
      {
        id: this.subnet.replace(/\/subnets\/hosts$/, ''),
        type: 'Microsoft.Network/virtualNetworks',
        location: REGION,
        properties: {
          addressSpace: { addressPrefixes: ['10.30.0.0/16'] },
          subnets: [{ name: 'hosts', properties: { addressPrefix: '10.30.1.0/24' } }],
        },
      },
      {
        id: this.pool,
        type: 'Microsoft.DesktopVirtualization/hostPools',
        location: REGION,
        properties: {
          hostPoolType: 'Pooled',
          loadBalancerType: 'BreadthFirst',
          preferredAppGroupType: 'Desktop',
          maxSessionLimit: 10,
          managementType: 'Automated',
        },
      },
      {
        id: `${this.pool}/sessionHostConfigurations/default`,
        type: 'Microsoft.DesktopVirtualization/hostPools/sessionHostConfigurations',
        properties: {
          friendlyName: 'golden image hosts',
          vmNamePrefix: this.key.slice(0, 11),
          vmSizeId: 'Standard_D4s_v5',
          diskInfo: { type: 'Premium_LRS' },
          imageInfo: { type: 'Custom', customInfo: { resourceId: CURRENT } },
          networkInfo: { subnetId: this.subnet },
          domainInfo: {
            joinType: 'AzureActiveDirectory',
            azureActiveDirectoryInfo: { mdmProviderGuid: '0000000a-0000-0000-c000-000000000000' },
          },
          securityInfo: { type: 'TrustedLaunch', secureBootEnabled: true, vTpmEnabled: true },
          vmAdminCredentials: {
            usernameKeyVaultSecretUri: 'https://kv-avd.vault.azure.net/secrets/adminuser',
            passwordKeyVaultSecretUri: 'https://kv-avd.vault.azure.net/secrets/adminpassword',
          },
        },
      },
      {
        id: `${this.pool}/sessionHostManagements/default`,
        type: 'Microsoft.DesktopVirtualization/hostPools/sessionHostManagements',
        properties: { scheduledDateTimeZone: 'UTC', update: { ...SAVED_SETTINGS } },
      },
    ];
    for (let i = 0; i < this.hosts; i++)
      out.push(
        {
          id: this.vm(i),
          type: 'Microsoft.Compute/virtualMachines',
          location: REGION,
          zones: [String((i % 2) + 1)],
          properties: {
            hardwareProfile: { vmSize: 'Standard_D4s_v5' },
            storageProfile: { imageReference: { id: CURRENT, exactVersion: '1.0.0' } },
          },
        },
        {
          id: `${this.pool}/sessionHosts/${this.key}-${i}`,
          type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
          properties: { resourceId: this.vm(i), status: 'Available', allowNewSession: true },
        },
      );
    for (const i of this.sessions)
      out.push({
        id: `${this.pool}/sessionHosts/${this.key}-${i}/userSessions/1`,
        type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions',
        properties: { userPrincipalName: `user${i}@contoso.com`, sessionState: 'Active' },
      });
    return out;
  }

  /** Inputs of a rollout of this pool onto 1.0.1, polling fast. */
  inputs(extra: Record<string, string> = {}): Record<string, string> {
    return {
      hostPool: this.poolName,
      resourceGroup: `rg-${this.key}`,
      image: TARGET,
      pollInterval: '1s',
      ...extra,
    };
  }
}

/** The image side, these Automated pools and any Standard ones, at a time scale fit for e2e. */
export function automatedScenario(
  worlds: AutomatedWorld[],
  extra: { standard?: PoolWorld[]; behaviour?: SessionHostUpdateBehaviourSpec[] } = {},
): Scenario {
  return {
    timeScale: 0.001,
    resources: [
      ...imageResources(),
      ...worlds.flatMap((w) => w.resources()),
      ...(extra.standard ?? []).flatMap((p) => p.resources()),
    ],
    ...(extra.behaviour ? { sessionHostUpdateBehaviour: extra.behaviour } : {}),
  };
}

const lower = (s: string) => s.toLowerCase();

/** Requests under `pool` sent with the preview api-version, as `METHOD subpath`. */
export function previewCalls(state: StateDump, pool: string): string[] {
  return state.requests
    .filter(
      (r) => lower(r.path).startsWith(lower(pool)) && r.path.includes(`api-version=${PREVIEW_API}`),
    )
    .map((r) => `${r.method} ${r.path.split('?')[0].slice(pool.length) || '/'}`);
}

/** The bodies of requests to `subPath` under `pool` (POST actions, PATCHes). */
export function bodiesOf(state: StateDump, pool: string, method: string, subPath: string) {
  return state.requests
    .filter(
      (r) => r.method === method && lower(r.path.split('?')[0]) === lower(`${pool}${subPath}`),
    )
    .map((r) => r.body as Record<string, any>);
}

/** The pool's session hosts with the image their VM runs. */
export function hostImages(state: StateDump, pool: string): { host: string; image?: string }[] {
  const byId = new Map(state.resources.map((r) => [lower(r.id), r] as const));
  return state.resources
    .filter(
      (r) =>
        lower(r.type) === 'microsoft.desktopvirtualization/hostpools/sessionhosts' &&
        lower(r.id).startsWith(`${lower(pool)}/`),
    )
    .map((h: StateResource) => ({
      host: h.name,
      image: byId.get(lower(String(h.properties?.resourceId ?? '')))?.properties?.storageProfile
        ?.imageReference?.id as string | undefined,
    }));
}

export const UPDATE_STATUS = '/sessionHostManagements/default/sessionHostUpdateStatuses/default';
export const INITIATE = '/sessionHostManagements/default/initiateSessionHostUpdate';
export const CONTROL = '/sessionHostManagements/default/controlSessionHostUpdate';
export const CONFIGURATION = '/sessionHostConfigurations/default';
