import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import bufferCrc32 = require('buffer-crc32');
import { artifactBlobName } from '../../../tasks/common/artifacts';
import {
  bitsPerByte,
  hasCompressedExtension,
  SAMPLE_SPAN,
  SAMPLE_STRIDE,
  shouldStore,
} from '../../../tasks/common/artifacts/compression';
import { crc32 } from '../../../tasks/common/artifacts/crc32';
import { HashWorkers } from '../../../tasks/common/artifacts/hashWorkers';
import { randomBytes, tempDir, writeTree } from './support';

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

describe('artifacts: hashing threads', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it(
    'give each file its sha256 and the histogram of the first bytes of every stride, several ' +
      'files at once',
    async () => {
      const dir = tempDir();
      dirs.push(dir);
      const big = Buffer.concat([
        randomBytes(2 * SAMPLE_STRIDE + 5000, 'big'),
        Buffer.alloc(SAMPLE_STRIDE, 'a'),
      ]);
      const files = { 'big.bin': big, 'small.txt': Buffer.from('small'), empty: Buffer.alloc(0) };
      writeTree(dir, files);
      const workers = new HashWorkers();
      try {
        let bytes = 0;
        const results = await Promise.all(
          Object.keys(files).map((name) =>
            workers.hash(
              path.join(dir, name),
              files[name as keyof typeof files].length,
              (n) => (bytes += n),
            ),
          ),
        );
        for (const [i, [name, content]] of Object.entries(files).entries()) {
          assert.strictEqual(
            results[i].sha256,
            crypto.createHash('sha256').update(content).digest('hex'),
            name,
          );
          assert.strictEqual(results[i].read, content.length, name);
        }
        assert.strictEqual(bytes, big.length + 5);
        const expected = new Uint32Array(256);
        for (let at = 0; at < big.length; at++)
          if (at % SAMPLE_STRIDE < SAMPLE_SPAN) expected[big[at]]++;
        assert.deepStrictEqual(results[0].histogram, expected);
        assert.strictEqual(results[1].histogram, undefined, 'files under 64 KiB are not sampled');
        await assert.rejects(
          workers.hash(path.join(dir, 'missing'), 1, () => undefined),
          (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
        );
      } finally {
        await workers.stop(new Error('done'));
      }
      await assert.rejects(
        workers.hash(path.join(dir, 'big.bin'), big.length, () => undefined),
        /done/,
      );
    },
  );
});

describe('artifacts: blob name and CRC', () => {
  it('names the blob after the folder (URL-safe) and the content hash', () => {
    const hash = 'ab'.repeat(32);
    assert.strictEqual(artifactBlobName('drop', hash), `artifacts/drop-${'ab'.repeat(10)}.zip`);
    assert.strictEqual(
      artifactBlobName('My Drop (x64)', hash, 'x/'),
      `x/My-Drop-x64-${'ab'.repeat(10)}.zip`,
    );
    assert.strictEqual(artifactBlobName('...', hash), `artifacts/artifacts-${'ab'.repeat(10)}.zip`);
  });

  it(
    'the CRC-32 of zip entries agrees with the textbook CRC-32 and with the fallback for ' +
      'older Node, chained or not',
    () => {
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
      assert.strictEqual(
        crc32(Buffer.from('The quick brown fox jumps over the lazy dog'), 0),
        0x414fa339,
      );
      assert.strictEqual(crc32(data, 0), reference(data));
      assert.strictEqual(
        crc32(data.subarray(50_000), crc32(data.subarray(0, 50_000), 0)),
        reference(data),
      );
      assert.strictEqual(
        bufferCrc32.unsigned(data.subarray(50_000), bufferCrc32.unsigned(data.subarray(0, 50_000))),
        reference(data),
      );
    },
  );
});
