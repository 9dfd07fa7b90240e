// The core resource types: provider registration, user-assigned identities (and their tokens), role
// definitions/assignments/permissions, storage accounts on Azurite (keys, bearer tokens, user
// delegation SAS).
import * as assert from 'assert';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { StorageManagementClient } from '@azure/arm-storage';
import { ManagedIdentityCredential } from '@azure/identity';
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import * as fs from 'fs';
import { RunningSim, startSimulator, trustingStorageHttpClient } from './index';
import { roleAssignmentResource } from './resources/authorization';
import {
  armClientOptions,
  armToken,
  rawRequest,
  resourcesClient,
  spCredential,
} from './testSupport';

const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const STORAGE_BLOB_DATA_CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';

describe('simulator: core resource types', function () {
  this.timeout(20000);
  let sim: RunningSim;
  let sub: string;

  before(async () => {
    sim = await startSimulator({
      scenario: { providers: { 'Microsoft.Storage': 'NotRegistered' } },
    });
    sub = sim.info.subscriptionId;
    await resourcesClient(sim).resourceGroups.createOrUpdate('rg', { location: 'westeurope' });
  });
  after(async () => sim?.stop());

  it(
    'providers: an unregistered namespace answers MissingSubscriptionRegistration until ' +
      'registered',
    async () => {
      const storage = new StorageManagementClient(
        spCredential(sim.info),
        sub,
        armClientOptions(sim.info),
      );
      await assert.rejects(
        storage.storageAccounts.beginCreateAndWait('rg', 'acct0', {
          location: 'westeurope',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
        }),
        (e: any) => {
          assert.strictEqual(e.code, 'MissingSubscriptionRegistration');
          assert.strictEqual(
            e.message,
            "The subscription is not registered to use namespace 'Microsoft.Storage'. See " +
              'https://aka.ms/rps-not-found for how to register subscriptions.',
          );
          return true;
        },
      );
      const providers = resourcesClient(sim).providers;
      assert.strictEqual(
        (await providers.get('Microsoft.Storage')).registrationState,
        'NotRegistered',
      );
      assert.strictEqual(
        (await providers.register('Microsoft.Storage')).registrationState,
        'Registering',
      );
      for (
        let i = 0;
        i < 100 && (await providers.get('microsoft.storage')).registrationState !== 'Registered';
        i++
      )
        await new Promise((r) => setTimeout(r, 50));
      const p = await providers.get('Microsoft.Storage');
      assert.strictEqual(p.registrationState, 'Registered');
      assert.ok(p.resourceTypes!.some((t) => t.resourceType === 'storageAccounts'));
    },
  );

  it('user-assigned identities get ids and tokens from the managed identity endpoint', async () => {
    const msi = new ManagedServiceIdentityClient(
      spCredential(sim.info),
      sub,
      armClientOptions(sim.info),
    );
    const uai = await msi.userAssignedIdentities.createOrUpdate('rg', 'build-identity', {
      location: 'westeurope',
    });
    assert.match(uai.principalId!, /^[0-9a-f-]{36}$/);
    assert.match(uai.clientId!, /^[0-9a-f-]{36}$/);
    assert.strictEqual(uai.tenantId, sim.info.tenantId);
    const again = await msi.userAssignedIdentities.createOrUpdate('rg', 'build-identity', {
      location: 'westeurope',
      tags: { a: 'b' },
    });
    assert.strictEqual(again.principalId, uai.principalId, 'ids survive an update');
    const listed = [];
    for await (const x of msi.userAssignedIdentities.listBySubscription()) listed.push(x.name);
    assert.deepStrictEqual(listed, ['build-identity']);

    const saved = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = sim.info.msiAuthorityHost;
    try {
      const token = await armToken(sim, new ManagedIdentityCredential({ clientId: uai.clientId! }));
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      assert.strictEqual(claims.oid, uai.principalId);
      assert.strictEqual(claims.xms_mirid, uai.id);
    } finally {
      if (saved === undefined) delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
      else process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = saved;
    }
  });

  it('role definitions, role assignments ($filter) and permissions', async () => {
    const authz = new AuthorizationManagementClient(
      spCredential(sim.info),
      sub,
      armClientOptions(sim.info),
    );
    const rgScope = `/subscriptions/${sub}/resourceGroups/rg`;
    const contributor = [];
    for await (const d of authz.roleDefinitions.list(rgScope, {
      filter: "roleName eq 'Contributor'",
    }))
      contributor.push(d);
    assert.strictEqual(contributor.length, 1);
    assert.strictEqual(contributor[0].name, CONTRIBUTOR);
    assert.strictEqual(
      contributor[0].id,
      `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
    );

    const uai = await new ManagedServiceIdentityClient(
      spCredential(sim.info),
      sub,
      armClientOptions(sim.info),
    ).userAssignedIdentities.get('rg', 'build-identity');
    const name = '0c1f1e2d-3c4b-4a59-8687-98a9b0c1d2e3';
    const created = await authz.roleAssignments.create(rgScope, name, {
      roleDefinitionId: contributor[0].id,
      principalId: uai.principalId!,
      principalType: 'ServicePrincipal',
    });
    assert.strictEqual(created.scope, rgScope);
    await assert.rejects(
      authz.roleAssignments.create(rgScope, '1d2e3f40-3c4b-4a59-8687-98a9b0c1d2e3', {
        roleDefinitionId: contributor[0].id,
        principalId: uai.principalId!,
      }),
      /RoleAssignmentExists|The role assignment already exists/,
    );
    await assert.rejects(
      authz.roleAssignments.create(rgScope, '2e3f4051-3c4b-4a59-8687-98a9b0c1d2e3', {
        roleDefinitionId: contributor[0].id,
        principalId: '77777777-7777-4777-8777-777777777777',
      }),
      /PrincipalNotFound|does not exist in the directory/,
    );
    await authz.roleAssignments.create(
      `/subscriptions/${sub}`,
      '3f405162-3c4b-4a59-8687-98a9b0c1d2e3',
      {
        roleDefinitionId:
          `/subscriptions/${sub}/providers/Microsoft.Authorization` + `/roleDefinitions/${READER}`,
        principalId: uai.principalId!,
        principalType: 'ServicePrincipal',
      },
    );

    const atScope = [];
    for await (const a of authz.roleAssignments.listForScope(
      `${rgScope}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/build-identity`,
      { filter: 'atScope()' },
    ))
      atScope.push(a.name);
    assert.deepStrictEqual(atScope.sort(), [name, '3f405162-3c4b-4a59-8687-98a9b0c1d2e3'].sort());
    const forPrincipal = [];
    for await (const a of authz.roleAssignments.listForSubscription({
      filter: `principalId eq '${uai.principalId}'`,
    }))
      forPrincipal.push(a.name);
    assert.strictEqual(forPrincipal.length, 2, 'at, above and below the subscription');
    const forOther = [];
    for await (const a of authz.roleAssignments.listForSubscription({
      filter: `principalId eq '${sim.info.principals.sp.objectId}'`,
    }))
      forOther.push(a.name);
    assert.strictEqual(forOther.length, 0);

    const deleted = await authz.roleAssignments.delete(rgScope, name);
    assert.strictEqual(deleted.name, name);
    const gone = await rawRequest(
      sim,
      'GET',
      `${rgScope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`,
      { token: await armToken(sim) },
    );
    assert.strictEqual(gone.status, 404);
  });

  it("permissions: what the caller's assignments grant at a group or resource", async () => {
    const rgScope = `/subscriptions/${sub}/resourceGroups/rgp`;
    const s2 = await startSimulator({
      scenario: {
        rbac: true,
        resources: [
          { id: rgScope, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          roleAssignmentResource(rgScope, CONTRIBUTOR, sim.info.principals.sp.objectId, sub),
          roleAssignmentResource(
            `${rgScope}/providers/Microsoft.Storage/storageAccounts/acct`,
            STORAGE_BLOB_DATA_CONTRIBUTOR,
            sim.info.principals.sp.objectId,
            sub,
          ),
        ],
      },
    });
    try {
      const authz = new AuthorizationManagementClient(
        spCredential(s2.info),
        sub,
        armClientOptions(s2.info),
      );
      const rgPerms = [];
      for await (const p of authz.permissions.listForResourceGroup('rgp')) rgPerms.push(p);
      assert.strictEqual(rgPerms.length, 1);
      assert.deepStrictEqual(rgPerms[0].actions, ['*']);
      assert.ok(rgPerms[0].notActions!.includes('Microsoft.Authorization/*/Write'));
      const resPerms = [];
      for await (const p of authz.permissions.listForResource(
        'rgp',
        'Microsoft.Storage',
        '',
        'storageAccounts',
        'acct',
      ))
        resPerms.push(p);
      assert.strictEqual(resPerms.length, 2);
      assert.ok(
        resPerms.some((p) =>
          p.dataActions!.includes(
            'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
          ),
        ),
      );
    } finally {
      await s2.stop();
    }
  });

  it('using a user-assigned identity needs assign/action (LinkedAuthorizationFailed)', async () => {
    const appRg = `/subscriptions/${sub}/resourceGroups/app`;
    const idRg = `/subscriptions/${sub}/resourceGroups/ids`;
    const uaiId = `${idRg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shared`;
    const s2 = await startSimulator({
      scenario: {
        rbac: true,
        resources: [
          { id: appRg, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          { id: idRg, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          {
            id: uaiId,
            type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
            location: 'westeurope',
          },
          roleAssignmentResource(appRg, CONTRIBUTOR, sim.info.principals.sp.objectId, sub),
          roleAssignmentResource(idRg, READER, sim.info.principals.sp.objectId, sub),
        ],
      },
    });
    try {
      const uai = s2.state().resources.find((r) => r.id === uaiId)!;
      assert.match(uai.properties.principalId, /^[0-9a-f-]{36}$/, 'seeded identities get ids');
      const r = await rawRequest(
        s2,
        'PUT',
        `${appRg}/providers/Microsoft.Storage/storageAccounts/acctlinked?api-version=2023-05-01`,
        {
          token: await armToken(s2),
          body: {
            location: 'westeurope',
            kind: 'StorageV2',
            sku: { name: 'Standard_LRS' },
            identity: { type: 'UserAssigned', userAssignedIdentities: { [uaiId]: {} } },
          },
        },
      );
      assert.strictEqual(r.status, 403);
      assert.strictEqual(r.body.error.code, 'LinkedAuthorizationFailed');
      assert.strictEqual(
        r.body.error.message,
        `The client '${sim.info.principals.sp.clientId}' with object id ` +
          `'${sim.info.principals.sp.objectId}' has permission to perform action ` +
          `'Microsoft.Storage/storageAccounts/write' on scope ` +
          `'${appRg}/providers/Microsoft.Storage/storageAccounts/acctlinked'; however, it ` +
          `does not have permission to perform action(s) ` +
          `'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked ` +
          `scope(s) '${uaiId}' (respectively) or the linked scope(s) are invalid.`,
      );
    } finally {
      await s2.stop();
    }
  });

  it(
    'storage accounts: long-running create, Azurite blob endpoint, keys, bearer tokens and ' +
      'user delegation SAS',
    async () => {
      const storage = new StorageManagementClient(
        spCredential(sim.info),
        sub,
        armClientOptions(sim.info),
      );
      const create = await rawRequest(
        sim,
        'PUT',
        `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts` +
          `/stagingacct?api-version=2023-05-01`,
        {
          token: await armToken(sim),
          body: {
            location: 'westeurope',
            kind: 'StorageV2',
            sku: { name: 'Standard_LRS' },
            properties: { allowBlobPublicAccess: false, minimumTlsVersion: 'TLS1_2' },
          },
        },
      );
      assert.strictEqual(create.status, 202);
      assert.match(
        create.headers.location,
        /\/providers\/Microsoft\.Storage\/locations\/westeurope\/asyncoperations\//,
      );
      const acct = await storage.storageAccounts.beginCreateAndWait(
        'rg',
        'stagingacct',
        {
          location: 'westeurope',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
          allowBlobPublicAccess: false,
          minimumTlsVersion: 'TLS1_2',
        },
        { updateIntervalInMs: 10 },
      );
      assert.strictEqual(acct.provisioningState, 'Succeeded');
      assert.strictEqual(
        acct.primaryEndpoints!.blob,
        sim.info.blobEndpointTemplate.replace('{account}', 'stagingacct'),
      );
      assert.strictEqual(acct.allowBlobPublicAccess, false);
      assert.strictEqual(acct.minimumTlsVersion, 'TLS1_2');
      await assert.rejects(
        storage.storageAccounts.beginCreateAndWait('rg', 'Bad_Name', {
          location: 'westeurope',
          kind: 'StorageV2',
          sku: { name: 'Standard_LRS' },
        }),
        /AccountNameInvalid|is not a valid storage account name/,
      );
      assert.deepStrictEqual(
        await storage.storageAccounts.checkNameAvailability({
          name: 'stagingacct',
          type: 'Microsoft.Storage/storageAccounts',
        }),
        {
          nameAvailable: false,
          reason: 'AlreadyExists',
          message: 'The storage account named stagingacct is already taken.',
        },
      );

      const keys = await storage.storageAccounts.listKeys('rg', 'stagingacct');
      assert.strictEqual(keys.keys!.length, 2);
      const ca = fs.readFileSync(sim.info.caCertPath, 'utf8');
      const keyClient = new BlobServiceClient(
        acct.primaryEndpoints!.blob,
        new StorageSharedKeyCredential('stagingacct', keys.keys![0].value!),
        { httpClient: trustingStorageHttpClient(ca) },
      );
      await keyClient.getContainerClient('scripts').create();
      await keyClient
        .getContainerClient('scripts')
        .getBlockBlobClient('hello.sh')
        .upload('echo hello', 10);

      const bearer = new BlobServiceClient(acct.primaryEndpoints!.blob, spCredential(sim.info), {
        httpClient: trustingStorageHttpClient(ca),
      });
      const now = new Date(Date.now() - 60_000);
      const expires = new Date(Date.now() + 3600_000);
      const udk = await bearer.getUserDelegationKey(now, expires);
      const sas = generateBlobSASQueryParameters(
        {
          containerName: 'scripts',
          blobName: 'hello.sh',
          permissions: BlobSASPermissions.parse('r'),
          startsOn: now,
          expiresOn: expires,
          version: '2025-11-05',
        },
        udk,
        'stagingacct',
      ).toString();
      const anonymous = new BlobServiceClient(`${acct.primaryEndpoints!.blob}?${sas}`, undefined, {
        httpClient: trustingStorageHttpClient(ca),
      });
      const text = await anonymous
        .getContainerClient('scripts')
        .getBlobClient('hello.sh')
        .downloadToBuffer();
      assert.strictEqual(text.toString(), 'echo hello');

      // The simulator side reaches the same account.
      const fromSim = (
        await keyClient.getContainerClient('scripts').getBlobClient('hello.sh').getProperties()
      ).contentLength;
      assert.strictEqual(fromSim, 10);

      await storage.storageAccounts.delete('rg', 'stagingacct');
      await assert.rejects(
        keyClient.getContainerClient('scripts').getProperties(),
        (e: any) => e.statusCode === 404 || e.statusCode === 403,
      );
    },
  );
});
