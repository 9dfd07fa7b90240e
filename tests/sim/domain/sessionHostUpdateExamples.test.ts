// The official examples of the AVD preview (2024-08-08-preview) session host configuration and
// management operations, sent to a running simulator in a sensible order (the examples' elided
// subnet id and past schedule replaced by ones that exist and lie ahead): each must be accepted
// and its operation complete.
import * as assert from 'assert';
import * as path from 'path';
import { specsRoot } from '../contracts';
import { RunningSim, startSimulator } from '../index';
import { armToken } from '../testSupport';
import { ExampleReplayer } from './exampleReplay';
import { SUB } from './support';

const SPEC = path.join(
  specsRoot(),
  'azure-rest-api-specs/specification/desktopvirtualization/resource-manager',
  'Microsoft.DesktopVirtualization/preview/2024-08-08-preview/desktopvirtualization.json',
);
const RG = `/subscriptions/${SUB}/resourceGroups/resourceGroup1`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet1`;
const SUBNET = `${VNET}/subnets/subnet1`;
// The examples elide the subnet's ids.
const ELIDED_SUBNET =
  '/subscriptions/.../resourceGroups/.../providers/Microsoft.Network/virtualNetworks/.../' +
  'subnets/subnet1';

describe('simulator: official examples of the AVD session host update (preview)', function () {
  this.timeout(60000);
  let sim: RunningSim;
  let avd: ExampleReplayer;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        timeScale: 0.0005,
        resources: [
          { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'eastus2' },
          {
            id: VNET,
            type: 'Microsoft.Network/virtualNetworks',
            location: 'eastus2',
            properties: {
              addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
              subnets: [{ name: 'subnet1', properties: { addressPrefix: '10.0.1.0/24' } }],
            },
          },
          {
            id: `${RG}/providers/Microsoft.DesktopVirtualization/hostPools/hostPool1`,
            type: 'Microsoft.DesktopVirtualization/hostPools',
            location: 'eastus2',
            properties: {
              hostPoolType: 'Pooled',
              loadBalancerType: 'BreadthFirst',
              preferredAppGroupType: 'Desktop',
              managementType: 'Automated',
            },
          },
        ],
      },
    });
    const inADay = new Date(Date.now() + 86400_000).toISOString();
    avd = new ExampleReplayer(sim, await armToken(sim), SPEC, (t) =>
      t
        .replace(/daefabc0-95b4-48b3-b645-8a753a63c4fa/g, SUB)
        .split(ELIDED_SUBNET)
        .join(SUBNET)
        .replace(/2008-09-22T14:01:54\.9571247Z/g, inADay),
    );
  });
  after(async () => {
    console.log(`      official examples sent to the simulator: ${avd?.count ?? 0}`);
    await sim?.stop();
  });

  it(
    'host pool GET shows managementType; configurations create/get/list/update, active ' +
      'configuration get/list; managements create/get/update/list; a scheduled update, its ' +
      'status, and Start',
    async () => {
      const pool = await avd.send('HostPool_Get.json');
      assert.strictEqual(pool.body.properties.managementType, 'Automated');
      const created = await avd.send('SessionHostConfigurations_Create.json', { status: 201 });
      assert.strictEqual(created.body.properties.provisioningState, 'Provisioning');
      const got = await avd.send('SessionHostConfigurations_Get.json');
      assert.strictEqual(got.body.properties.provisioningState, 'Succeeded');
      assert.strictEqual(got.body.properties.vmNamePrefix, 'westus2-vm');
      assert.strictEqual(
        (await avd.send('SessionHostConfigurations_ListByHostPool.json')).body.value.length,
        1,
      );
      const updated = await avd.send('SessionHostConfigurations_Update.json', { status: 202 });
      assert.strictEqual(updated.final.properties.friendlyName, 'Second Version, Updated Location');
      const active = await avd.send('ActiveSessionHostConfigurations_Get.json');
      assert.strictEqual(active.body.properties.friendlyName, 'InitialConfiguration');
      assert.strictEqual(
        (await avd.send('ActiveSessionHostConfigurations_ListByHostPool.json')).body.value.length,
        1,
      );
      // The pool got its default management with its configuration: the create is an update.
      await avd.send('SessionHostManagements_Create.json', { status: 200 });
      const mgmt = await avd.send('SessionHostManagements_Get.json');
      assert.strictEqual(mgmt.body.properties.update.maxVmsRemoved, 4);
      await avd.send('SessionHostManagements_Update.json');
      assert.strictEqual(
        (await avd.send('SessionHostManagements_ListByHostPool.json')).body.value.length,
        1,
      );
      await avd.send('SessionHostManagements_UpdateSessionHosts_Post.json', { status: 204 });
      const scheduled = await avd.send('SessionHostManagements_UpdateStatus_Get.json');
      assert.strictEqual(scheduled.body.status, 'Scheduled');
      await avd.send('SessionHostManagements_ControlSessionHostUpdate_Post.json', { status: 202 });
      const started = await avd.send('SessionHostManagements_UpdateStatus_Get.json');
      assert.notStrictEqual(started.body.status, 'Scheduled');
      assert.strictEqual(avd.count, 15);
    },
  );
});
