// Through @azure/arm-compute: scale sets (scenario-made) listed by subscription and group with
// their image reference, VMs listed by subscription, and direct sharing of a gallery (POST
// .../share, long-running): Add merges groups, Remove takes ids out, Reset makes the gallery
// Private; groups show with $expand only.
import * as assert from 'assert';
import { RunningSim, startSimulator } from '../index';
import { armToken, rawRequest } from '../testSupport';
import { clients, GALLERY, IMAGE_WIN, RG, scenario, SUB } from './support';

const OTHER_RG = `/subscriptions/${SUB}/resourceGroups/rg-apps`;
const scaleSet = (rg: string, name: string, version: string) => ({
  id: `${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`,
  type: 'Microsoft.Compute/virtualMachineScaleSets',
  location: 'westeurope',
  sku: { name: 'Standard_D2s_v5', capacity: 2 },
  properties: {
    virtualMachineProfile: {
      storageProfile: { imageReference: { id: `${IMAGE_WIN}/versions/${version}` } },
    },
  },
});
const vm = (rg: string, name: string) => ({
  id: `${rg}/providers/Microsoft.Compute/virtualMachines/${name}`,
  type: 'Microsoft.Compute/virtualMachines',
  location: 'westeurope',
  properties: {
    storageProfile: {
      imageReference: { id: `${IMAGE_WIN}/versions/1.0.0` },
      osDisk: { osType: 'Windows' },
    },
  },
});
const SUB_A = '0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e';
const SUB_B = '6a1e0c2d-3b4f-4a5e-8c6d-7e8f9a0b1c2d';
const TENANT = '2c4e6a8b-0d1f-4a3c-8e5b-7d9f1a3c5e7b';
const FAST = { updateIntervalInMs: 10 };

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('simulator: scale sets, VMs by subscription, gallery sharing', function () {
  this.timeout(30000);
  let sim: RunningSim;
  before(async () => {
    sim = await startSimulator({
      scenario: scenario({
        resources: [
          { id: OTHER_RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          scaleSet(RG, 'vmss-web', '1.0.3'),
          scaleSet(OTHER_RG, 'vmss-api', '1.0.4'),
          vm(RG, 'vm-1'),
          vm(OTHER_RG, 'vm-2'),
        ],
      }),
    });
  });
  after(async () => sim?.stop());

  it(
    'lists scale sets by subscription and group, with their image reference; they are not ' +
      'created through the API',
    async () => {
      const { compute } = clients(sim);
      const everywhere = await all(compute.virtualMachineScaleSets.listAll());
      assert.deepStrictEqual(
        everywhere.map((s) => [
          s.name,
          s.virtualMachineProfile?.storageProfile?.imageReference?.id?.split('/').pop(),
        ]),
        [
          ['vmss-web', '1.0.3'],
          ['vmss-api', '1.0.4'],
        ],
      );
      assert.deepStrictEqual(
        (await all(compute.virtualMachineScaleSets.list('rg-apps'))).map((s) => s.name),
        ['vmss-api'],
      );
      const one = await compute.virtualMachineScaleSets.get('rg-img', 'vmss-web');
      assert.strictEqual(
        one.virtualMachineProfile?.storageProfile?.imageReference?.id,
        `${IMAGE_WIN}/versions/1.0.3`,
      );
      assert.strictEqual(one.sku?.capacity, 2);
      const put = await rawRequest(
        sim,
        'PUT',
        `${RG}/providers/Microsoft.Compute/virtualMachineScaleSets/new?api-version=2024-07-01`,
        { token: await armToken(sim), body: { location: 'westeurope', properties: {} } },
      );
      assert.match(
        put.body.error.message,
        /does not implement creating or updating virtual machine scale sets/,
      );
    },
  );

  it('lists VMs by subscription', async () => {
    const { compute } = clients(sim);
    assert.deepStrictEqual(
      (await all(compute.virtualMachines.listAll())).map((v) => v.name),
      ['vm-1', 'vm-2'],
    );
  });

  it(
    'shares a gallery: Private refuses Add; with Groups, Add merges, Remove takes out, Reset ' +
      'clears; groups only with $expand',
    async () => {
      const { compute } = clients(sim);
      const share = (operationType: string, groups?: { type: string; ids: string[] }[]) =>
        compute.gallerySharingProfile.update('rg-img', 'gal', { operationType, groups }, FAST);
      await assert.rejects(
        share('Add', [{ type: 'Subscriptions', ids: [SUB_A] }]),
        (e: any) => e.statusCode === 409 && /sharing permission 'Private'/.test(e.message),
      );

      await compute.galleries.update(
        'rg-img',
        'gal',
        { sharingProfile: { permissions: 'Groups' } },
        FAST,
      );
      const added = await share('Add', [
        { type: 'Subscriptions', ids: [SUB_A] },
        { type: 'AADTenants', ids: [TENANT] },
      ]);
      assert.strictEqual(added.operationType, 'Add');
      await share('Add', [{ type: 'subscriptions', ids: [SUB_A.toUpperCase(), SUB_B] }]);
      const expanded = await compute.galleries.get('rg-img', 'gal', {
        expand: 'SharingProfile/Groups',
      });
      assert.deepStrictEqual(expanded.sharingProfile?.groups, [
        { type: 'Subscriptions', ids: [SUB_A, SUB_B] },
        { type: 'AADTenants', ids: [TENANT] },
      ]);
      const plain = await compute.galleries.get('rg-img', 'gal');
      assert.deepStrictEqual(
        [plain.sharingProfile?.permissions, plain.sharingProfile?.groups],
        ['Groups', undefined],
      );

      await share('Remove', [
        { type: 'Subscriptions', ids: [SUB_A] },
        { type: 'AADTenants', ids: [TENANT] },
      ]);
      assert.deepStrictEqual(
        (await compute.galleries.get('rg-img', 'gal', { expand: 'SharingProfile/Groups' }))
          .sharingProfile?.groups,
        [{ type: 'Subscriptions', ids: [SUB_B] }],
      );
      await share('Reset');
      const reset = await compute.galleries.get('rg-img', 'gal', {
        expand: 'SharingProfile/Groups',
      });
      assert.deepStrictEqual(
        [reset.sharingProfile?.permissions, reset.sharingProfile?.groups],
        ['Private', []],
      );
    },
  );

  it(
    'refuses share requests without groups or with ids that are not GUIDs, before any ' +
      'operation starts',
    async () => {
      const token = await armToken(sim);
      for (const body of [
        { operationType: 'Add' },
        { operationType: 'Add', groups: [{ type: 'Subscriptions', ids: ['not-a-guid'] }] },
        { operationType: 'Remove', groups: [] },
      ]) {
        const r = await rawRequest(sim, 'POST', `${GALLERY}/share?api-version=2024-03-03`, {
          token,
          body,
        });
        assert.deepStrictEqual(
          [r.status, r.body.error.code, r.headers['azure-asyncoperation']],
          [400, 'InvalidParameter', undefined],
          JSON.stringify(r.body),
        );
      }
    },
  );
});
