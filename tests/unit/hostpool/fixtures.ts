import {
  HostState,
  HostTemplate,
  PoolState,
  TargetImage,
  VmState,
} from '../../../tasks/common/hostpool/state';
import { DEF, SUB } from '../gallery/fixtures';

export const POOL_RG = `/subscriptions/${SUB}/resourceGroups/rg-avd`;
export const POOL_ID = `${POOL_RG}/providers/Microsoft.DesktopVirtualization/hostPools/hp-prod`;
export const VNET = `${POOL_RG}/providers/Microsoft.Network/virtualNetworks/vnet-avd`;
export const SUBNET = `${VNET}/subnets/hosts`;
export const V100 = `${DEF}/versions/1.0.0`;
export const V101 = `${DEF}/versions/1.0.1`;

export function vm(name: string, extra: Partial<VmState> = {}): VmState {
  return {
    id: `${POOL_RG}/providers/Microsoft.Compute/virtualMachines/${name}`,
    subscriptionId: SUB,
    resourceGroup: 'rg-avd',
    name,
    location: 'westeurope',
    zones: [],
    imageVersionId: V100,
    imageId: V100,
    tags: {},
    parts: { nics: [], disks: [] },
    ...extra,
  };
}

export function host(name: string, sessions = 0, vmExtra: Partial<VmState> = {}): HostState {
  return {
    name: `${name}.corp.contoso.com`,
    status: 'Available',
    allowNewSession: true,
    sessions,
    vm: vm(name, vmExtra),
  };
}

export function pool(hosts: HostState[], extra: Partial<PoolState> = {}): PoolState {
  return {
    id: POOL_ID,
    subscriptionId: SUB,
    resourceGroup: 'rg-avd',
    name: 'hp-prod',
    location: 'westeurope',
    hostPoolType: 'Pooled',
    tags: {},
    hostIndex: 0,
    tokenCreated: false,
    hosts,
    unregistered: [],
    ...extra,
  };
}

export const TEMPLATE: HostTemplate = {
  source: 'VM avd-prod-3',
  resourceGroup: 'rg-avd',
  location: 'westeurope',
  vmSize: 'Standard_D4s_v5',
  subnetId: SUBNET,
  zones: [],
  securityType: 'TrustedLaunch',
  secureBoot: true,
  vTpm: true,
  osDiskType: 'Premium_LRS',
  osDiskSizeGB: 128,
  licenseType: 'Windows_Client',
  bootDiagnostics: { enabled: true },
  tags: { owner: 'euc' },
  adminUser: 'avdadmin',
  join: { type: 'entra', intuneEnroll: true },
  otherExtensions: ['MDE.Windows'],
  hyperVGeneration: 'V2',
};

export const TARGET: TargetImage = {
  versionId: V101,
  definitionId: DEF,
  version: '1.0.1',
  osType: 'Windows',
  hyperVGeneration: 'V2',
  securityType: 'TrustedLaunchSupported',
  regions: ['westeurope'],
};
