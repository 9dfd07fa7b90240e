import * as assert from 'assert';
import {
  applyOverrides,
  extensionBodies,
  INTUNE_MDM_ID,
  newVmBody,
} from '../../../tasks/common/hostpool/vmSpec';
import { SUBNET, TEMPLATE, V101 } from './fixtures';

const HOST = {
  name: 'avd-prod-5',
  index: 5,
  zone: '2',
  resourceGroup: 'rg-avd',
  replaces: 'avd-prod-1',
};
const OVERRIDES = { zones: [], vmTags: {} };

describe('host pool: new VM and extension bodies', () => {
  it('a VM like the reference: size, subnet, Trusted Launch, disk, license, tags, zone', () => {
    const body = newVmBody({
      template: TEMPLATE,
      host: HOST,
      imageVersionId: V101,
      adminUser: 'avdadmin',
      adminPassword: 'S3cret-pw!x',
      runUrl: 'https://dev.azure.com/o/p/_build/results?buildId=7',
    });
    assert.strictEqual(body.hardwareProfile?.vmSize, 'Standard_D4s_v5');
    assert.deepStrictEqual(body.zones, ['2']);
    assert.strictEqual(body.storageProfile?.imageReference?.id, V101);
    assert.strictEqual(body.storageProfile?.osDisk?.deleteOption, 'Delete');
    assert.strictEqual(body.storageProfile?.osDisk?.diskSizeGB, 128);
    assert.strictEqual(body.storageProfile?.osDisk?.managedDisk?.storageAccountType, 'Premium_LRS');
    const nic = body.networkProfile?.networkInterfaceConfigurations?.[0];
    assert.strictEqual(nic?.deleteOption, 'Delete');
    assert.strictEqual(nic?.ipConfigurations?.[0].subnet?.id, SUBNET);
    assert.deepStrictEqual(body.securityProfile, {
      securityType: 'TrustedLaunch',
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
    });
    assert.strictEqual(body.licenseType, 'Windows_Client');
    assert.strictEqual(body.osProfile?.computerName, 'avd-prod-5');
    assert.strictEqual(body.osProfile?.adminPassword, 'S3cret-pw!x');
    assert.deepStrictEqual(body.tags, {
      owner: 'euc',
      'gip.rollout.target': V101,
      'gip.rollout.run': 'https://dev.azure.com/o/p/_build/results?buildId=7',
      'gip.rollout.replaces': 'avd-prod-1',
    });
    assert.ok(!JSON.stringify(body.tags).includes('S3cret'));
  });

  it('overrides win; Entra join adds a system-assigned identity', () => {
    const t = applyOverrides(
      { ...TEMPLATE, identity: { type: 'UserAssigned', userAssignedIdentities: ['/id/u1'] } },
      {
        vmSize: 'Standard_D8s_v5',
        zones: ['1', '3'],
        osDiskType: 'StandardSSD_LRS',
        vmTags: { cost: 'x' },
      },
      { type: 'entra', intuneEnroll: false },
    );
    assert.strictEqual(t.vmSize, 'Standard_D8s_v5');
    assert.deepStrictEqual(t.zones, ['1', '3']);
    assert.strictEqual(t.osDiskType, 'StandardSSD_LRS');
    assert.deepStrictEqual(t.tags, { owner: 'euc', cost: 'x' });
    assert.strictEqual(t.identity?.type, 'SystemAssigned, UserAssigned');
    const plain = applyOverrides(TEMPLATE, OVERRIDES, { type: 'entra', intuneEnroll: false });
    assert.deepStrictEqual(plain.identity, { type: 'SystemAssigned' });
  });

  it('Entra: DSC then AADLoginForWindows; the token only in protectedSettings', () => {
    const [dsc, join] = extensionBodies({
      location: 'westeurope',
      hostPoolName: 'hp-prod',
      join: { type: 'entra', intuneEnroll: true },
      registrationToken: 'TOKEN-123',
    });
    assert.strictEqual(dsc.body.publisher, 'Microsoft.Powershell');
    assert.strictEqual(dsc.body.typePropertiesType, 'DSC');
    const settings = dsc.body.settings as Record<string, any>;
    assert.strictEqual(settings.configurationFunction, 'Configuration.ps1\\AddSessionHost');
    assert.strictEqual(settings.properties.hostPoolName, 'hp-prod');
    assert.strictEqual(settings.properties.aadJoin, true);
    assert.strictEqual(settings.properties.mdmId, INTUNE_MDM_ID);
    assert.strictEqual(
      settings.properties.registrationInfoTokenCredential.Password,
      'PrivateSettingsRef:RegistrationInfoToken',
    );
    assert.deepStrictEqual(dsc.body.protectedSettings, {
      Items: { RegistrationInfoToken: 'TOKEN-123' },
    });
    assert.ok(!JSON.stringify(settings).includes('TOKEN-123'));
    assert.strictEqual(join.body.typePropertiesType, 'AADLoginForWindows');
    assert.deepStrictEqual(join.body.settings, { mdmId: INTUNE_MDM_ID });
  });

  it('AD DS: JsonADDomainExtension first, its password only in protectedSettings', () => {
    const [join, dsc] = extensionBodies({
      location: 'westeurope',
      hostPoolName: 'hp-prod',
      join: {
        type: 'activeDirectory',
        domain: 'corp.contoso.com',
        ouPath: 'OU=AVD,DC=corp',
        user: 'joiner@corp.contoso.com',
        password: 'Join-Pa55!',
      },
      registrationToken: 'TOKEN-123',
      dscModulesUrl: 'https://example.invalid/Configuration_1.zip',
    });
    assert.strictEqual(join.body.typePropertiesType, 'JsonADDomainExtension');
    assert.deepStrictEqual(join.body.settings, {
      Name: 'corp.contoso.com',
      OUPath: 'OU=AVD,DC=corp',
      User: 'joiner@corp.contoso.com',
      Restart: 'true',
      Options: '3',
    });
    assert.deepStrictEqual(join.body.protectedSettings, { Password: 'Join-Pa55!' });
    const settings = dsc.body.settings as Record<string, any>;
    assert.strictEqual(settings.modulesUrl, 'https://example.invalid/Configuration_1.zip');
    assert.strictEqual(settings.properties.aadJoin, false);
    assert.ok(!JSON.stringify([join.body.settings, settings]).includes('Join-Pa55!'));
  });
});
