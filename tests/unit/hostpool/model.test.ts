import * as assert from 'assert';
import { imageRefsIn } from '../../../tasks/common/hostpool/model';
import { DEF } from '../gallery/fixtures';

describe('host pool: image references', () => {
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
});
