// The state dump shows each resource as a GET returns it: fields the service computes on read (a
// dev box definition's image validation, a session host's session count) included, and what only an
// expanded GET shows (replication status, sharing groups) too.
import * as assert from 'assert';
import { RunningSim, SIM_IDS, startSimulator } from './index';
import { armToken, rawRequest } from './testSupport';

const RG = `/subscriptions/${SIM_IDS.subscriptionId}/resourceGroups/rg-state`;
const GAL = `${RG}/providers/Microsoft.Compute/galleries/corp`;
const DC = `${RG}/providers/Microsoft.DevCenter/devcenters/dc1`;
const HP = `${RG}/providers/Microsoft.DesktopVirtualization/hostPools/hp1`;
const SH = `${HP}/sessionHosts/sh-1.contoso.com`;

describe('simulator: the state dump', function () {
  this.timeout(20000);
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        resources: [
          { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          {
            id: GAL,
            type: 'Microsoft.Compute/galleries',
            location: 'westeurope',
            properties: {
              sharingProfile: {
                permissions: 'Groups',
                groups: [{ type: 'Subscriptions', ids: ['0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e'] }],
              },
            },
          },
          {
            id: `${GAL}/images/win11`,
            type: 'Microsoft.Compute/galleries/images',
            location: 'westeurope',
            properties: {
              osType: 'Windows',
              osState: 'Generalized',
              hyperVGeneration: 'V2',
              features: [{ name: 'SecurityType', value: 'TrustedLaunch' }],
              identifier: { publisher: 'contoso', offer: 'win11', sku: 'win11-ent' },
            },
          },
          {
            id: `${GAL}/images/win11/versions/1.0.0`,
            type: 'Microsoft.Compute/galleries/images/versions',
            location: 'westeurope',
            properties: { publishingProfile: { targetRegions: [{ name: 'westeurope' }] } },
          },
          {
            id: DC,
            type: 'Microsoft.DevCenter/devcenters',
            location: 'westeurope',
            identity: { type: 'SystemAssigned' },
          },
          {
            id: `${DC}/galleries/corp`,
            type: 'Microsoft.DevCenter/devcenters/galleries',
            properties: { galleryResourceId: GAL },
          },
          {
            id: `${DC}/devboxdefinitions/dev`,
            type: 'Microsoft.DevCenter/devcenters/devboxdefinitions',
            location: 'westeurope',
            properties: {
              imageReference: { id: `${DC}/galleries/corp/images/win11` },
              sku: { name: 'general_i_8c32gb256ssd_v2' },
              osStorageType: 'ssd_256gb',
            },
          },
          {
            id: HP,
            type: 'Microsoft.DesktopVirtualization/hostPools',
            location: 'westeurope',
            properties: {
              hostPoolType: 'Pooled',
              loadBalancerType: 'BreadthFirst',
              preferredAppGroupType: 'Desktop',
            },
          },
          {
            id: SH,
            type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
            properties: { status: 'Available' },
          },
          {
            id: `${SH}/userSessions/1`,
            type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions',
            properties: { userPrincipalName: 'ada@contoso.com' },
          },
        ],
      },
    });
  });
  after(async () => sim?.stop());

  const dumped = (id: string) =>
    sim.state().resources.find((r) => r.id.toLowerCase() === id.toLowerCase())!;

  it('shows fields computed on read, as GET does', async () => {
    const token = await armToken(sim);
    const definition = dumped(`${DC}/devboxdefinitions/dev`);
    assert.strictEqual(definition.properties.imageValidationStatus, 'Succeeded');
    const got = await rawRequest(sim, 'GET', `${DC}/devboxdefinitions/dev?api-version=2024-02-01`, {
      token,
    });
    assert.deepStrictEqual(definition, got.body);
    assert.strictEqual(dumped(SH).properties.sessions, 1);
    assert.strictEqual(
      (await rawRequest(sim, 'GET', `${SH}?api-version=2024-04-03`, { token })).body.properties
        .sessions,
      1,
    );
  });

  it('shows what only an expanded GET shows: replication status, sharing groups', async () => {
    const token = await armToken(sim);
    assert.deepStrictEqual(
      dumped(`${GAL}/images/win11/versions/1.0.0`).properties.replicationStatus.aggregatedState,
      'Completed',
    );
    assert.deepStrictEqual(dumped(GAL).properties.sharingProfile.groups, [
      { type: 'Subscriptions', ids: ['0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e'] },
    ]);
    const plain = await rawRequest(sim, 'GET', `${GAL}?api-version=2024-03-03`, { token });
    assert.strictEqual(
      plain.body.properties.sharingProfile.groups,
      undefined,
      'a plain GET leaves the groups out',
    );
  });
});
