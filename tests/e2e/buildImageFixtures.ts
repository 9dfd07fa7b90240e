// The world BuildImage's e2e tests build in, and what they read back from the simulator's state:
// inputs, identities and role assignments, scenarios, template-file pieces, the task's writes.
import * as assert from 'assert';
import { runTask, RunOptions, RunResult } from '../../scripts/runner/runner';
import type { RecordedRequest, RunningSim, Scenario, StateDump } from '../sim';
import { SIM_IDS, startSimulator } from '../sim';
import {
  baseResources,
  blobService,
  IMAGE_LINUX,
  IMAGE_WIN,
  RG,
  SUB,
  UAI,
} from '../sim/domain/support';

export const SUBSCRIPTION = `/subscriptions/${SUB}`;
const TEMPLATE_TYPE = 'Microsoft.VirtualMachineImages/imageTemplates';
const STORAGE_ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';
const IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';

// ---- Inputs

export const LINUX_URN = 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2';
export const WINDOWS_URN = 'MicrosoftWindowsDesktop:windows-11:win11-23h2-ent';
/** Where a build goes: the scenario's group and Image Builder identity; polled fast. */
export const COMMON = {
  location: 'westeurope',
  resourceGroup: 'rg-img',
  managedIdentity: 'aib-identity',
  pollInterval: '250ms',
};
export const LINUX = { ...COMMON, sourceImage: LINUX_URN, galleryImageDefinitionId: IMAGE_LINUX };
export const WINDOWS = { ...COMMON, sourceImage: WINDOWS_URN, galleryImageDefinitionId: IMAGE_WIN };
export const inline = (script: string) => ({ scriptSource: 'inline', inlineScript: script });

/** BuildImage's bundle through the runner, as an agent runs it, against `sim`. */
export const runBuildImage = (
  sim: RunningSim,
  inputs: Record<string, string>,
  options: Omit<RunOptions, 'task' | 'sim' | 'inputs'> = {},
) => runTask({ task: 'BuildImage', sim, inputs, ...options });

// ---- Identities, roles and scenarios

/** The service connection's principal. */
export const CONNECTION = SIM_IDS.sp;
/** The principal of aib-identity, Image Builder's identity in the scenarios that enforce RBAC. */
export const AIB_PRINCIPAL = '6f1e2d3c-4b5a-4987-8a6b-5c4d3e2f1a0b';
export const ROLES = {
  owner: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  identityOperator: 'f1a07417-d97a-45cb-824c-7a7467783830',
  blobReader: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  blobContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
};

let assignments = 0;
/** A role assignment a scenario starts with, under a GUID name of its own. */
export function assignment(scope: string, role: string, principalId: string) {
  assignments++;
  return {
    id:
      `${scope}/providers/Microsoft.Authorization/roleAssignments/` +
      `${String(assignments).padStart(8, '0')}-0000-4000-8000-000000000000`,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: `${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${role}`,
      principalId,
    },
  };
}

export const resourceGroup = (id: string) => ({
  id,
  type: 'Microsoft.Resources/resourceGroups',
  location: 'westeurope',
});

export const userAssignedIdentity = (id: string) => ({
  id,
  type: IDENTITY_TYPE,
  location: 'westeurope',
});

/** A user-assigned identity in rg-img for the build VM, its ids numbered by `n` (1 to 9). */
export const vmIdentity = (name: string, n: number) => ({
  ...userAssignedIdentity(`${RG}/providers/${IDENTITY_TYPE}/${name}`),
  properties: {
    principalId: `7a000000-0000-4000-8000-00000000000${n}`,
    clientId: `7c000000-0000-4000-8000-00000000000${n}`,
  },
});

/** A storage account in rg-img, as a team keeps its build artifacts in. */
export const storageAccount = (name: string) => ({
  id: `${RG}/providers/${STORAGE_ACCOUNT_TYPE}/${name}`,
  type: STORAGE_ACCOUNT_TYPE,
  name,
  location: 'westeurope',
  kind: 'StorageV2',
  sku: { name: 'Standard_LRS' },
});

/** The base resources (group, aib-identity, gallery, definitions); aib-identity has a principal. */
export function rbacResources(...extra: unknown[]): any[] {
  return [
    ...baseResources().map((r) =>
      r.id === UAI ? { ...r, properties: { principalId: AIB_PRINCIPAL } } : r,
    ),
    ...extra,
  ];
}

/** BuildImage's usual world: the base resources, simulated at 0.003 of real time. */
export function scenario(extra: Scenario = {}): Scenario {
  return { timeScale: 0.003, resources: baseResources(), ...extra };
}

/**
 * A simulator of `world` for the enclosing describe: started before its tests, stopped after them.
 */
export function simulatorFor(world: Scenario): { readonly sim: RunningSim } {
  let sim: RunningSim | undefined;
  before(async () => {
    sim = await startSimulator({ scenario: world });
  });
  after(async () => {
    await sim?.stop();
  });
  return {
    get sim() {
      assert.ok(sim, 'the simulator runs');
      return sim;
    },
  };
}

/**
 * RBAC enforced: the connection Owner of the subscription and uploading with its own token;
 * Image Builder's identity Contributor on rg-img, with no blob data role.
 */
export function rbacScenario(...extra: unknown[]): Scenario {
  return scenario({
    rbac: true,
    resources: rbacResources(
      assignment(SUBSCRIPTION, ROLES.owner, CONNECTION.objectId),
      assignment(SUBSCRIPTION, ROLES.blobContributor, CONNECTION.objectId),
      assignment(RG, ROLES.contributor, AIB_PRINCIPAL),
      ...extra,
    ),
  });
}

// ---- Template files

/** Ubuntu 22.04 from the marketplace, as a template file's `source` names it. */
export const UBUNTU_SOURCE = {
  type: 'PlatformImage',
  publisher: 'Canonical',
  offer: '0001-com-ubuntu-server-jammy',
  sku: '22_04-lts-gen2',
  version: 'latest',
};

/** An ARM deployment template (the public AIB quickstarts' shape) holding `resources`. */
export const armDeployment = (parameters: object, ...resources: object[]) => ({
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  parameters,
  resources,
});

// ---- The state read back

export const templates = (state: StateDump) =>
  state.resources.filter((x) => x.type === TEMPLATE_TYPE);

/** Whether the staging resource group Image Builder made for the template is still there. */
export const stagingGroupLeft = (state: StateDump, templateName: string) =>
  state.resources.some(
    (x) => x.type === 'Microsoft.Resources/resourceGroups' && x.id.includes(`_${templateName}_`),
  );

/** POST actions that only read (a storage account's keys, whether a name is free). */
const READS_BY_POST = /\/(listKeys|checkNameAvailability)(\?|$)/i;

/** What the requests from number `from` on changed: every one that is not a read or refused. */
export const writesSince = (state: StateDump, from: number): RecordedRequest[] =>
  state.requests
    .slice(from)
    .filter((q) => q.method !== 'GET' && q.status < 400 && !READS_BY_POST.test(q.path));

/** The template as sent (the body of the PUT that created it), from the simulator's record. */
export const sentTemplate = (r: RunResult) =>
  r.state.requests.find(
    (q) =>
      q.method === 'PUT' &&
      q.path.split('?')[0].endsWith(`/imageTemplates/${r.outputs.templateName}`) &&
      q.status < 300,
  );

/** The texts of the warnings the task logged. */
export const warnings = (r: RunResult) =>
  [...r.stdout.matchAll(/##vso\[task\.issue type=warning[^\]]*\](.*)/g)].map((m) => m[1]);

/** The task's own artifacts account (gipart…), which it makes in rg-img. */
export const ownArtifactsAccount = (state: StateDump) =>
  state.resources.find((x) => x.type === STORAGE_ACCOUNT_TYPE && x.name.startsWith('gipart'));

/** The blobs under `prefix` in the task's own artifacts container; none before it exists. */
export async function artifactBlobs(
  sim: RunningSim,
  state: StateDump,
  prefix = '',
): Promise<{ name: string; etag?: string }[]> {
  const account = ownArtifactsAccount(state);
  if (!account) return [];
  const blobs: { name: string; etag?: string }[] = [];
  for await (const b of (await blobService(sim, account.id))
    .getContainerClient('buildimage-artifacts')
    .listBlobsFlat({ prefix }))
    blobs.push({ name: b.name, etag: b.properties.etag });
  return blobs;
}
