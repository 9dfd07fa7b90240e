import * as assert from 'assert';
import {
  bitsPerByte,
  hasCompressedExtension,
  shouldStore,
} from '../../../tasks/common/artifacts/compression';
import { randomBytes } from './support';

describe('artifacts: store or deflate', () => {
  it('stores compressed formats by extension, case-insensitively', () => {
    for (const name of [
      'a.zip',
      'dir/b.NUPKG',
      'setup.msi',
      'x.tar.gz',
      'pic.JPG',
      'w.whl',
      'lib.jar',
      'c.7z',
      'v.mp4',
      'd.cab',
    ]) {
      assert.ok(hasCompressedExtension(name), name);
    }
    for (const name of ['a.txt', 'zip', 'dir.zip/readme', 'script.ps1', 'app.exe'])
      assert.ok(!hasCompressedExtension(name), name);
  });

  it('stores large incompressible content under any name, deflates text and small files', () => {
    const histogram = (buf: Buffer) => {
      const h = new Uint32Array(256);
      for (const byte of buf) h[byte]++;
      return h;
    };
    const random = randomBytes(200 * 1024);
    const text = Buffer.from('Write-Host "installing component"\r\n'.repeat(6000));
    assert.strictEqual(
      shouldStore('payload.bin', random.length, bitsPerByte(histogram(random))),
      true,
    );
    assert.strictEqual(shouldStore('notes.log', text.length, bitsPerByte(histogram(text))), false);
    assert.strictEqual(shouldStore('small.bin', 1000, undefined), false);
    assert.strictEqual(shouldStore('empty.txt', 0, undefined), true);
    assert.strictEqual(bitsPerByte(new Uint32Array(256)), 0);
  });
});
