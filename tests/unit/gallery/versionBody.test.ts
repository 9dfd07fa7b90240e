import * as assert from 'assert';
import { classifySource, storageAccountNameOf } from '../../../tasks/common/gallery/sourceRef';
import { devBoxVersion, referencedVersion } from '../../../tasks/common/gallery/usage';
import { imageRefsIn } from '../../../tasks/common/hostpool/model';
import { newVersionBody, updatedVersionBody } from '../../../tasks/common/gallery/versionBody';
import { DEF, IMAGE, SUB, VM } from './fixtures';

describe('gallery: sources and request bodies', () => {
  it('tells the kind of source from its value', () => {
    assert.strictEqual(classifySource(IMAGE, 'auto'), 'managedImage');
    assert.strictEqual(classifySource(VM, 'auto'), 'virtualMachine');
    assert.strictEqual(classifySource(`${DEF}/versions/1.0.0`, 'auto'), 'galleryImageVersion');
    assert.strictEqual(
      classifySource('https://acct.blob.core.windows.net/vhds/os.vhd', 'vhd'),
      'vhd',
    );
    assert.throws(
      () => classifySource(DEF, 'auto'),
      /Microsoft\.Compute\/galleries\/images resource, which can't be the source/,
    );
  });

  it('finds the storage account of a VHD from its URI', () => {
    assert.strictEqual(
      storageAccountNameOf('https://imgstore01.blob.core.windows.net/vhds/os.vhd?sv=1'),
      'imgstore01',
    );
    assert.strictEqual(
      storageAccountNameOf('https://imgstore01.blob.core.usgovcloudapi.net/vhds/os.vhd'),
      'imgstore01',
    );
    assert.strictEqual(
      storageAccountNameOf('https://127.0.0.1:10000/devstore1/vhds/os.vhd'),
      'devstore1',
    );
  });

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

  it('an update keeps what is stored, writable parts only; promotion clears every region flag', () => {
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

  it('finds gallery image ids in a host pool session host template', () => {
    const template = JSON.stringify({
      imageType: 'CustomImage',
      customImageId: `${DEF}/versions/1.0.1`,
      osDiskType: 'Premium_LRS',
      nested: [{ galleryImageId: DEF }],
    });
    assert.deepStrictEqual(imageRefsIn(template), [{ id: `${DEF}/versions/1.0.1` }, { id: DEF }]);
    assert.deepStrictEqual(imageRefsIn('not json'), []);
  });

  it('tells which version of the definition an image reference uses', () => {
    const def = {
      subscriptionId: SUB,
      resourceGroup: 'rg-images',
      gallery: 'golden',
      definition: 'win11',
    };
    assert.strictEqual(
      referencedVersion({ id: `${DEF.toUpperCase()}/versions/1.0.1` }, def, undefined),
      '1.0.1',
      'ids compare case-insensitively',
    );
    assert.strictEqual(
      referencedVersion({ id: DEF, exactVersion: '1.0.4' }, def, undefined),
      '1.0.4',
      'latest, as resolved for that VM',
    );
    assert.strictEqual(
      referencedVersion({ id: DEF.replace('win11', 'win10') + '/versions/1.0.1' }, def, undefined),
      undefined,
    );
    assert.strictEqual(referencedVersion({ publisher: 'x' } as never, def, undefined), undefined);
    assert.strictEqual(
      referencedVersion(
        { sharedGalleryImageId: '/SharedGalleries/SUB-GOLDEN/Images/win11/Versions/1.0.2' },
        def,
        'sub-golden',
      ),
      '1.0.2',
    );
    assert.strictEqual(
      referencedVersion(
        {
          sharedGalleryImageId: '/SharedGalleries/SUB-GOLDEN/Images/win11/Versions/latest',
          exactVersion: '1.0.5',
        },
        def,
        'sub-golden',
      ),
      '1.0.5',
    );
    const dc =
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.DevCenter/devcenters/dc-1/galleries';
    assert.strictEqual(
      devBoxVersion({ id: `${dc}/corpimages/images/win11/versions/1.0.2` }, ['corpimages'], def),
      '1.0.2',
    );
    assert.strictEqual(
      devBoxVersion(
        { id: `${dc}/corpimages/images/win11`, exactVersion: '1.0.3' },
        ['corpimages'],
        def,
      ),
      '1.0.3',
    );
    assert.strictEqual(
      devBoxVersion({ id: `${dc}/other/images/win11/versions/1.0.2` }, ['corpimages'], def),
      undefined,
      'another attached gallery',
    );
  });
});
