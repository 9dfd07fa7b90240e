// Dev Box beyond attaching: dev center identities (scenario and API), the sku list and the sku /
// name checks of dev box definitions, detaching and re-attaching galleries, network connections,
// attached networks, projects and pools (scenario state-dump shape and PUT), the dev center's
// image views, every image validation rule, and Windows 365's service principal.
import * as assert from 'assert';
import { RunningSim, SIM_IDS, startSimulator } from '../index';
import { armToken, rawRequest } from '../testSupport';
import { RG, SUB } from './support';

const API = '?api-version=2024-02-01';
const DC = `${RG}/providers/Microsoft.DevCenter/devcenters/dc1`;
const DC2 = `${RG}/providers/Microsoft.DevCenter/devcenters/dc2`;
const GAL = `${RG}/providers/Microsoft.Compute/galleries/corp`;
const GAL2 = `${RG}/providers/Microsoft.Compute/galleries/other`;
const UAI = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/dc-identity`;
const UAI_PRINCIPAL = '0b7c2f3e-1111-4222-8333-444455556666';
const NC = `${RG}/providers/Microsoft.DevCenter/networkConnections/nc-eastus`;
const PROJECT = `${RG}/providers/Microsoft.DevCenter/projects/proj`;
const SUBNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default`;
const DES = `${RG}/providers/Microsoft.Compute/diskEncryptionSets/cmk`;
const SKU = { name: 'general_i_8c32gb256ssd_v2' };

const ready = {
  osType: 'Windows',
  osState: 'Generalized',
  hyperVGeneration: 'V2',
  features: [
    { name: 'SecurityType', value: 'TrustedLaunch' },
    { name: 'IsHibernateSupported', value: 'True' },
  ],
};
const image = (name: string, props: object, offer = 'windows-ent-cpc', sku = 'win11-ent') => ({
  id: `${GAL}/images/${name}`,
  type: 'Microsoft.Compute/galleries/images',
  location: 'westeurope',
  properties: { ...ready, ...props, identifier: { publisher: 'contoso', offer, sku } },
});
const version = (img: string, regions: object[] = [{ name: 'westeurope' }], more = {}) => ({
  id: `${GAL}/images/${img}/versions/1.0.0`,
  type: 'Microsoft.Compute/galleries/images/versions',
  location: 'westeurope',
  properties: { publishingProfile: { targetRegions: regions }, ...more },
});
/** A dev box definition's PUT body. */
const definitionBody = (img: string, sku: object = SKU, hibernateSupport = 'Disabled') => ({
  location: 'westeurope',
  properties: {
    imageReference: { id: `${DC}/galleries/corp/images/${img}/versions/1.0.0` },
    sku,
    osStorageType: 'ssd_256gb',
    hibernateSupport,
  },
});
/** A scenario dev box definition (state-dump shape). */
const definitionOf = (img: string, name = img, hibernateSupport = 'Disabled') => ({
  id: `${DC}/devboxdefinitions/${name}`,
  type: 'Microsoft.DevCenter/devcenters/devboxdefinitions',
  ...definitionBody(img, SKU, hibernateSupport),
});

/** image name -> [definition-level properties, offer, sku, version extras, regions] */
const BROKEN: Array<[string, object, string?, string?, object?, object[]?]> = [
  ['linux', { osType: 'Linux' }],
  ['specialized', { osState: 'Specialized' }],
  ['gen1', { hyperVGeneration: 'V1' }],
  ['standard', { features: [{ name: 'SecurityType', value: 'Standard' }] }],
  ['multi', {}, 'windows-11-multi-session', 'win11-23h2-ent'],
  ['avd', {}, 'office-365', 'win11-23h2-avd-m365'],
  ['ltsc', {}, 'windows-10', 'win10-21h2-ent-ltsc2021'],
  ['nedition', {}, 'windows-11', 'win11-23h2-entn'],
  ['datadisk', {}, undefined, undefined, { storageProfile: { dataDiskImages: [{ lun: 0 }] } }],
  [
    'cmk',
    {},
    undefined,
    undefined,
    {},
    [{ name: 'westeurope', encryption: { osDiskImage: { diskEncryptionSetId: DES } } }],
  ],
  ['elsewhere', {}, undefined, undefined, {}, [{ name: 'northeurope' }]],
  ['poolregion', {}, undefined, undefined, {}, [{ name: 'westeurope' }]],
];

describe('simulator: Dev Box identities, skus, networks, pools, images, rules', function () {
  this.timeout(30000);
  let sim: RunningSim;
  let token: string;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        timeScale: 0.001,
        resources: [
          { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          {
            id: UAI,
            type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
            location: 'westeurope',
            properties: { principalId: UAI_PRINCIPAL },
          },
          { id: GAL, type: 'Microsoft.Compute/galleries', location: 'westeurope' },
          { id: GAL2, type: 'Microsoft.Compute/galleries', location: 'westeurope' },
          image('win11', {}),
          version('win11', [{ name: 'westeurope' }, { name: 'eastus' }], {
            storageProfile: { osDiskImage: { sizeInGB: 64 } },
          }),
          ...BROKEN.flatMap(([name, props, offer, sku, more, regions]) => [
            image(name, props, offer, sku),
            version(name, regions, more),
          ]),
          image('nohibernate', { features: [{ name: 'SecurityType', value: 'TrustedLaunch' }] }),
          version('nohibernate'),
          {
            id: DC,
            type: 'Microsoft.DevCenter/devcenters',
            location: 'westeurope',
            identity: { type: 'SystemAssigned' },
          },
          {
            id: DC2,
            type: 'Microsoft.DevCenter/devcenters',
            location: 'westeurope',
            identity: { type: 'UserAssigned', userAssignedIdentities: { [UAI]: {} } },
          },
          {
            id: `${DC}/galleries/corp`,
            type: 'Microsoft.DevCenter/devcenters/galleries',
            properties: { galleryResourceId: GAL },
          },
          {
            id: NC,
            type: 'Microsoft.DevCenter/networkConnections',
            location: 'eastus',
            properties: { domainJoinType: 'AzureADJoin', subnetId: SUBNET },
          },
          {
            id: `${DC}/attachednetworks/an-eastus`,
            type: 'Microsoft.DevCenter/devcenters/attachednetworks',
            properties: { networkConnectionId: NC },
          },
          {
            id: PROJECT,
            type: 'Microsoft.DevCenter/projects',
            location: 'westeurope',
            properties: { devCenterId: DC },
          },
          definitionOf('win11'),
          ...BROKEN.map(([name]) => definitionOf(name)),
          definitionOf('nohibernate', 'nohibernate', 'Enabled'),
          {
            id: `${PROJECT}/pools/eastus-pool`,
            type: 'Microsoft.DevCenter/projects/pools',
            location: 'eastus',
            properties: {
              devBoxDefinitionName: 'poolregion',
              networkConnectionName: 'an-eastus',
              licenseType: 'Windows_Client',
              localAdministrator: 'Enabled',
            },
          },
        ],
      },
    });
    token = await armToken(sim);
  });
  after(async () => sim?.stop());

  const call = (method: string, p: string, body?: unknown) =>
    rawRequest(sim, method, p.includes('?') ? p : p + API, { token, body });
  const get = async (p: string) => (await call('GET', p)).body;
  /** Sends a write and follows its Azure-AsyncOperation; returns the terminal status body. */
  async function lro(method: string, p: string, body?: unknown): Promise<any> {
    const r = await call(method, p, body);
    assert.ok([200, 201, 202].includes(r.status), `${method} ${p}: ${JSON.stringify(r.body)}`);
    const u = new URL(r.headers['azure-asyncoperation']);
    for (;;) {
      const s = await call('GET', u.pathname + u.search);
      if (s.body.status !== 'InProgress') return s.body;
      await new Promise((res) => setTimeout(res, 10));
    }
  }
  const refusal = (r: { status: number; body: any }) => [r.status, r.body?.error?.code];

  it(
    'scenario dev centers get their identities resolved: system-assigned ids ' +
      'generated, a user-assigned identity reports its principal',
    async () => {
      const dc1 = (await get(DC)).identity;
      assert.strictEqual(dc1.type, 'SystemAssigned');
      assert.match(dc1.principalId, /^[0-9a-f-]{36}$/);
      assert.strictEqual(dc1.tenantId, SIM_IDS.tenantId);
      const dc2 = (await get(DC2)).identity;
      assert.strictEqual(dc2.userAssignedIdentities[UAI].principalId, UAI_PRINCIPAL);
      assert.match(dc2.userAssignedIdentities[UAI].clientId, /^[0-9a-f-]{36}$/);
    },
  );

  it(
    'PUT/PATCH of a dev center resolves identities; an unknown user-assigned ' +
      'identity is refused',
    async () => {
      const dc3 = `${RG}/providers/Microsoft.DevCenter/devcenters/dc3`;
      const created = await lro('PUT', dc3, {
        location: 'westeurope',
        identity: { type: 'UserAssigned', userAssignedIdentities: { [UAI]: {} } },
      });
      assert.strictEqual(created.status, 'Succeeded');
      assert.strictEqual(
        (await get(dc3)).identity.userAssignedIdentities[UAI].principalId,
        UAI_PRINCIPAL,
      );
      await lro('PATCH', dc3, {
        identity: { type: 'SystemAssigned,UserAssigned', userAssignedIdentities: { [UAI]: {} } },
      });
      const both = (await get(dc3)).identity;
      assert.match(both.principalId, /^[0-9a-f-]{36}$/);
      assert.strictEqual(both.userAssignedIdentities[UAI].principalId, UAI_PRINCIPAL);
      const missing = await call('PUT', dc3, {
        location: 'westeurope',
        identity: { type: 'UserAssigned', userAssignedIdentities: { [`${UAI}-nope`]: {} } },
      });
      assert.deepStrictEqual(refusal(missing), [400, 'FailedIdentityOperation']);
      const badName = await call('PUT', `${RG}/providers/Microsoft.DevCenter/devcenters/dc_4`, {
        location: 'westeurope',
      });
      assert.deepStrictEqual(refusal(badName), [400, 'InvalidResourceName']);
    },
  );

  it(
    'lists the Dev Box skus (spec shape); a definition with an unknown sku or a ' +
      'bad name is refused',
    async () => {
      const skus = (await get(`/subscriptions/${SUB}/providers/Microsoft.DevCenter/skus`)).value;
      for (const name of [
        'general_i_8c32gb256ssd_v2',
        'general_i_8c32gb512ssd_v2',
        'general_i_16c64gb512ssd_v2',
        'general_i_32c128gb1024ssd_v2',
      ])
        assert.ok(
          skus.some((s: any) => s.name === name),
          name,
        );
      const first = skus[0];
      assert.deepStrictEqual(
        [first.resourceType, first.tier, first.locations.includes('WestEurope')],
        ['projects/pools', 'Standard', true],
      );
      assert.deepStrictEqual(first.capabilities.slice(0, 2), [
        { name: 'vCPUs', value: '8' },
        { name: 'MemoryGB', value: '32' },
      ]);
      const unknown = await call(
        'PUT',
        `${DC}/devboxdefinitions/big`,
        definitionBody('win11', { name: 'huge_v9' }),
      );
      assert.deepStrictEqual(refusal(unknown), [400, 'InvalidSku']);
      assert.match(unknown.body.error.message, /'huge_v9'/);
      for (const name of ['ab', 'has space', '-lead', 'x'.repeat(64)]) {
        const r = await call(
          'PUT',
          `${DC}/devboxdefinitions/${encodeURIComponent(name)}`,
          definitionBody('win11'),
        );
        assert.deepStrictEqual(refusal(r), [400, 'InvalidResourceName'], name);
      }
    },
  );

  it(
    'galleries: re-attaching the same gallery succeeds, another gallery under ' +
      'the name is refused naming both, an unused one detaches',
    async () => {
      const again = await lro('PUT', `${DC}/galleries/corp`, {
        properties: { galleryResourceId: GAL },
      });
      assert.strictEqual(again.status, 'Succeeded');
      const moved = await call('PUT', `${DC}/galleries/corp`, {
        properties: { galleryResourceId: GAL2 },
      });
      assert.deepStrictEqual(refusal(moved), [400, 'InvalidPropertyUpdate']);
      assert.ok(moved.body.error.message.includes(GAL), moved.body.error.message);
      assert.ok(moved.body.error.message.includes(GAL2), moved.body.error.message);
      const inUse = await call('DELETE', `${DC}/galleries/corp`);
      assert.deepStrictEqual(refusal(inUse), [409, 'GalleryInUse']);

      await lro('PUT', `${DC}/galleries/other`, { properties: { galleryResourceId: GAL2 } });
      const detach = await lro('DELETE', `${DC}/galleries/other`);
      assert.strictEqual(detach.status, 'Succeeded');
      assert.strictEqual((await call('GET', `${DC}/galleries/other`)).status, 404);
    },
  );

  it(
    'network connections and attached networks: PUT, read-only fields from the ' +
      'connection, secrets hidden, in-use refusals',
    async () => {
      const nc2 = `${RG}/providers/Microsoft.DevCenter/networkConnections/nc-weu`;
      const r = await call('PUT', nc2, {
        location: 'westeurope',
        properties: {
          domainJoinType: 'HybridAzureADJoin',
          domainName: 'corp.contoso.com',
          domainUsername: 'join@corp.contoso.com',
          domainPassword: 'p@ss',
          subnetId: SUBNET,
        },
      });
      assert.strictEqual(r.status, 201);
      assert.strictEqual(r.body.properties.healthCheckStatus, 'Running');
      const u = new URL(r.headers['azure-asyncoperation']);
      while ((await call('GET', u.pathname + u.search)).body.status === 'InProgress')
        await new Promise((res) => setTimeout(res, 10));
      const nc = await get(nc2);
      assert.deepStrictEqual(
        [
          nc.location,
          nc.properties.healthCheckStatus,
          nc.properties.networkingResourceGroupName,
          nc.properties.domainPassword,
        ],
        ['westeurope', 'Passed', 'NI_nc-weu_westeurope', undefined],
      );
      assert.ok(!JSON.stringify(sim.state().resources).includes('p@ss'));
      const noSuch = await call('PUT', `${DC}/attachednetworks/an-x`, {
        properties: { networkConnectionId: `${nc2}-nope` },
      });
      assert.deepStrictEqual(refusal(noSuch), [400, 'NetworkConnectionNotFound']);
      const attach = await lro('PUT', `${DC}/attachednetworks/an-weu`, {
        properties: { networkConnectionId: nc2 },
      });
      assert.strictEqual(attach.status, 'Succeeded');
      const an = (await get(`${DC}/attachednetworks/an-weu`)).properties;
      assert.deepStrictEqual(
        [an.networkConnectionLocation, an.healthCheckStatus, an.domainJoinType],
        ['westeurope', 'Passed', 'HybridAzureADJoin'],
      );
      assert.deepStrictEqual(
        (await get(`${DC}/attachednetworks`)).value.map((a: any) => a.name),
        ['an-eastus', 'an-weu'],
      );
      assert.deepStrictEqual(refusal(await call('DELETE', nc2)), [409, 'NetworkConnectionInUse']);
      const scenarioNc = (await get(`${DC}/attachednetworks/an-eastus`)).properties;
      assert.strictEqual(scenarioNc.networkConnectionLocation, 'eastus');
    },
  );

  it(
    'projects and pools: references checked on PUT, healthStatus computed, the project views ' +
      'attached networks and definitions, a definition or network in use cannot go',
    async () => {
      const noDc = await call('PUT', `${RG}/providers/Microsoft.DevCenter/projects/proj2`, {
        location: 'westeurope',
        properties: { devCenterId: `${DC}-nope` },
      });
      assert.deepStrictEqual(refusal(noDc), [400, 'DevCenterNotFound']);
      assert.match((await get(PROJECT)).properties.devCenterUri, /devcenter\.azure\.com\/$/);
      // Its validation is over (a scenario definition's ends at once): pools made now don't
      // change it.
      assert.strictEqual(
        (await get(`${DC}/devboxdefinitions/win11`)).properties.imageValidationStatus,
        'Succeeded',
      );

      const pool = (props: object) => ({
        location: 'westeurope',
        properties: {
          devBoxDefinitionName: 'win11',
          networkConnectionName: 'an-eastus',
          licenseType: 'Windows_Client',
          localAdministrator: 'Disabled',
          ...props,
        },
      });
      for (const [props, code] of [
        [{ devBoxDefinitionName: 'nope' }, 'DevBoxDefinitionNotFound'],
        [{ networkConnectionName: 'nope' }, 'AttachedNetworkNotFound'],
        [
          { networkConnectionName: 'managedNetwork', virtualNetworkType: 'Managed' },
          'ManagedVirtualNetworkRegionsRequired',
        ],
      ] as const) {
        const r = await call('PUT', `${PROJECT}/pools/bad`, pool(props));
        assert.deepStrictEqual(refusal(r), [400, code], JSON.stringify(props));
      }
      assert.strictEqual(
        (await lro('PUT', `${PROJECT}/pools/p-east`, pool({}))).status,
        'Succeeded',
      );
      const managed = await lro(
        'PUT',
        `${PROJECT}/pools/p-managed`,
        pool({
          networkConnectionName: 'managedNetwork',
          virtualNetworkType: 'Managed',
          managedVirtualNetworkRegions: ['swedencentral'],
        }),
      );
      assert.strictEqual(managed.status, 'Succeeded');
      const east = (await get(`${PROJECT}/pools/p-east`)).properties;
      assert.deepStrictEqual(
        [east.healthStatus, east.devBoxCount, east.virtualNetworkType],
        ['Healthy', 0, 'Unmanaged'],
      );
      const m = (await get(`${PROJECT}/pools/p-managed`)).properties;
      assert.deepStrictEqual(
        [m.healthStatus, m.healthStatusDetails?.[0]?.code],
        ['Unhealthy', 'ImageNotReplicatedToRegion'],
      );
      assert.match(m.healthStatusDetails[0].message, /swedencentral/);
      assert.deepStrictEqual(
        (await get(`${PROJECT}/pools`)).value.map((p: any) => p.name),
        ['eastus-pool', 'p-east', 'p-managed'],
      );
      const seen = await get(`${PROJECT}/attachednetworks/an-eastus`);
      assert.deepStrictEqual(
        [seen.id, seen.type, seen.properties.networkConnectionLocation],
        [
          `${PROJECT}/attachednetworks/an-eastus`,
          'Microsoft.DevCenter/projects/attachednetworks',
          'eastus',
        ],
      );
      const defs = (await get(`${PROJECT}/devboxdefinitions`)).value;
      assert.ok(
        defs.some(
          (d: any) =>
            d.id === `${PROJECT}/devboxdefinitions/win11` &&
            d.properties.imageValidationStatus === 'Succeeded',
        ),
      );
      assert.strictEqual((await call('GET', `${PROJECT}/devboxdefinitions/nope`)).status, 404);
      assert.deepStrictEqual(refusal(await call('DELETE', `${DC}/devboxdefinitions/win11`)), [
        409,
        'DevBoxDefinitionInUse',
      ]);
      assert.deepStrictEqual(refusal(await call('DELETE', `${DC}/attachednetworks/an-eastus`)), [
        409,
        'AttachedNetworkInUse',
      ]);
    },
  );

  it(
    "the dev center's image views list only images with Dev Box's metadata, with " +
      'their versions',
    async () => {
      const names = (await get(`${DC}/galleries/corp/images`)).value.map((i: any) => i.name);
      assert.ok(names.includes('win11') && names.includes('multi'), names.join());
      for (const hidden of ['linux', 'specialized', 'gen1', 'standard'])
        assert.ok(!names.includes(hidden), hidden);
      assert.deepStrictEqual(
        (await get(`${DC}/images`)).value.map((i: any) => i.name),
        names,
      );
      const win11 = await get(`${DC}/galleries/corp/images/win11`);
      assert.deepStrictEqual(win11, {
        id: `${DC}/galleries/corp/images/win11`,
        name: 'win11',
        type: 'Microsoft.DevCenter/devcenters/galleries/images',
        properties: {
          publisher: 'contoso',
          offer: 'windows-ent-cpc',
          sku: 'win11-ent',
          provisioningState: 'Succeeded',
          hibernateSupport: 'Enabled',
        },
      });
      assert.strictEqual((await call('GET', `${DC}/galleries/corp/images/gen1`)).status, 404);
      const versions = (await get(`${DC}/galleries/corp/images/win11/versions`)).value;
      assert.deepStrictEqual(
        versions.map((v: any) => [
          v.name,
          v.properties.osDiskImageSizeInGb,
          v.properties.excludeFromLatest,
        ]),
        [['1.0.0', 64, false]],
      );
      assert.strictEqual(
        (await get(`${DC}/galleries/corp/images/win11/versions/1.0.0`)).properties.name,
        '1.0.0',
      );
      assert.strictEqual((await call('GET', `${DC2}/galleries/corp/images`)).status, 404);
    },
  );

  it(
    'image validation: each Dev Box rule fails as SourceImageInvalid naming the ' + 'rule',
    async () => {
      const expected: Record<string, RegExp> = {
        linux: /not Windows/,
        specialized: /Specialized\. Dev Box needs Generalized/,
        gen1: /Hyper-V generation V1/,
        standard: /security type Standard\. Dev Box needs TrustedLaunch/,
        multi: /multi-session/,
        avd: /multi-session/,
        ltsc: /N or LTSC/,
        nedition: /N or LTSC/,
        datadisk: /data disk/,
        cmk: new RegExp(`customer-managed key \\(disk encryption set '${DES}'\\)`),
        elsewhere: /not replicated to region\(s\) westeurope/,
        poolregion: /not replicated to region\(s\) eastus/,
        nohibernate: /IsHibernateSupported/,
      };
      for (const [name, rule] of Object.entries(expected)) {
        const p = (await get(`${DC}/devboxdefinitions/${name}`)).properties;
        assert.deepStrictEqual(
          [p.imageValidationStatus, p.imageValidationErrorDetails?.code],
          ['Failed', 'SourceImageInvalid'],
          name,
        );
        assert.match(p.imageValidationErrorDetails.message, rule, name);
        assert.ok(p.imageValidationErrorDetails.message.startsWith(`Image '${name}': `), name);
      }
      const ok = (await get(`${DC}/devboxdefinitions/win11`)).properties;
      assert.deepStrictEqual(
        [ok.imageValidationStatus, ok.imageValidationErrorDetails],
        ['Succeeded', undefined],
      );
      const pool = (await get(`${PROJECT}/pools/eastus-pool`)).properties;
      assert.deepStrictEqual(
        [pool.healthStatus, pool.healthStatusDetails?.[0]?.code],
        ['Unhealthy', 'ImageValidationFailed'],
      );
    },
  );

  it(
    'a definition made through the API validates for 300 s nominal, then fails ' + 'by the rules',
    async () => {
      await lro('PUT', `${DC}/devboxdefinitions/gen1-api`, definitionBody('gen1'));
      assert.strictEqual(
        (await get(`${DC}/devboxdefinitions/gen1-api`)).properties.imageValidationStatus,
        'Pending',
      );
      await new Promise((res) => setTimeout(res, 320)); // 300 s nominal at timeScale 0.001
      const p = (await get(`${DC}/devboxdefinitions/gen1-api`)).properties;
      assert.deepStrictEqual(
        [p.imageValidationStatus, p.imageValidationErrorDetails.code],
        ['Failed', 'SourceImageInvalid'],
      );
    },
  );

  it("Windows 365's service principal is in the directory by default", () => {
    const w365 = sim
      .state()
      .graph.servicePrincipals.find((s) => s.appId === '0af06dc6-e4b5-4f28-818e-e78e62d137a5');
    assert.deepStrictEqual(
      [w365?.displayName, w365?.id],
      ['Windows 365', SIM_IDS.windows365.objectId],
    );
  });
});

describe('simulator: Dev Box skus from the scenario', () => {
  it('`devCenterSkus` replaces the default list, paged by `pageSize` with nextLink', async () => {
    const sim = await startSimulator({
      scenario: {
        pageSize: 2,
        devCenterSkus: [
          { name: 'a_sku', locations: ['eastus'] },
          { name: 'b_sku', tier: 'Premium' },
          { name: 'c_sku', capabilities: [{ name: 'vCPUs', value: '4' }] },
        ],
      },
    });
    try {
      const token = await armToken(sim);
      const first = await rawRequest(
        sim,
        'GET',
        `/subscriptions/${SUB}/providers/Microsoft.DevCenter/skus${API}`,
        { token },
      );
      assert.deepStrictEqual(
        first.body.value.map((s: any) => [s.name, s.tier, s.locations.length]),
        [
          ['a_sku', 'Standard', 1],
          ['b_sku', 'Premium', 11],
        ],
      );
      const next = new URL(first.body.nextLink);
      const second = await rawRequest(sim, 'GET', next.pathname + next.search, { token });
      assert.deepStrictEqual(second.body, {
        value: [
          {
            resourceType: 'projects/pools',
            name: 'c_sku',
            tier: 'Standard',
            locations: second.body.value[0].locations,
            capabilities: [{ name: 'vCPUs', value: '4' }],
          },
        ],
      });
    } finally {
      await sim.stop();
    }
  });
});
