import * as assert from 'assert';
import { checkImageFits, resolveJoin } from '../../../tasks/common/hostpool/checks';
import {
  joinOf,
  templateFromVm,
  templateFromVmTemplate,
} from '../../../tasks/common/hostpool/referenceTemplate';
import { POOL_RG, SUBNET, TARGET, TEMPLATE } from './fixtures';

const refused = (fn: () => void, input: string, message: RegExp) =>
  assert.throws(
    fn,
    (err: Error) =>
      err.name === 'InputError' &&
      err.message.startsWith(`Input '${input}'`) &&
      message.test(err.message),
  );

describe('host pool: checks before any write', () => {
  it('an image not replicated to the hosts’ region names the region and the replicate step', () => {
    refused(
      () => checkImageFits({ ...TARGET, regions: ['northeurope'] }, TEMPLATE),
      'image',
      /not replicated to westeurope.*DistributeToGallery with action: replicate and regions/,
    );
    checkImageFits(
      { ...TARGET, regions: ['westeurope'] },
      { ...TEMPLATE, location: 'West Europe' },
    );
  });

  it('a Gen1 image for Trusted Launch hosts is refused', () => {
    refused(
      () =>
        checkImageFits({ ...TARGET, hyperVGeneration: 'V1', securityType: undefined }, TEMPLATE),
      'image',
      /Hyper-V V1 \(Gen1\), but the pool's hosts are TrustedLaunch/,
    );
  });

  it('a TrustedLaunch-only image for Standard hosts, and a Linux image, are refused', () => {
    const standard = { ...TEMPLATE, securityType: undefined };
    refused(
      () => checkImageFits({ ...TARGET, securityType: 'TrustedLaunch' }, standard),
      'image',
      /only makes Trusted Launch VMs/,
    );
    refused(() => checkImageFits({ ...TARGET, osType: 'Linux' }, TEMPLATE), 'image', /Linux image/);
  });

  it('join auto: as the reference; AD DS needs the password, settings from the reference', () => {
    assert.deepStrictEqual(resolveJoin({ type: 'auto' }, TEMPLATE), {
      type: 'entra',
      intuneEnroll: true,
    });
    const ad = {
      ...TEMPLATE,
      join: { type: 'activeDirectory', domain: 'corp.contoso.com', user: 'joiner@corp' } as const,
    };
    refused(
      () => resolveJoin({ type: 'auto' }, ad),
      'domainJoinPassword',
      /VM avd-prod-3 is AD DS-joined \(joinType auto\).*cannot be read back/,
    );
    assert.deepStrictEqual(resolveJoin({ type: 'auto', domainJoinPassword: 'pw' }, ad), {
      type: 'activeDirectory',
      domain: 'corp.contoso.com',
      ouPath: undefined,
      user: 'joiner@corp',
      password: 'pw',
    });
    refused(
      () => resolveJoin({ type: 'auto' }, { ...TEMPLATE, join: { type: 'unknown' } }),
      'joinType',
      /could not be told/,
    );
  });
});

describe('host pool: the reference template', () => {
  it('from the newest VM: its settings, its join, other extensions listed not copied', () => {
    const t = templateFromVm({
      vm: {
        id: `${POOL_RG}/providers/Microsoft.Compute/virtualMachines/avd-prod-3`,
        name: 'avd-prod-3',
        location: 'westeurope',
        tags: { owner: 'euc', 'gip.rollout.target': 'x' },
        hardwareProfile: { vmSize: 'Standard_D4s_v5' },
        securityProfile: {
          securityType: 'TrustedLaunch',
          uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
        },
        storageProfile: {
          osDisk: {
            createOption: 'FromImage',
            diskSizeGB: 128,
            managedDisk: { storageAccountType: 'Premium_LRS' },
          },
        },
        networkProfile: {
          networkInterfaceConfigurations: [
            { name: 'nic', ipConfigurations: [{ name: 'ip', subnet: { id: SUBNET } }] },
          ],
        },
        osProfile: { adminUsername: 'localadmin' },
      },
      extensions: [
        {
          location: 'westeurope',
          name: 'AADLoginForWindows',
          publisher: 'Microsoft.Azure.ActiveDirectory',
          typePropertiesType: 'AADLoginForWindows',
        },
        {
          location: 'westeurope',
          name: 'MDE.Windows',
          publisher: 'Microsoft.Azure.AzureDefenderForServers',
          typePropertiesType: 'MDE.Windows',
        },
        {
          location: 'westeurope',
          name: 'Microsoft.PowerShell.DSC',
          publisher: 'Microsoft.Powershell',
          typePropertiesType: 'DSC',
          settings: { modulesUrl: 'https://x/Configuration_9.zip' },
        },
      ],
      extras: {},
      poolZones: ['1', '2'],
    });
    assert.strictEqual(t.subnetId, SUBNET);
    assert.strictEqual(t.resourceGroup, 'rg-avd');
    assert.strictEqual(t.osDiskType, 'Premium_LRS');
    assert.strictEqual(t.adminUser, 'localadmin');
    assert.deepStrictEqual(t.tags, { owner: 'euc' });
    assert.deepStrictEqual(t.join, { type: 'entra', intuneEnroll: false });
    assert.deepStrictEqual(t.otherExtensions, ['MDE.Windows']);
    assert.strictEqual(t.dscModulesUrl, 'https://x/Configuration_9.zip');
    assert.deepStrictEqual(t.zones, ['1', '2']);
  });

  it('AD DS join settings are read from JsonADDomainExtension (never a password)', () => {
    assert.deepStrictEqual(
      joinOf([
        {
          location: 'westeurope',
          publisher: 'Microsoft.Compute',
          typePropertiesType: 'JsonADDomainExtension',
          settings: {
            Name: 'corp.contoso.com',
            User: 'joiner@corp',
            OUPath: 'OU=AVD',
            Options: '3',
          },
        },
      ]),
      {
        type: 'activeDirectory',
        domain: 'corp.contoso.com',
        ouPath: 'OU=AVD',
        user: 'joiner@corp',
      },
    );
  });
});

describe('host pool: a pool with no host', () => {
  it("new hosts from the pool's vmTemplate; it names no subnet, so subnetId is needed", () => {
    const vmTemplate = JSON.stringify({
      domain: '',
      aadJoin: true,
      namePrefix: 'avd',
      osDiskType: 'Premium_LRS',
      vmSize: { id: 'Standard_D4s_v5', cores: 4, ram: 16 },
      securityType: 'TrustedLaunch',
      secureBoot: true,
      vTPM: true,
    });
    const t = templateFromVmTemplate(vmTemplate, 'westeurope', { subnetId: SUBNET });
    assert.deepStrictEqual(
      [t.vmSize, t.subnetId, t.securityType, t.secureBoot, t.vTpm, t.osDiskType, t.join.type],
      ['Standard_D4s_v5', SUBNET, 'TrustedLaunch', true, true, 'Premium_LRS', 'entra'],
    );
    refused(() => templateFromVmTemplate(vmTemplate, 'westeurope', {}), 'subnetId', /no subnet/);
    assert.strictEqual(
      templateFromVmTemplate(JSON.stringify({ domain: 'corp.contoso.com', vmSize: 'D2' }), 'x', {
        subnetId: SUBNET,
      }).join.type,
      'activeDirectory',
    );
  });
});
