import * as assert from 'assert';
import { newVersionBody, updatedVersionBody } from '../../../tasks/common/gallery/versionBody';
import { IMAGE, VM } from './fixtures';

describe('gallery: version request bodies', () => {
  it('a new version: source by kind, VHD without its SAS, protection only when asked', () => {
    const common = {
      location: 'westeurope',
      targetRegions: [
        { name: 'westeurope', regionalReplicaCount: 1, storageAccountType: 'Standard_LRS' },
      ],
      excludeFromLatest: true,
      blockDeletionBeforeEndOfLife: false,
      tags: { a: 'b' },
    };
    assert.deepStrictEqual(
      newVersionBody({ ...common, source: { kind: 'virtualMachine', ref: VM } }),
      {
        location: 'westeurope',
        tags: { a: 'b' },
        publishingProfile: { targetRegions: common.targetRegions, excludeFromLatest: true },
        storageProfile: { source: { virtualMachineId: VM } },
      },
    );
    const vhd = newVersionBody({
      ...common,
      source: {
        kind: 'vhd',
        ref: 'https://a.blob.core.windows.net/v/os.vhd?sig=SECRET',
        storageAccountId:
          '/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a',
      },
    });
    assert.deepStrictEqual(vhd.storageProfile, {
      osDiskImage: {
        source: {
          uri: 'https://a.blob.core.windows.net/v/os.vhd',
          storageAccountId:
            '/subscriptions/s/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/a',
        },
      },
    });
    const eol = new Date('2027-01-01T00:00:00Z');
    const protectedOne = newVersionBody({
      ...common,
      source: { kind: 'managedImage', ref: IMAGE },
      endOfLifeDate: eol,
      blockDeletionBeforeEndOfLife: true,
    });
    assert.deepStrictEqual(protectedOne.safetyProfile, { blockDeletionBeforeEndOfLife: true });
    assert.strictEqual(protectedOne.publishingProfile?.endOfLifeDate, eol);
  });

  it('an update keeps what is stored (writable parts); promotion clears every region flag', () => {
    const stored = {
      location: 'westeurope',
      tags: { t: '1' },
      provisioningState: 'Succeeded',
      publishingProfile: {
        targetRegions: [{ name: 'West Europe', regionalReplicaCount: 2, excludeFromLatest: true }],
        replicaCount: 1,
        excludeFromLatest: true,
        storageAccountType: 'Standard_LRS',
        publishedDate: new Date(),
      },
      storageProfile: {
        source: { id: IMAGE },
        osDiskImage: { sizeInGB: 127, hostCaching: 'ReadWrite' as const },
      },
      safetyProfile: {
        allowDeletionOfReplicatedLocations: false,
        reportedForPolicyViolation: false,
      },
    };
    const promoted = updatedVersionBody(stored, { excludeFromLatest: false });
    assert.deepStrictEqual(promoted, {
      location: 'westeurope',
      tags: { t: '1' },
      publishingProfile: {
        targetRegions: [{ name: 'West Europe', regionalReplicaCount: 2, excludeFromLatest: false }],
        replicaCount: 1,
        excludeFromLatest: false,
        endOfLifeDate: undefined,
        storageAccountType: 'Standard_LRS',
      },
      storageProfile: { source: { id: IMAGE } },
      safetyProfile: {
        allowDeletionOfReplicatedLocations: false,
        blockDeletionBeforeEndOfLife: undefined,
      },
    });
  });
});
