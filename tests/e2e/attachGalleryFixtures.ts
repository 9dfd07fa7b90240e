/**
 * AttachGalleryToDevCenter's e2e world, in the simulator's state-dump shape: dev centers (one with
 * a network connection in another region), a gallery with a compliant image, a Gen1 image and a
 * multi-session image, RBAC enforced with the connections' roles, and what the state says after.
 */
import { RunOptions, runTask } from '../../scripts/runner/runner';
import { RecordedRequest, RunningSim, Scenario, SIM_IDS, StateDump } from '../sim';

export const SUB = `/subscriptions/${SIM_IDS.subscriptionId}`;
export const RG = `${SUB}/resourceGroups/rg-devbox`;
export const DEVCENTER = `${RG}/providers/Microsoft.DevCenter/devcenters`;
export const GALLERY = `${RG}/providers/Microsoft.Compute/galleries/gal_devbox`;
const IMAGE = `${RG}/providers/Microsoft.Compute/images/img-devbox`;
export const DC_PRINCIPAL = 'dc000000-0000-4000-8000-000000000001';
export const DC_NET_PRINCIPAL = 'dc000000-0000-4000-8000-000000000002';
export const W365 = SIM_IDS.windows365.objectId;

export const ROLES = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
};

let assignments = 0;
function assignment(scope: string, role: string, principalId: string) {
  assignments++;
  return {
    id:
      `${scope}/providers/Microsoft.Authorization/roleAssignments/` +
      `${String(assignments).padStart(8, '0')}-0000-4000-8000-00000000d0b0`,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
      principalId,
    },
  };
}

function devCenter(name: string, principalId: string) {
  return {
    id: `${DEVCENTER}/${name}`,
    type: 'Microsoft.DevCenter/devcenters',
    location: 'westeurope',
    identity: { type: 'SystemAssigned', principalId, tenantId: SIM_IDS.tenantId },
    properties: {},
  };
}

function definition(name: string, o: { generation: string; offer: string; sku: string }) {
  return {
    id: `${GALLERY}/images/${name}`,
    type: 'Microsoft.Compute/galleries/images',
    location: 'westeurope',
    properties: {
      osType: 'Windows',
      osState: 'Generalized',
      hyperVGeneration: o.generation,
      features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
      identifier: { publisher: 'contoso', offer: o.offer, sku: o.sku },
    },
  };
}

function version(image: string, regions: string[]) {
  return {
    id: `${GALLERY}/images/${image}/versions/1.0.0`,
    type: 'Microsoft.Compute/galleries/images/versions',
    location: 'westeurope',
    properties: {
      storageProfile: { source: { id: IMAGE } },
      publishingProfile: { targetRegions: regions.map((name) => ({ name })) },
    },
  };
}

/** The world; `rbac` enforced: sp Owner, msi Contributor only, wif Owner without Graph rights. */
export function devBoxScenario(): Scenario {
  const nc = `${RG}/providers/Microsoft.DevCenter/networkConnections/nc-north`;
  return {
    timeScale: 0.005,
    rbac: true,
    resources: [
      { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
      devCenter('dc-main', DC_PRINCIPAL),
      devCenter('dc-net', DC_NET_PRINCIPAL),
      {
        id: nc,
        type: 'Microsoft.DevCenter/networkConnections',
        location: 'northeurope',
        properties: {
          domainJoinType: 'AzureADJoin',
          subnetId: `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-north/subnets/devboxes`,
        },
      },
      {
        id: `${DEVCENTER}/dc-net/attachednetworks/nc-north`,
        type: 'Microsoft.DevCenter/devcenters/attachednetworks',
        properties: { networkConnectionId: nc },
      },
      {
        id: IMAGE,
        type: 'Microsoft.Compute/images',
        location: 'westeurope',
        properties: {
          hyperVGeneration: 'V2',
          storageProfile: {
            osDisk: { osType: 'Windows', osState: 'Generalized', diskSizeGB: 64 },
          },
        },
      },
      { id: GALLERY, type: 'Microsoft.Compute/galleries', location: 'westeurope' },
      definition('win11-devbox', { generation: 'V2', offer: 'windows-11', sku: 'win11-24h2-ent' }),
      version('win11-devbox', ['westeurope']),
      definition('legacy-gen1', { generation: 'V1', offer: 'windows-10', sku: 'win10-22h2-ent' }),
      version('legacy-gen1', ['westeurope']),
      definition('win11-avd', { generation: 'V2', offer: 'windows-11', sku: 'win11-24h2-avd' }),
      version('win11-avd', ['westeurope', 'northeurope']),
      // A project of dc-main whose pool (Microsoft-hosted network) uses the definition the
      // Done-when test writes.
      {
        id: `${RG}/providers/Microsoft.DevCenter/projects/proj-a`,
        type: 'Microsoft.DevCenter/projects',
        location: 'westeurope',
        properties: { devCenterId: `${DEVCENTER}/dc-main` },
      },
      {
        id: `${RG}/providers/Microsoft.DevCenter/projects/proj-a/pools/pool-a`,
        type: 'Microsoft.DevCenter/projects/pools',
        location: 'westeurope',
        properties: {
          devBoxDefinitionName: 'win11-8c32gb',
          virtualNetworkType: 'Managed',
          networkConnectionName: 'managedNetwork',
          managedVirtualNetworkRegions: ['westeurope'],
          licenseType: 'Windows_Client',
          localAdministrator: 'Enabled',
        },
      },
      assignment(SUB, ROLES.owner, SIM_IDS.sp.objectId),
      assignment(SUB, ROLES.contributor, SIM_IDS.msi.objectId),
      assignment(SUB, ROLES.owner, SIM_IDS.wif.objectId),
    ],
    graph: { withheld: [{ principal: SIM_IDS.wif.objectId, permission: 'Application.Read.All' }] },
  };
}

/** AttachGalleryToDevCenter's bundle through the runner, as an agent runs it, against `sim`. */
export const runAttach = (
  sim: RunningSim,
  inputs: Record<string, string>,
  options: Omit<RunOptions, 'task' | 'sim' | 'inputs'> = {},
) =>
  runTask({
    task: 'AttachGalleryToDevCenter',
    sim,
    inputs: { pollInterval: '500ms', ...inputs },
    ...options,
  });

/** Every request from number `from` on that changed something (not a read, not refused). */
export const writesSince = (state: StateDump, from: number): RecordedRequest[] =>
  state.requests.slice(from).filter((q) => q.method !== 'GET' && q.status < 400);

/** Role assignments on the gallery for the principal and role, as the state shows them. */
export const rolesOnGallery = (state: StateDump, principalId: string, role: string) =>
  state.resources.filter(
    (r) =>
      r.type === 'Microsoft.Authorization/roleAssignments' &&
      r.id.toLowerCase().startsWith(`${GALLERY}/providers/`.toLowerCase()) &&
      r.properties?.principalId === principalId &&
      String(r.properties?.roleDefinitionId).endsWith(role),
  );
