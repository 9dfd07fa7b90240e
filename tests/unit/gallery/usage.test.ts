import * as assert from 'assert';
import { devBoxVersion, referencedVersion } from '../../../tasks/common/gallery/usage';
import { DEF, SUB } from './fixtures';

describe('gallery: versions in use', () => {
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
