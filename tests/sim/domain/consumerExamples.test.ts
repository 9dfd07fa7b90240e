// The official examples of the AVD host pool / session host / user session operations, the Dev Box
// dev center / attached gallery / dev box definition operations and gallery direct sharing, sent to
// a running simulator in a sensible order (placeholders and the examples' inconsistent ids replaced
// by ids that exist): each must be accepted and its operation complete.
import * as assert from 'assert';
import * as path from 'path';
import { specsRoot } from '../contracts';
import { RunningSim, startSimulator } from '../index';
import { armToken } from '../testSupport';
import { ExampleReplayer } from './exampleReplay';
import { SUB } from './support';

const SPEC = path.join(specsRoot(), 'azure-rest-api-specs', 'specification');
const AVD_SPEC = path.join(
  SPEC,
  'desktopvirtualization/resource-manager/Microsoft.DesktopVirtualization/stable/2024-04-03' +
    '/desktopvirtualization.json',
);
const DEVCENTER_SPEC = path.join(
  SPEC,
  'devcenter/resource-manager/Microsoft.DevCenter/stable/2024-02-01/devcenter.json',
);
const GALLERY_SPEC = path.join(
  SPEC,
  'compute/resource-manager/Microsoft.Compute/GalleryRP/stable/2024-03-03/gallery.json',
);

const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
const AVD_RG = rg('resourceGroup1');
const HOST_POOL = `${AVD_RG}/providers/Microsoft.DesktopVirtualization/hostPools/hostPool1`;
const SESSION_HOST = `${HOST_POOL}/sessionHosts/sessionHost1.microsoft.com`;
const DC_RG = rg('rg1');
const STANDARD_GALLERY = `${DC_RG}/providers/Microsoft.Compute/galleries/StandardGallery`;
const devBoxImage = {
  osType: 'Windows',
  osState: 'Generalized',
  hyperVGeneration: 'V2',
  features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
  identifier: { publisher: 'contoso', offer: 'devbox', sku: 'win11-ent' },
};

const resources = [
  { id: AVD_RG, type: 'Microsoft.Resources/resourceGroups', location: 'centralus' },
  {
    id: HOST_POOL,
    type: 'Microsoft.DesktopVirtualization/hostPools',
    location: 'centralus',
    properties: {
      hostPoolType: 'Pooled',
      loadBalancerType: 'BreadthFirst',
      preferredAppGroupType: 'Desktop',
    },
  },
  {
    id: `${AVD_RG}/providers/Microsoft.Compute/virtualMachines/sessionHost1`,
    type: 'Microsoft.Compute/virtualMachines',
    location: 'centralus',
    properties: { storageProfile: { osDisk: { osType: 'Windows' } } },
  },
  {
    id: SESSION_HOST,
    type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
    properties: {
      resourceId: `${AVD_RG}/providers/Microsoft.Compute/virtualMachines/sessionHost1`,
      assignedUser: 'user1@microsoft.com',
    },
  },
  ...['1', '2'].map((id) => ({
    id: `${SESSION_HOST}/userSessions/${id}`,
    type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions',
    properties: {
      userPrincipalName: 'user1@microsoft.com',
      activeDirectoryUserName: 'WVDARM\\user1',
    },
  })),
  { id: DC_RG, type: 'Microsoft.Resources/resourceGroups', location: 'centralus' },
  { id: rg('identityGroup'), type: 'Microsoft.Resources/resourceGroups', location: 'centralus' },
  {
    id:
      `${rg('identityGroup')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities` +
      `/testidentity1`,
    type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
    location: 'centralus',
  },
  { id: STANDARD_GALLERY, type: 'Microsoft.Compute/galleries', location: 'centralus' },
  {
    id: `${STANDARD_GALLERY}/images/exampleImage`,
    type: 'Microsoft.Compute/galleries/images',
    location: 'centralus',
    properties: devBoxImage,
  },
  ...['1.0.0', '2.0.0'].map((v) => ({
    id: `${STANDARD_GALLERY}/images/exampleImage/versions/${v}`,
    type: 'Microsoft.Compute/galleries/images/versions',
    location: 'centralus',
    properties: { publishingProfile: { targetRegions: [{ name: 'centralus' }] } },
  })),
  { id: rg('myResourceGroup'), type: 'Microsoft.Resources/resourceGroups', location: 'westus' },
];

describe('simulator: official examples of AVD, Dev Box and gallery sharing', function () {
  this.timeout(60000);
  let sim: RunningSim;
  let token: string;
  const replayers: ExampleReplayer[] = [];
  const replayer = (spec: string, substitute: (t: string) => string) => {
    const r = new ExampleReplayer(sim, token, spec, substitute);
    replayers.push(r);
    return r;
  };
  before(async () => {
    sim = await startSimulator({ scenario: { timeScale: 0.0005, resources } });
    token = await armToken(sim);
  });
  after(async () => {
    console.log(
      `      official examples sent to the simulator: ` +
        `${replayers.reduce((n, r) => n + r.count, 0)}`,
    );
    await sim?.stop();
  });

  it(
    'AVD: host pool CRUD and lists, registration tokens, session hosts, user sessions ' +
      '(message, disconnect, sign out), deletes with force',
    async () => {
      // AVD refuses a token expiring outside 1 hour-30 days from now: the examples' 2020 times
      // become times a day (create) and two days (update) ahead.
      const inDays = (d: number) => new Date(Date.now() + d * 86400_000).toISOString();
      const [created, updated] = [inDays(1), inDays(2)];
      const avd = replayer(AVD_SPEC, (t) =>
        t
          .replace(/daefabc0-95b4-48b3-b645-8a753a63c4fa/g, SUB)
          .replace(/2020-10-01T14:01:54\.9571247Z/g, created)
          .replace(/2020-10-01T15:01:54\.9571247Z/g, updated),
      );
      await avd.send('HostPool_Create.json', { status: 200 });
      const got = await avd.send('HostPool_Get.json');
      assert.strictEqual(got.body.properties.vmTemplate, '{json:json}');
      assert.strictEqual(
        got.body.properties.registrationInfo.token,
        undefined,
        'GET does not show the token',
      );
      await avd.send('HostPool_Update.json');
      assert.strictEqual((await avd.send('HostPool_List.json')).body.value.length, 1);
      assert.strictEqual(
        (await avd.send('HostPool_ListByResourceGroup.json')).body.value.length,
        1,
      );
      const token1 = (await avd.send('HostPools_RetrieveRegistrationToken_Post.json')).body;
      assert.match(token1.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
      assert.strictEqual(token1.expirationTime, updated, 'the expiration the update set');
      assert.deepStrictEqual(
        (await avd.send('HostPools_ListRegistrationToken_Post.json')).body.value,
        [{ expirationTime: token1.expirationTime, token: token1.token }],
      );
      assert.strictEqual((await avd.send('SessionHost_Get.json')).body.properties.sessions, 2);
      assert.strictEqual((await avd.send('SessionHost_List.json')).body.value.length, 1);
      assert.strictEqual(
        (await avd.send('SessionHost_Update.json')).body.properties.friendlyName,
        'friendly',
      );
      await avd.send('UserSession_Get.json');
      assert.strictEqual((await avd.send('UserSession_List.json')).body.value.length, 2);
      assert.strictEqual((await avd.send('UserSession_ListByHostPool.json')).body.value.length, 2);
      await avd.send('UserSession_SendMessage_Post.json');
      await avd.send('UserSession_Disconnect_Post.json');
      assert.strictEqual(
        (await avd.send('UserSession_Get.json')).body.properties.sessionState,
        'Disconnected',
      );
      await avd.send('UserSession_Delete.json');
      await avd.send('SessionHost_Delete.json');
      await avd.send('HostPool_Delete.json');
      assert.deepStrictEqual(
        sim.state().resources.filter((r) => r.id.startsWith(HOST_POOL)),
        [],
      );
    },
  );

  it(
    'Dev Box: dev center CRUD (with a user-assigned identity), attach a gallery, dev box ' +
      'definition create/patch with image validation, deletes',
    async () => {
      const dc = replayer(DEVCENTER_SPEC, (t) =>
        t
          .replace(/0ac520ee-14c0-480f-b6c9-0a90c58ffff|00000000-0000-0000-0000-000000000000/g, SUB)
          // The definition examples name an image of another group, of a gallery not attached,
          // ".../version/..." (singular).
          .replace(/resourceGroups\/Example\//g, 'resourceGroups/rg1/')
          .replace(/\/galleries\/contosogallery\//g, '/galleries/StandardGallery/')
          .replace(/\/images\/exampleImage\/version\//g, '/images/exampleImage/versions/')
          // ... and sku "Preview", which Dev Box's sku list does not offer.
          .replace(/"name": "Preview"/g, '"name": "general_i_8c32gb256ssd_v2"'),
      );
      await dc.send('DevCenters_Create.json', { status: 201 });
      await dc.send('DevCenters_CreateWithUserIdentity.json', { status: 200 });
      assert.match(
        (await dc.send('DevCenters_Get.json')).body.properties.devCenterUri,
        /^https:\/\/.*-contoso\.centralus\.devcenter\.azure\.com\/$/,
      );
      assert.strictEqual(
        (await dc.send('DevCenters_ListBySubscription.json')).body.value.length,
        1,
      );
      assert.strictEqual(
        (await dc.send('DevCenters_ListByResourceGroup.json')).body.value.length,
        1,
      );
      await dc.send('DevCenters_Patch.json');
      await dc.send('Galleries_Create.json', { status: 201 });
      assert.strictEqual(
        (await dc.send('Galleries_Get.json')).body.properties.provisioningState,
        'Succeeded',
      );
      assert.strictEqual((await dc.send('Galleries_List.json')).body.value.length, 1);
      await dc.send('DevBoxDefinitions_Create.json', { status: 201 });
      const def = (await dc.send('DevBoxDefinitions_Get.json')).body.properties;
      assert.deepStrictEqual(
        [def.imageReference.exactVersion, def.provisioningState],
        ['1.0.0', 'Succeeded'],
      );
      assert.ok(
        ['Pending', 'Succeeded'].includes(def.imageValidationStatus),
        def.imageValidationStatus,
      );
      assert.strictEqual(
        (await dc.send('DevBoxDefinitions_ListByDevCenter.json')).body.value.length,
        1,
      );
      await dc.send('DevBoxDefinitions_Patch.json', { status: 202 });
      assert.strictEqual(
        (await dc.send('DevBoxDefinitions_Get.json')).body.properties.imageReference.exactVersion,
        '2.0.0',
      );
      await dc.send('DevBoxDefinitions_Delete.json', { status: 202 });
      await dc.send('Galleries_Delete.json', { status: 202 });
      await dc.send('DevCenters_Delete.json', { status: 202 });
      assert.deepStrictEqual(
        sim.state().resources.filter((r) => /Microsoft\.DevCenter/i.test(r.type)),
        [],
      );
    },
  );

  it(
    'gallery sharing: create with Groups permission, add subscriptions and a tenant, get ' +
      'with $expand / $select, reset; community is refused as not simulated',
    async () => {
      const gal = replayer(GALLERY_SPEC, (t) => t.replace(/\{subscription-id\}/g, SUB));
      await gal.send('Gallery_Create_WithSharingProfile.json', { status: 201 });
      const added = await gal.send('Gallery_AddToSharingProfile.json', { status: 202 });
      assert.strictEqual(added.final.operationType, 'Add');
      const expanded = (await gal.send('Gallery_Get_WithExpandSharingProfileGroups.json')).body
        .properties.sharingProfile;
      assert.deepStrictEqual(
        expanded,
        gal.example('Gallery_Get_WithExpandSharingProfileGroups.json').responses['200'].body
          .properties.sharingProfile,
      );
      assert.strictEqual(
        (await gal.send('Gallery_Get_WithSelectPermissions.json')).body.properties.sharingProfile
          .groups.length,
        2,
      );
      assert.deepStrictEqual(
        (await gal.send('Gallery_Get.json')).body.properties.sharingProfile,
        { permissions: 'Groups' },
        'no groups without $expand',
      );
      await gal.send('Gallery_ResetSharingProfile.json', { status: 202 });
      const reset = sim
        .state()
        .resources.find(
          (r) =>
            r.id === `${rg('myResourceGroup')}/providers/Microsoft.Compute/galleries/myGalleryName`,
        )!;
      assert.deepStrictEqual(reset.properties.sharingProfile, {
        permissions: 'Private',
        groups: [],
      });
      const community = await new ExampleReplayer(sim, token, GALLERY_SPEC, (t) =>
        t.replace(/\{subscription-id\}/g, SUB),
      ).send('Gallery_EnableCommunityGallery.json', { status: 400 });
      assert.match(community.body.error.message, /does not implement community galleries/);
    },
  );
});
