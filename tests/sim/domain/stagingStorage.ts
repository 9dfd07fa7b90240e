// The image builder's own storage account in the staging resource group (random 24-character name,
// as AIB names it), backed by an Azurite account, with the `packerlogs` container for build logs.
import { randomBytes } from 'crypto';
import type { SimServices } from '../arm/framework';
import type { StoredResource } from '../arm/store';
import { STORAGE_ACCOUNT_TYPE } from './externalFiles';

function randomAccountName(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(24);
  let s = alphabet[bytes[0] % 26];
  for (let i = 1; i < 24; i++) s += alphabet[bytes[i] % alphabet.length];
  return s;
}

/** The staging account in a group, if the builder made one there. */
export function stagingAccountIn(sim: SimServices, groupId: string): StoredResource | undefined {
  return sim.store
    .list({ type: STORAGE_ACCOUNT_TYPE, under: groupId })
    .find((r) => r.tags?.createdBy === 'AzureVMImageBuilder');
}

export async function ensureStagingAccount(
  sim: SimServices,
  groupId: string,
  location: string,
  tags: Record<string, string>,
): Promise<StoredResource> {
  const existing = stagingAccountIn(sim, groupId);
  if (existing && sim.storage.keys(existing.name)) return existing;
  // Created as a scenario account would be: the storage module completes it and registers it with
  // Azurite.
  const def = sim.types.get(STORAGE_ACCOUNT_TYPE);
  if (!def?.seed || !def.onStored)
    throw new Error(
      'the image builder needs the storage accounts module (Microsoft.Storage/storageAccounts)',
    );
  const name = randomAccountName();
  const doc = def.seed(
    {
      id: `${groupId}/providers/${STORAGE_ACCOUNT_TYPE}/${name}`,
      name,
      type: STORAGE_ACCOUNT_TYPE,
      location,
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS', tier: 'Standard' },
      tags: { ...tags, createdBy: 'AzureVMImageBuilder' },
      properties: {
        provisioningState: 'Succeeded',
        allowBlobPublicAccess: false,
        minimumTlsVersion: 'TLS1_2',
      },
    },
    sim,
  );
  const stored = sim.store.put(doc);
  def.onStored(stored, sim);
  await sim.storage.client(name).getContainerClient('packerlogs').createIfNotExists();
  return stored;
}
