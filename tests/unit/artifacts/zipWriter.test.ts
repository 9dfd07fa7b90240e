import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import JSZip from 'jszip';
import { ZipFile } from 'yazl';
import { ArchiveSink, DigestSink } from '../../../tasks/common/artifacts/archiveSink';
import { digestFolder, FolderDigest } from '../../../tasks/common/artifacts/contentHash';
import { scanFolder, ScannedFolder } from '../../../tasks/common/artifacts/folderScan';
import { DEFLATE_LEVEL, writeZip } from '../../../tasks/common/artifacts/zipWriter';
import { randomBytes, tempDir, writeTree } from './support';

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

/** Collects the archive, offering odd-sized space so that headers and data straddle its edges. */
class MemorySink implements ArchiveSink {
  private readonly chunks: Buffer[] = [];
  private current = Buffer.alloc(0);
  constructor(private readonly spaceSize = 1000) {}
  space(): Promise<Buffer> {
    this.current = Buffer.alloc(this.spaceSize);
    return Promise.resolve(this.current);
  }
  filled(n: number): Promise<void> {
    this.chunks.push(Buffer.from(this.current.subarray(0, n)));
    return Promise.resolve();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/**
 * The same archive written by yazl (thejoshwolfe/yazl), the library this writer replaced: the
 * reference.
 */
function yazlArchive(scan: ScannedFolder, digest: FolderDigest, zip64 = false): Promise<Buffer> {
  const zip = new ZipFile();
  const mtime = new Date(2020, 0, 1, 0, 0, 0);
  scan.entries.forEach((e, i) => {
    if (e.kind === 'dir') {
      // yazl reads forceZip64Format for directories too; its types leave it out.
      zip.addEmptyDirectory(e.path, {
        mtime,
        mode: e.mode,
        forceDosTimestamp: true,
        forceZip64Format: zip64,
      } as Parameters<ZipFile['addEmptyDirectory']>[1]);
    } else {
      const level = digest.files[i]!.store ? 0 : DEFLATE_LEVEL;
      zip.addReadStream(fs.createReadStream(e.source), e.path, {
        mtime,
        mode: e.mode,
        forceDosTimestamp: true,
        size: e.size,
        compressionLevel: level,
        forceZip64Format: zip64,
      });
    }
  });
  zip.end({ forceZip64Format: zip64, comment: '' });
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    zip.outputStream
      .on('data', (d: Buffer) => parts.push(d))
      .on('end', () => resolve(Buffer.concat(parts)))
      .on('error', reject);
  });
}

describe('artifacts: zip writer', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  const sample = async () => {
    const root = tempDir();
    dirs.push(root);
    writeTree(root, {
      'install.ps1': 'Write-Host "installing"\r\n'.repeat(5000),
      'scripts/setup.sh': '#!/bin/sh\necho hi\n',
      'payload/data.bin': randomBytes(3 * 1024 * 1024 + 17, 'payload'),
      'packages/Contoso.1.0.0.nupkg': randomBytes(70_000, 'nupkg'),
      'logs/big.log': Buffer.from(
        '2024-11-05T10:22:31Z INFO download completed 1234 bytes\n'.repeat(60_000),
      ),
      'café/ünïcødé 文件.txt': 'utf-8 names',
      'empty.txt': '',
    });
    fs.chmodSync(path.join(root, 'scripts/setup.sh'), 0o755);
    fs.mkdirSync(path.join(root, 'nothing/here'), { recursive: true });
    const scan = await scanFolder(root);
    return { root, scan, digest: await digestFolder(scan) };
  };

  it('writes the very bytes yazl writes for the same folder, which zip readers take', async () => {
    const { root, scan, digest } = await sample();
    assert.deepStrictEqual(
      Array.from(digest.files, (f) => f?.store),
      scan.entries.map((e) =>
        e.kind === 'dir' ? undefined : !/\.(ps1|sh|log|txt)$/.test(e.path) || e.size === 0,
      ),
    );
    const sink = new MemorySink(997);
    const progress: number[] = [];
    await writeZip(scan, digest, sink, { onProgress: (p) => progress.push(p.bytes) });
    const ours = sink.bytes();
    const reference = await yazlArchive(scan, digest);
    assert.strictEqual(ours.length, reference.length);
    assert.ok(
      ours.equals(reference),
      `archives differ from byte ${ours.findIndex((b, i) => b !== reference[i])}`,
    );
    assert.strictEqual(progress.at(-1), scan.bytes);

    const archive = await JSZip.loadAsync(ours, { checkCRC32: true });
    const back = Buffer.from(await archive.file('payload/data.bin')!.async('uint8array'));
    assert.ok(back.equals(fs.readFileSync(path.join(root, 'payload/data.bin'))));
    if (hasUnzip) {
      const file = path.join(root, '..', `${path.basename(root)}.zip`);
      fs.writeFileSync(file, ours);
      const test = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
      fs.rmSync(file);
      assert.strictEqual(test.status, 0, test.stdout + test.stderr);
    }

    const digestSink = new DigestSink();
    await writeZip(scan, digest, digestSink);
    assert.strictEqual(digestSink.sha256(), crypto.createHash('sha256').update(ours).digest('hex'));
    assert.strictEqual(digestSink.bytes, ours.length);
  });

  it(
    'writes ZIP64 records as yazl does, which zip readers take (forced, as for an archive ' +
      'over 4 GiB)',
    async () => {
      const { root, scan, digest } = await sample();
      const sink = new MemorySink(4096);
      await writeZip(scan, digest, sink, { forceZip64: true });
      const ours = sink.bytes();
      const reference = await yazlArchive(scan, digest, true);
      assert.ok(
        ours.equals(reference),
        `archives differ from byte ${ours.findIndex((b, i) => b !== reference[i])}`,
      );
      assert.ok(
        ours.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])),
        'ZIP64 end of central directory record',
      );
      if (hasUnzip) {
        const file = path.join(root, '..', `${path.basename(root)}-64.zip`);
        fs.writeFileSync(file, ours);
        const test = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
        fs.rmSync(file);
        assert.strictEqual(test.status, 0, test.stdout + test.stderr);
      }
    },
  );

  it('fails when a file changed after it was listed, and stops when aborted', async () => {
    const { root, scan, digest } = await sample();
    const reason = new Error('cancelled');
    const controller = new AbortController();
    await assert.rejects(
      writeZip(scan, digest, new MemorySink(), {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytes > 1024 * 1024) controller.abort(reason);
        },
      }),
      (e) => e === reason,
    );

    fs.appendFileSync(path.join(root, 'install.ps1'), 'one more line\r\n');
    await assert.rejects(
      writeZip(scan, digest, new MemorySink()),
      /'install\.ps1' changed while the artifacts folder was being packaged/,
    );
  });
});
