import * as assert from 'assert';
import { classifySource, storageAccountNameOf } from '../../../tasks/common/gallery/sourceRef';
import { DEF, IMAGE, VM } from './fixtures';

describe('gallery: sources', () => {
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
});
