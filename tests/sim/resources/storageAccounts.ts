// Microsoft.Storage/storageAccounts backed by Azurite: PUT is long-running (202 + Location, as the
// storage provider answers), the blob endpoint is the account's Azurite URL, keys are generated and
// registered with Azurite (listKeys, regenerateKey), and checkNameAvailability answers for the
// global namespace.
import { randomBytes } from 'crypto';
import { ArmError } from '../arm/errors';
import type { ArmRequest, ResourceTypeDef, SimModule, SimServices } from '../arm/framework';
import { buildResource } from '../arm/helpers';
import type { StoredResource } from '../arm/store';
import type { StorageAccountKeys } from '../storage/azurite';

export const STORAGE_ACCOUNT_TYPE = 'Microsoft.Storage/storageAccounts';
const NAME = /^[a-z0-9]{3,24}$/;

function newKey(): string {
  return randomBytes(64).toString('base64');
}

function invalidName(name: string): ArmError {
  return new ArmError(
    400,
    'AccountNameInvalid',
    `${name} is not a valid storage account name. Storage account name must be between 3 ` +
      `and 24 characters in length and use numbers and lower-case letters only.`,
  );
}

/** Fills what the storage service sets on an account (endpoints, defaults, creation time). */
function completeAccount(
  r: StoredResource,
  sim: SimServices,
  existing?: StoredResource,
): StoredResource {
  const p = r.properties ?? {};
  const created = existing?.properties?.creationTime ?? p.creationTime ?? new Date().toISOString();
  const kind = r.kind ?? 'StorageV2';
  r.kind = kind;
  r.sku = r.sku
    ? { tier: String(r.sku.name ?? '').startsWith('Premium') ? 'Premium' : 'Standard', ...r.sku }
    : { name: 'Standard_LRS', tier: 'Standard' };
  r.properties = {
    keyCreationTime: existing?.properties?.keyCreationTime ?? { key1: created, key2: created },
    allowCrossTenantReplication: false,
    minimumTlsVersion: 'TLS1_2',
    allowBlobPublicAccess: false,
    allowSharedKeyAccess: true,
    networkAcls: {
      bypass: 'AzureServices',
      virtualNetworkRules: [],
      ipRules: [],
      defaultAction: 'Allow',
    },
    supportsHttpsTrafficOnly: true,
    encryption: {
      services: {
        file: { keyType: 'Account', enabled: true, lastEnabledTime: created },
        blob: { keyType: 'Account', enabled: true, lastEnabledTime: created },
      },
      keySource: 'Microsoft.Storage',
    },
    ...(kind === 'StorageV2' || kind === 'BlobStorage' ? { accessTier: 'Hot' } : {}),
    ...p,
    creationTime: created,
    primaryEndpoints: { blob: sim.storage.endpointFor(r.name) },
    primaryLocation: r.location,
    statusOfPrimary: 'available',
  };
  return r;
}

function registerWithAzurite(r: StoredResource, sim: SimServices): void {
  const meta = sim.store.meta(r.id);
  if (!meta.keys) meta.keys = { key1: newKey(), key2: newKey() };
  sim.storage.addAccount(r.name, meta.keys);
}

function keysBody(r: StoredResource, keys: StorageAccountKeys): unknown {
  const t = r.properties?.keyCreationTime ?? {};
  return {
    keys: [
      { creationTime: t.key1, keyName: 'key1', value: keys.key1, permissions: 'FULL' },
      { creationTime: t.key2, keyName: 'key2', value: keys.key2, permissions: 'FULL' },
    ],
  };
}

function nameTaken(req: ArmRequest, name: string, exceptId?: string): boolean {
  return req.sim.store
    .list({ type: STORAGE_ACCOUNT_TYPE })
    .some(
      (a) =>
        a.name.toLowerCase() === name.toLowerCase() &&
        a.id.toLowerCase() !== exceptId?.toLowerCase(),
    );
}

const storageAccounts: ResourceTypeDef = {
  type: STORAGE_ACCOUNT_TYPE,
  apiVersions: ['2024-01-01', '2023-05-01', '2023-01-01', '2022-09-01'],
  requiredOnPut: ['sku.name', 'kind', 'location'],
  lro: {
    put: {
      header: 'Location',
      status: 202,
      locationSegment: 'asyncoperations',
      retryAfterSeconds: 17,
      durationMs: 20_000,
    },
  },
  beforePut(req) {
    const name = req.level!.name!;
    if (!NAME.test(name)) throw invalidName(name);
    if (nameTaken(req, name, req.level!.id))
      throw new ArmError(
        409,
        'StorageAccountAlreadyTaken',
        `The storage account named ${name} is already taken.`,
      );
  },
  build: (req, existing) =>
    completeAccount(buildResource(req, storageAccounts, existing), req.sim, existing),
  seed: (r, sim) => completeAccount(r, sim),
  onStored: registerWithAzurite,
  onDeleted: (r, sim) => sim.storage.removeAccount(r.name),
  actions: {
    listKeys: {
      run: (req, r) => ({ status: 200, body: keysBody(r, req.sim.store.meta(r.id).keys) }),
    },
    regenerateKey: {
      run: (req, r) => {
        const keyName = String(req.body?.keyName ?? '');
        if (keyName !== 'key1' && keyName !== 'key2')
          throw new ArmError(
            400,
            'InvalidValuesForRequestParameters',
            `Values for request parameters are invalid: keyName.`,
          );
        const meta = req.sim.store.meta(r.id);
        meta.keys = { ...meta.keys, [keyName]: newKey() };
        r.properties.keyCreationTime = {
          ...r.properties.keyCreationTime,
          [keyName]: new Date().toISOString(),
        };
        req.sim.storage.addAccount(r.name, meta.keys);
        return { status: 200, body: keysBody(r, meta.keys) };
      },
    },
  },
};

export const storageAccountsModule: SimModule = {
  name: 'storage accounts',
  register(r) {
    r.type(storageAccounts);
    r.route({
      method: 'POST',
      pattern: /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Storage\/checkNameAvailability$/i,
      namespace: 'Microsoft.Storage',
      authorize: (req) => ({
        action: 'Microsoft.Storage/checkNameAvailability/read',
        scope: `/subscriptions/${req.subscriptionId}`,
      }),
      handle: (req) => {
        const name = String(req.body?.name ?? '');
        if (!NAME.test(name))
          return {
            status: 200,
            body: {
              nameAvailable: false,
              reason: 'AccountNameInvalid',
              message: invalidName(name).message,
            },
          };
        if (nameTaken(req, name))
          return {
            status: 200,
            body: {
              nameAvailable: false,
              reason: 'AlreadyExists',
              message: `The storage account named ${name} is already taken.`,
            },
          };
        return { status: 200, body: { nameAvailable: true } };
      },
    });
  },
};
