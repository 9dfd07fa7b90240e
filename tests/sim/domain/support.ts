// Shared fixtures of the domain tests: a scenario with a resource group, an AIB identity, a gallery
// and image definitions, and SDK clients pointed at a started simulator.
import { ComputeManagementClient } from '@azure/arm-compute';
import { ContainerInstanceManagementClient } from '@azure/arm-containerinstance';
import { ImageBuilderClient } from '@azure/arm-imagebuilder';
import { StorageManagementClient } from '@azure/arm-storage';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import * as fs from 'fs';
import { trustingStorageHttpClient } from '../index';
import type { RunningSim, Scenario } from '../index';
import { SIM_IDS } from '../sim';
import { armClientOptions, spCredential } from '../testSupport';

export const SUB = SIM_IDS.subscriptionId;
export const RG = `/subscriptions/${SUB}/resourceGroups/rg-img`;
export const UAI = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib-identity`;
export const GALLERY = `${RG}/providers/Microsoft.Compute/galleries/gal`;
export const IMAGE_WIN = `${GALLERY}/images/win11`;
export const IMAGE_LINUX = `${GALLERY}/images/ubuntu`;

export function baseResources(): any[] {
  return [
    { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
    { id: UAI, type: 'Microsoft.ManagedIdentity/userAssignedIdentities', location: 'westeurope' },
    { id: GALLERY, type: 'Microsoft.Compute/galleries', location: 'westeurope', properties: {} },
    {
      id: IMAGE_WIN,
      type: 'Microsoft.Compute/galleries/images',
      location: 'westeurope',
      properties: {
        osType: 'Windows',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: { publisher: 'contoso', offer: 'win11', sku: 'ent' },
      },
    },
    {
      id: IMAGE_LINUX,
      type: 'Microsoft.Compute/galleries/images',
      location: 'westeurope',
      properties: {
        osType: 'Linux',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: { publisher: 'contoso', offer: 'ubuntu', sku: '2204' },
      },
    },
  ];
}

export function scenario(extra: Partial<Scenario> = {}): Scenario {
  return {
    timeScale: 0.001,
    ...extra,
    resources: [...baseResources(), ...(extra.resources ?? [])],
  };
}

export function clients(sim: RunningSim) {
  const cred = spCredential(sim.info);
  const opts = { ...armClientOptions(sim.info) };
  return {
    aib: new ImageBuilderClient(cred, SUB, opts),
    aci: new ContainerInstanceManagementClient(cred, SUB, opts),
    compute: new ComputeManagementClient(cred, SUB, opts),
  };
}

/** A blob client for a storage account, with its key read through listKeys (as a task could). */
export async function blobService(sim: RunningSim, accountId: string): Promise<BlobServiceClient> {
  const [, , , , rg, , , , name] = accountId.split('/');
  const storage = new StorageManagementClient(
    spCredential(sim.info),
    SUB,
    armClientOptions(sim.info),
  );
  const keys = await storage.storageAccounts.listKeys(rg, name);
  const ca = fs.readFileSync(sim.info.caCertPath, 'utf8');
  return new BlobServiceClient(
    sim.info.blobEndpointTemplate.replace('{account}', name),
    new StorageSharedKeyCredential(name, keys.keys![0].value!),
    { httpClient: trustingStorageHttpClient(ca) },
  );
}

/** A minimal Windows template as BuildImage would submit it. */
export function windowsTemplate(customize: any[], extra: any = {}): any {
  return {
    location: 'westeurope',
    identity: { type: 'UserAssigned', userAssignedIdentities: { [UAI]: {} } },
    source: {
      type: 'PlatformImage',
      publisher: 'MicrosoftWindowsDesktop',
      offer: 'windows-11',
      sku: 'win11-23h2-ent',
      version: 'latest',
    },
    customize,
    distribute: [
      {
        type: 'SharedImage',
        galleryImageId: IMAGE_WIN,
        runOutputName: 'sig',
        targetRegions: [
          { name: 'westeurope', replicaCount: 1 },
          { name: 'northeurope', replicaCount: 2 },
        ],
      },
    ],
    vmProfile: { vmSize: 'Standard_D4s_v5' },
    ...extra,
  };
}

/** Polls lastRunStatus until the run is terminal; returns the subStates seen in order. */
export async function waitForRun(
  aib: ImageBuilderClient,
  rg: string,
  name: string,
  timeoutMs = 15000,
): Promise<{ template: any; phases: string[] }> {
  const phases: string[] = [];
  const end = Date.now() + timeoutMs;
  for (;;) {
    const t = await aib.virtualMachineImageTemplates.get(rg, name);
    const s = t.lastRunStatus;
    if (s?.runSubState && phases[phases.length - 1] !== s.runSubState) phases.push(s.runSubState);
    if (s && ['Succeeded', 'PartiallySucceeded', 'Failed', 'Canceled'].includes(String(s.runState)))
      return { template: t, phases };
    if (Date.now() > end) throw new Error(`run did not finish: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
