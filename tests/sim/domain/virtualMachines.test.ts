// Virtual machines by PUT through @azure/arm-compute, with the networks and disks they use: subnets
// kept in sync both ways, Compute's image, security and subnet checks, VM-managed NICs and OS disks
// removed or detached by deleteOption, power state, and secrets (adminPassword, protectedSettings)
// in no document.
import * as assert from 'assert';
import type { ComputeManagementClient, VirtualMachine } from '@azure/arm-compute';
import { RunningSim, startSimulator } from '../index';
import { armToken, rawRequest } from '../testSupport';
import { clients, GALLERY, IMAGE_WIN, RG, scenario } from './support';
import { SUBNET, VNET, vmBody } from './vmFixtures';

const IMAGE_TL = `${GALLERY}/images/win11tl`;
const IMAGE_G1 = `${GALLERY}/images/win10g1`;
const NET = '?api-version=2024-05-01';

const definition = (id: string, generation: string, features: any[] = []) => ({
  id,
  type: 'Microsoft.Compute/galleries/images',
  location: 'westeurope',
  properties: {
    osType: 'Windows',
    osState: 'Generalized',
    hyperVGeneration: generation,
    features,
    identifier: { publisher: 'contoso', offer: id.split('/').pop(), sku: 'ent' },
  },
});
const version = (imageId: string, name: string, regions = ['westeurope']) => ({
  id: `${imageId}/versions/${name}`,
  type: 'Microsoft.Compute/galleries/images/versions',
  location: 'westeurope',
  properties: {
    publishingProfile: { targetRegions: regions.map((r) => ({ name: r })) },
    storageProfile: {},
  },
});

describe('simulator: virtual machines, networks and disks', function () {
  this.timeout(30000);
  let sim: RunningSim;
  let compute: ComputeManagementClient;
  let token: string;
  const net = (method: string, path: string, body?: unknown) =>
    rawRequest(sim, method, `${path}${NET}`, { token, body });

  before(async () => {
    sim = await startSimulator({
      scenario: scenario({
        resources: [
          version(IMAGE_WIN, '1.0.0'),
          version(IMAGE_WIN, '1.0.1', ['northeurope']),
          definition(IMAGE_TL, 'V2', [{ name: 'SecurityType', value: 'TrustedLaunch' }]),
          version(IMAGE_TL, '2.0.0'),
          definition(IMAGE_G1, 'V1'),
          version(IMAGE_G1, '1.0.0'),
        ],
      }),
    });
    compute = clients(sim).compute;
    token = await armToken(sim);
  });
  after(async () => sim?.stop());

  it('a virtual network and its subnets are the same thing seen two ways', async () => {
    const put = await net('PUT', VNET, {
      location: 'westeurope',
      properties: {
        addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
        subnets: [{ name: 'hosts', properties: { addressPrefix: '10.0.1.0/24' } }],
      },
    });
    assert.strictEqual(put.status, 201);
    assert.match(put.headers['azure-asyncoperation'], /Microsoft\.Network\/locations\/westeurope/);
    assert.strictEqual((await net('GET', SUBNET)).body.properties.addressPrefix, '10.0.1.0/24');
    const other = await net('PUT', `${VNET}/subnets/other`, {
      properties: { addressPrefix: '10.0.2.0/24' },
    });
    assert.strictEqual(other.status, 201);
    const vnet = (await net('GET', VNET)).body;
    assert.deepStrictEqual(
      vnet.properties.subnets.map((s: any) => [s.name, s.id]),
      [
        ['hosts', SUBNET],
        ['other', `${VNET}/subnets/other`],
      ],
    );
    assert.strictEqual((await net('DELETE', `${VNET}/subnets/other`)).status, 202);
    await waitFor(() => !sim.state().resources.some((r) => r.id === `${VNET}/subnets/other`));
    assert.deepStrictEqual(
      (await net('GET', VNET)).body.properties.subnets.map((s: any) => s.name),
      ['hosts'],
    );
  });

  it(
    'creates a VM from a gallery image version: VM-managed NIC and OS disk made, no password ' +
      'returned, power state in the instance view',
    async () => {
      const vm = await compute.virtualMachines.beginCreateOrUpdateAndWait(
        'rg-img',
        'avd-7',
        vmBody(IMAGE_TL),
      );
      assert.strictEqual(vm.provisioningState, 'Succeeded');
      assert.strictEqual(vm.osProfile?.adminPassword, undefined);
      assert.deepStrictEqual(vm.zones, ['1']);
      assert.ok(vm.identity?.principalId);
      const nicRef = vm.networkProfile!.networkInterfaces![0];
      assert.strictEqual(
        nicRef.id,
        `${RG}/providers/Microsoft.Network/networkInterfaces/avd-7-nic`,
      );
      assert.strictEqual(nicRef.deleteOption, 'Delete');
      const os = vm.storageProfile!.osDisk!;
      assert.match(os.name!, /^avd-7_OsDisk_1_[0-9a-f]{32}$/);
      assert.strictEqual(os.managedDisk!.id, `${RG}/providers/Microsoft.Compute/disks/${os.name}`);

      const nic = (await net('GET', String(nicRef.id))).body;
      assert.strictEqual(nic.properties.virtualMachine.id, vm.id);
      assert.strictEqual(nic.properties.ipConfigurations[0].properties.subnet.id, SUBNET);
      assert.strictEqual(
        nic.properties.ipConfigurations[0].properties.privateIPAddress,
        '10.0.1.4',
      );
      const disk = await compute.disks.get('rg-img', os.name!);
      assert.strictEqual(disk.managedBy, vm.id);
      assert.strictEqual(disk.diskState, 'Attached');
      assert.strictEqual(disk.sku?.name, 'StandardSSD_LRS');
      assert.strictEqual(
        disk.creationData?.galleryImageReference?.id,
        `${IMAGE_TL}/versions/2.0.0`,
      );
      const subnet = (await net('GET', SUBNET)).body;
      assert.deepStrictEqual(subnet.properties.ipConfigurations, [
        { id: `${nicRef.id}/ipConfigurations/ipconfig1` },
      ]);

      const expanded = await compute.virtualMachines.get('rg-img', 'avd-7', {
        expand: 'instanceView',
      });
      assert.deepStrictEqual(
        expanded.instanceView?.statuses?.map((s) => s.code),
        ['ProvisioningState/succeeded', 'PowerState/running'],
      );
      assert.strictEqual(expanded.instanceView?.computerName, 'avd-7');
      assert.strictEqual(
        (await compute.virtualMachines.get('rg-img', 'avd-7')).instanceView,
        undefined,
      );

      await compute.virtualMachines.beginDeallocateAndWait('rg-img', 'avd-7');
      const view = await compute.virtualMachines.instanceView('rg-img', 'avd-7');
      assert.strictEqual(view.statuses?.[1].code, 'PowerState/deallocated');
      await compute.virtualMachines.beginStartAndWait('rg-img', 'avd-7');
      assert.strictEqual(
        (await compute.virtualMachines.instanceView('rg-img', 'avd-7')).statuses?.[1].code,
        'PowerState/running',
      );

      const tagged = await compute.virtualMachines.beginUpdateAndWait('rg-img', 'avd-7', {
        tags: { role: 'avd', 'avd-drain': 'true' },
      });
      assert.deepStrictEqual(tagged.tags, { role: 'avd', 'avd-drain': 'true' });
      const dump = JSON.stringify(sim.state().resources);
      assert.ok(!dump.includes('S3cret!pass'));
    },
  );

  it('a definition id means its latest version replicated where the VM is', async () => {
    const vm = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      'rg-img',
      'avd-8',
      vmBody(IMAGE_WIN, { osProfile: { adminUsername: 'a', adminPassword: 'x' } }),
    );
    const disk = await compute.disks.get('rg-img', vm.storageProfile!.osDisk!.name!);
    // 1.0.1 is newer but only in North Europe.
    assert.strictEqual(disk.creationData?.galleryImageReference?.id, `${IMAGE_WIN}/versions/1.0.0`);
  });

  it(
    "refuses what Compute refuses: an image not in the VM's region, a TrustedLaunch image on a " +
      'Standard VM, TrustedLaunch on a Gen1 image, a subnet that does not exist, no admin ' +
      'password, VM-managed NICs without networkApiVersion',
    async () => {
      const refused = async (name: string, body: VirtualMachine, status: number, code: string) => {
        let message = '';
        await assert.rejects(
          compute.virtualMachines.beginCreateOrUpdateAndWait('rg-img', name, body),
          (e: any) => {
            assert.strictEqual(e.statusCode, status, e.message);
            assert.strictEqual(e.code, code);
            message = e.message;
            return true;
          },
        );
        return message;
      };
      const notReplicated = await refused(
        'bad-1',
        vmBody(`${IMAGE_WIN}/versions/1.0.1`),
        404,
        'GalleryImageNotFound',
      );
      assert.strictEqual(
        notReplicated,
        `The gallery image ${IMAGE_WIN}/versions/1.0.1 is not available in westeurope region. ` +
          'Please contact image owner to replicate to this region, or change your requested ' +
          'region.',
      );
      const standard = await refused(
        'bad-2',
        vmBody(IMAGE_TL, { securityProfile: undefined }),
        400,
        'BadRequest',
      );
      assert.match(standard, /only supports creation of VMs .* with 'TrustedLaunch' security type/);
      const gen1 = await refused('bad-3', vmBody(IMAGE_G1), 400, 'BadRequest');
      assert.match(gen1, /Hyper-V Generation 'V1'/);
      const missing = `${VNET}/subnets/nope`;
      const body = vmBody(IMAGE_TL);
      body.networkProfile!.networkInterfaceConfigurations![0].ipConfigurations![0].subnet = {
        id: missing,
      };
      const noSubnet = await refused('bad-4', body, 400, 'InvalidResourceReference');
      assert.match(noSubnet, new RegExp(`^Resource ${missing} referenced by resource .*bad-4 was`));
      const noPassword = await refused(
        'bad-5',
        vmBody(IMAGE_TL, { osProfile: { computerName: 'bad-5', adminUsername: 'a' } }),
        400,
        'InvalidParameter',
      );
      assert.strictEqual(noPassword, "Required parameter 'adminPassword' is missing (null).");
      const noApiVersion = vmBody(IMAGE_TL);
      delete noApiVersion.networkProfile!.networkApiVersion;
      assert.match(
        await refused('bad-6', noApiVersion, 400, 'InvalidParameter'),
        /'networkApiVersion' is missing/,
      );
      assert.ok(!sim.state().resources.some((r) => /\/bad-\d/.test(r.id)));
    },
  );

  it(
    'extensions: protectedSettings are stored for the VM but shown by no GET, list or state ' +
      'dump',
    async () => {
      const ext = await compute.virtualMachineExtensions.beginCreateOrUpdateAndWait(
        'rg-img',
        'avd-7',
        'custom',
        {
          location: 'westeurope',
          publisher: 'Microsoft.Compute',
          typePropertiesType: 'CustomScriptExtension',
          typeHandlerVersion: '1.10',
          settings: { fileUris: [] },
          protectedSettings: { commandToExecute: 'echo TopSecretValue' },
        },
      );
      assert.strictEqual(ext.provisioningState, 'Succeeded');
      assert.strictEqual(ext.protectedSettings, undefined);
      const listed = await compute.virtualMachineExtensions.list('rg-img', 'avd-7');
      assert.deepStrictEqual(
        listed.value?.map((e) => [e.name, e.protectedSettings]),
        [['custom', undefined]],
      );
      const vm = await compute.virtualMachines.get('rg-img', 'avd-7');
      assert.deepStrictEqual(
        vm.resources?.map((r) => r.name),
        ['custom'],
      );
      assert.ok(!JSON.stringify(sim.state().resources).includes('TopSecretValue'));
    },
  );

  it('deleting a VM deletes or detaches its NIC and OS disk by deleteOption', async () => {
    const detachBody = vmBody(IMAGE_TL, { osProfile: { adminUsername: 'a', adminPassword: 'x' } });
    detachBody.storageProfile!.osDisk!.deleteOption = 'Detach';
    detachBody.networkProfile!.networkInterfaceConfigurations![0].deleteOption = 'Detach';
    const kept = await compute.virtualMachines.beginCreateOrUpdateAndWait(
      'rg-img',
      'avd-9',
      detachBody,
    );
    const gone = await compute.virtualMachines.get('rg-img', 'avd-7');
    await compute.virtualMachines.beginDeleteAndWait('rg-img', 'avd-7');
    await compute.virtualMachines.beginDeleteAndWait('rg-img', 'avd-9');
    const ids = sim.state().resources.map((r) => r.id);
    assert.ok(!ids.includes(gone.networkProfile!.networkInterfaces![0].id!));
    assert.ok(!ids.includes(gone.storageProfile!.osDisk!.managedDisk!.id!));
    assert.ok(!ids.some((id) => id.startsWith(`${gone.id}/`)), 'extensions go with the VM');
    const nic = (await net('GET', kept.networkProfile!.networkInterfaces![0].id!)).body;
    assert.strictEqual(nic.properties.virtualMachine, undefined);
    const disk = await compute.disks.get('rg-img', kept.storageProfile!.osDisk!.name!);
    assert.strictEqual(disk.diskState, 'Unattached');
    assert.strictEqual(disk.managedBy, undefined);
    await compute.disks.beginDeleteAndWait('rg-img', disk.name!);
    assert.strictEqual((await net('DELETE', nic.id)).status, 202);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
