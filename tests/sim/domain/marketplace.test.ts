// The marketplace image catalog: generation from the sku, the default catalog and a scenario's
// list, through @azure/arm-compute (virtualMachineImages.list / get) as BuildImage resolves
// `latest`.
import * as assert from 'assert';
import { RunningSim, startSimulator } from '../index';
import {
  compareVersions,
  defaultVersions,
  generationFromSku,
  MarketplaceCatalog,
} from './marketplace';
import { clients } from './support';

describe('simulator: marketplace catalog', function () {
  this.timeout(20000);

  it('reads the Hyper-V generation from the sku name', () => {
    for (const sku of [
      '2022-datacenter-g2',
      '22_04-lts-gen2',
      'win10-22h2-avd-g2',
      'Gen2',
      'foo-GEN2-bar',
      '2019-Datacenter-smalldisk-g2',
      'win11-23h2-avd',
    ])
      assert.strictEqual(generationFromSku(sku), 'V2', sku);
    for (const sku of ['2019-Datacenter', '22_04-lts', 'gen22', 'g2x-server', '20h2-evd'])
      assert.strictEqual(generationFromSku(sku), 'V1', sku);
  });

  it('default versions are stable, three, and sort numerically', () => {
    const v = defaultVersions('Canonical', 'ubuntu', '22_04-lts');
    assert.deepStrictEqual(v, defaultVersions('canonical', 'UBUNTU', '22_04-LTS'));
    assert.strictEqual(v.length, 3);
    assert.deepStrictEqual([...v].sort(compareVersions), v);
    assert.ok(compareVersions('10.0.1', '9.9.9') > 0);
    const c = new MarketplaceCatalog([
      { publisher: 'p', offer: 'o', sku: 's', versions: ['1.2.10', '1.2.9'] },
    ]);
    assert.strictEqual(c.latest('westeurope', 'P', 'O', 'S'), '1.2.10');
    assert.strictEqual(c.find('westeurope', 'p', 'o', 'other'), undefined);
    assert.throws(
      () => new MarketplaceCatalog([{ publisher: 'bad name', offer: 'o', sku: 's' }]),
      /scenario\.marketplace\[0\]\.publisher/,
    );
  });

  describe('over HTTPS', () => {
    let open: RunningSim;
    let restricted: RunningSim;
    before(async () => {
      open = await startSimulator({ scenario: {} });
      restricted = await startSimulator({
        scenario: {
          marketplace: [
            {
              publisher: 'MicrosoftWindowsDesktop',
              offer: 'office-365',
              sku: 'win11-23h2-avd-m365',
              versions: ['22631.4460.241106', '22631.4317.241009'],
            },
            {
              publisher: 'center-for-internet-security-inc',
              offer: 'cis-windows-server',
              sku: 'cis-ws2022-l1',
              versions: ['1.0.0'],
              plan: {
                name: 'cis-ws2022-l1',
                product: 'cis-windows-server',
                publisher: 'center-for-internet-security-inc',
              },
            },
          ],
        },
      });
    });
    after(async () => {
      await open?.stop();
      await restricted?.stop();
    });

    it(
      'by default any well-formed image exists: latest by $orderby=name desc&$top=1, Gen2 ' +
        'from the sku',
      async () => {
        const { compute } = clients(open);
        const list = await compute.virtualMachineImages.list(
          'westeurope',
          'MicrosoftWindowsServer',
          'WindowsServer',
          '2022-datacenter-azure-edition-g2',
          { orderby: 'name desc', top: 1 },
        );
        assert.strictEqual(list.length, 1);
        const all = await compute.virtualMachineImages.list(
          'westeurope',
          'MicrosoftWindowsServer',
          'WindowsServer',
          '2022-datacenter-azure-edition-g2',
        );
        assert.strictEqual(all.length, 3);
        assert.strictEqual(list[0].name, all[2].name);
        const image = await compute.virtualMachineImages.get(
          'westeurope',
          'MicrosoftWindowsServer',
          'WindowsServer',
          '2022-datacenter-azure-edition-g2',
          list[0].name,
        );
        assert.strictEqual(image.hyperVGeneration, 'V2');
        assert.strictEqual(image.osDiskImage?.operatingSystem, 'Windows');
        assert.strictEqual(image.plan, undefined);
        const [ubuntu] = await compute.virtualMachineImages.list(
          'westeurope',
          'Canonical',
          '0001-com-ubuntu-server-jammy',
          '22_04-lts',
          { top: 1 },
        );
        const v1 = await compute.virtualMachineImages.get(
          'westeurope',
          'Canonical',
          '0001-com-ubuntu-server-jammy',
          '22_04-lts',
          ubuntu.name,
        );
        assert.strictEqual(v1.hyperVGeneration, 'V1');
        assert.strictEqual(v1.osDiskImage?.operatingSystem, 'Linux');
      },
    );

    it(
      'a scenario catalog is exact: unlisted images and versions answer 404 "Artifact: ' +
        'VMImage was not found."; plans as listed',
      async () => {
        const { compute } = clients(restricted);
        const list = await compute.virtualMachineImages.list(
          'westeurope',
          'MicrosoftWindowsDesktop',
          'office-365',
          'win11-23h2-avd-m365',
          { orderby: 'name desc', top: 1 },
        );
        assert.strictEqual(list[0].name, '22631.4460.241106');
        const notFound = (e: any): boolean =>
          e.statusCode === 404 &&
          e.code === 'NotFound' &&
          e.message === 'Artifact: VMImage was not found.';
        await assert.rejects(
          compute.virtualMachineImages.list(
            'westeurope',
            'MicrosoftWindowsServer',
            'WindowsServer',
            '2022-datacenter',
          ),
          notFound,
        );
        await assert.rejects(
          compute.virtualMachineImages.get(
            'westeurope',
            'MicrosoftWindowsDesktop',
            'office-365',
            'win11-23h2-avd-m365',
            '1.0.0',
          ),
          notFound,
        );
        const cis = await compute.virtualMachineImages.get(
          'westeurope',
          'center-for-internet-security-inc',
          'cis-windows-server',
          'cis-ws2022-l1',
          '1.0.0',
        );
        assert.deepStrictEqual(cis.plan, {
          name: 'cis-ws2022-l1',
          product: 'cis-windows-server',
          publisher: 'center-for-internet-security-inc',
        });
      },
    );
  });
});
