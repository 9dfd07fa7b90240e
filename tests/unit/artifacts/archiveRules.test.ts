import * as assert from 'assert';
import bufferCrc32 = require('buffer-crc32');
import { artifactBlobName } from '../../../tasks/common/artifacts';
import { EntropySampler, hasCompressedExtension, shouldStore } from '../../../tasks/common/artifacts/compression';
import { crc32 } from '../../../tasks/common/artifacts/crc32';
import { randomBytes } from './support';

describe('artifacts: store or deflate', () => {
  it('stores compressed formats by extension, case-insensitively', () => {
    for (const name of ['a.zip', 'dir/b.NUPKG', 'setup.msi', 'x.tar.gz', 'pic.JPG', 'w.whl', 'lib.jar', 'c.7z', 'v.mp4', 'd.cab']) {
      assert.ok(hasCompressedExtension(name), name);
    }
    for (const name of ['a.txt', 'zip', 'dir.zip/readme', 'script.ps1', 'app.exe']) assert.ok(!hasCompressedExtension(name), name);
  });

  it('stores large incompressible content under any name, deflates text and small files', () => {
    const sample = (buf: Buffer) => {
      const s = new EntropySampler();
      for (let i = 0; i < buf.length; i += 1024 * 1024) s.add(buf.subarray(i, i + 1024 * 1024));
      return s;
    };
    const random = randomBytes(200 * 1024);
    const text = Buffer.from('Write-Host "installing component"\r\n'.repeat(6000));
    assert.strictEqual(shouldStore('payload.bin', random.length, sample(random)), true);
    assert.strictEqual(shouldStore('notes.log', text.length, sample(text)), false);
    assert.strictEqual(shouldStore('small.bin', 1000, sample(random.subarray(0, 1000))), false);
    assert.strictEqual(shouldStore('empty.txt', 0, new EntropySampler()), true);
  });
});

describe('artifacts: blob name and CRC', () => {
  it('names the blob after the folder (URL-safe) and the content hash', () => {
    const hash = 'ab'.repeat(32);
    assert.strictEqual(artifactBlobName('drop', hash), `artifacts/drop-${'ab'.repeat(10)}.zip`);
    assert.strictEqual(artifactBlobName('My Drop (x64)', hash, 'x/'), `x/My-Drop-x64-${'ab'.repeat(10)}.zip`);
    assert.strictEqual(artifactBlobName('...', hash), `artifacts/artifacts-${'ab'.repeat(10)}.zip`);
  });

  it('the CRC-32 of zip entries agrees with the textbook CRC-32 and with the fallback for older Node, chained or not', () => {
    // Bit by bit, polynomial 0xEDB88320: independent of both zlib and buffer-crc32.
    const reference = (data: Buffer) => {
      let crc = ~0;
      for (const byte of data) {
        crc ^= byte;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
      }
      return ~crc >>> 0;
    };
    const data = randomBytes(100_000, 'crc');
    assert.strictEqual(crc32(Buffer.from('The quick brown fox jumps over the lazy dog'), 0), 0x414fa339);
    assert.strictEqual(crc32(data, 0), reference(data));
    assert.strictEqual(crc32(data.subarray(50_000), crc32(data.subarray(0, 50_000), 0)), reference(data));
    assert.strictEqual(bufferCrc32.unsigned(data.subarray(50_000), bufferCrc32.unsigned(data.subarray(0, 50_000))), reference(data));
  });
});
