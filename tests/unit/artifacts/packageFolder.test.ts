import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import JSZip from 'jszip';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { artifactBlobName, packageFolder, PackageProgress } from '../../../tasks/common/artifacts';
import type { RunningSim } from '../../sim';
import {
  blobService,
  centralDirectory,
  randomBytes,
  simWithStorage,
  tempDir,
  writeTree,
} from './support';

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

describe('artifacts: packageFolder against Azurite', function () {
  this.timeout(60000);
  let sim: RunningSim;
  let service: BlobServiceClient;
  let n = 0;
  const dirs: string[] = [];
  /** A new container per test, so tests do not see each other's blobs. */
  const freshContainer = (): ContainerClient => service.getContainerClient(`artifacts${++n}`);
  const folder = (name: string, files: Record<string, string | Buffer>) => {
    const parent = tempDir();
    dirs.push(parent);
    const root = path.join(parent, name);
    fs.mkdirSync(root);
    writeTree(root, files);
    return root;
  };
  const download = async (container: ContainerClient, name: string) =>
    container.getBlobClient(name).downloadToBuffer();

  before(async () => {
    sim = await simWithStorage();
    service = blobService(sim);
  });
  after(async () => {
    dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    await sim?.stop();
  });

  it(
    'round trip: every file comes back from the blob, names are portable, the container is ' +
      'private',
    async () => {
      const files: Record<string, string | Buffer> = {
        'install.ps1': 'Write-Host "installing"\r\n'.repeat(100),
        'scripts/setup.sh': '#!/bin/sh\necho hi\n',
        'deep/er/still/data.bin': randomBytes(100_000),
        'café/ünïcødé 文件.txt': 'utf-8 names',
        'empty.txt': '',
      };
      const root = folder('drop', files);
      fs.chmodSync(path.join(root, 'scripts/setup.sh'), 0o755);
      fs.mkdirSync(path.join(root, 'logs'));
      const container = freshContainer();
      const result = await packageFolder(root, { container });

      assert.match(result.blobName, /^artifacts\/drop-[0-9a-f]{20}\.zip$/);
      assert.strictEqual(result.url, `${container.url}/${result.blobName}`);
      assert.strictEqual(result.uploaded, true);
      assert.strictEqual(result.files, 5);
      const zip = await download(container, result.blobName);
      assert.strictEqual(zip.length, result.bytes);
      assert.strictEqual(sha256(zip), result.sha256);
      assert.strictEqual((await container.getProperties()).blobPublicAccess, undefined);
      const props = await container.getBlobClient(result.blobName).getProperties();
      assert.strictEqual(props.contentType, 'application/zip');
      assert.strictEqual(props.metadata?.sha256, result.sha256);

      const archive = await JSZip.loadAsync(zip, { checkCRC32: true });
      for (const [name, content] of Object.entries(files)) {
        const entry = archive.file(name);
        assert.ok(entry, `missing ${name}`);
        assert.ok(
          Buffer.from(await entry.async('uint8array')).equals(Buffer.from(content)),
          `content of ${name}`,
        );
      }
      const central = centralDirectory(zip);
      assert.deepStrictEqual(
        central.map((e) => e.name).sort(),
        [...Object.keys(files), 'logs/'].sort(),
      );
      for (const e of central) {
        assert.ok(e.flags & 0x800, `UTF-8 flag on ${e.name}`);
        assert.ok(
          !e.name.startsWith('/') && !e.name.includes('\\') && !e.name.split('/').includes('..'),
          e.name,
        );
      }
      assert.strictEqual(central.find((e) => e.name === 'scripts/setup.sh')!.mode, 0o100755);
      assert.strictEqual(central.find((e) => e.name === 'install.ps1')!.mode, 0o100644);
      assert.strictEqual(central.find((e) => e.name === 'logs/')!.mode, 0o40755);

      if (hasUnzip) {
        const file = path.join(path.dirname(root), 'check.zip');
        fs.writeFileSync(file, zip);
        const test = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
        assert.strictEqual(test.status, 0, test.stdout + test.stderr);
        assert.match(test.stdout, /No errors detected/);
      }
    },
  );

  it(
    'a rerun of the same content uploads nothing, even from a fresh checkout; a changed file ' +
      'gives a new name',
    async () => {
      const files = { 'a.txt': 'alpha', 'b/c.txt': 'charlie' };
      const container = freshContainer();
      const first = await packageFolder(folder('app', files), { container });
      const etag = (await container.getBlobClient(first.blobName).getProperties()).etag;

      // Another place, new mtimes.
      const again = await packageFolder(folder('app', files), { container });
      assert.strictEqual(again.uploaded, false);
      assert.deepStrictEqual({ ...again, uploaded: true }, first);
      assert.strictEqual(
        (await container.getBlobClient(first.blobName).getProperties()).etag,
        etag,
      );

      const changed = await packageFolder(folder('app', { ...files, 'b/c.txt': 'charlie!' }), {
        container,
      });
      assert.strictEqual(changed.uploaded, true);
      assert.notStrictEqual(changed.blobName, first.blobName);
      assert.notStrictEqual(changed.sha256, first.sha256);
      const renamed = await packageFolder(
        folder('app', { 'a.txt': 'alpha', 'b/d.txt': 'charlie' }),
        {
          container,
        },
      );
      assert.notStrictEqual(renamed.blobName, first.blobName);
      const names = [];
      for await (const b of container.listBlobsFlat()) names.push(b.name);
      assert.deepStrictEqual(
        names.sort(),
        [first.blobName, changed.blobName, renamed.blobName].sort(),
      );
    },
  );

  it('stores compressed files (by extension, or by content) and deflates the rest', async () => {
    const text =
      'Set-ItemProperty -Path HKLM:\\Software\\Contoso -Name Enabled -Value 1\r\n'.repeat(2000);
    const root = folder('mixed', {
      'tools.zip': text, // named as compressed: stored whatever it holds
      'icon.png': randomBytes(5000, 'png'),
      'pkg/Contoso.1.0.0.nupkg': randomBytes(5000, 'nupkg'),
      'setup.msi': randomBytes(5000, 'msi'),
      'payload.bin': randomBytes(300_000, 'bin'),
      'config.ps1': text,
    });
    const container = freshContainer();
    const result = await packageFolder(root, { container });
    const methods = Object.fromEntries(
      centralDirectory(await download(container, result.blobName)).map((e) => [e.name, e.method]),
    );
    assert.deepStrictEqual(methods, {
      'config.ps1': 8,
      'icon.png': 0,
      'payload.bin': 0,
      'pkg/Contoso.1.0.0.nupkg': 0,
      'setup.msi': 0,
      'tools.zip': 0,
    });
  });

  it('a 30 MB folder goes up in several staged blocks, with progress', async () => {
    const root = folder('big', {
      'part1.bin': randomBytes(12 * 1024 * 1024, 'p1'),
      'part2.bin': randomBytes(12 * 1024 * 1024, 'p2'),
      'sub/part3.cab': randomBytes(6 * 1024 * 1024, 'p3'),
      'readme.txt': 'big folder\n'.repeat(1000),
    });
    const container = freshContainer();
    const seen: PackageProgress[] = [];
    const result = await packageFolder(root, { container, onProgress: (p) => seen.push({ ...p }) });
    const blocks = await container.getBlockBlobClient(result.blobName).getBlockList('committed');
    assert.ok(blocks.committedBlocks!.length >= 4, `${blocks.committedBlocks!.length} blocks`);
    assert.ok(blocks.committedBlocks!.slice(0, -1).every((b) => b.size === 8 * 1024 * 1024));
    const zip = await download(container, result.blobName);
    assert.strictEqual(sha256(zip), result.sha256);
    const archive = await JSZip.loadAsync(zip, { checkCRC32: true });
    assert.strictEqual(
      sha256(Buffer.from(await archive.file('part2.bin')!.async('uint8array'))),
      sha256(randomBytes(12 * 1024 * 1024, 'p2')),
    );

    const hashing = seen.filter((p) => p.phase === 'hashing');
    const uploading = seen.filter((p) => p.phase === 'uploading');
    assert.deepStrictEqual(
      [hashing.at(-1)!.files, hashing.at(-1)!.bytes],
      [4, result.contentBytes],
    );
    assert.strictEqual(uploading.at(-1)!.storedBytes, result.bytes);
    assert.strictEqual(Math.max(...uploading.map((p) => p.bytes)), result.contentBytes);
    assert.ok(uploading.every((p, i) => i === 0 || p.storedBytes >= uploading[i - 1].storedBytes));
  });

  it('aborting leaves no blob, whether while uploading or before anything started', async () => {
    const root = folder('cancelled', {
      'a.bin': randomBytes(20 * 1024 * 1024, 'abort'),
      'b.bin': randomBytes(10 * 1024 * 1024, 'abort2'),
    });
    const container = freshContainer();
    const controller = new AbortController();
    const reason = new Error('cancelled by the pipeline');
    let storedWhenAborted = -1;
    await assert.rejects(
      packageFolder(root, {
        container,
        signal: controller.signal,
        blockSize: 4 * 1024 * 1024,
        onProgress: (p) => {
          if (p.storedBytes > 0 && !controller.signal.aborted) {
            storedWhenAborted = p.storedBytes;
            controller.abort(reason);
          }
        },
      }),
      (e) => e === reason,
    );
    assert.ok(storedWhenAborted > 0, 'aborted after the first block was stored');
    const names = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    assert.deepStrictEqual(names, []);

    const early = new AbortController();
    early.abort(reason);
    const other = freshContainer();
    await assert.rejects(
      packageFolder(root, { container: other, signal: early.signal }),
      (e) => e === reason,
    );
    assert.strictEqual(await other.exists(), false);
  });

  it('fails, committing nothing, when a file changes between hashing and zipping', async () => {
    const root = folder('busy', { 'a.txt': 'first', 'b.log': 'log line\n' });
    const container = freshContainer();
    await assert.rejects(
      packageFolder(root, {
        container,
        onProgress: (p) => {
          if (p.phase === 'hashing' && p.files === p.totalFiles)
            fs.appendFileSync(path.join(root, 'b.log'), 'another line\n');
        },
      }),
      /'b\.log' changed while the artifacts folder was being packaged/,
    );
    const names = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    assert.deepStrictEqual(names, []);
  });

  it('refuses a container that allows public access', async () => {
    const container = freshContainer();
    await container.create({ access: 'blob' });
    await assert.rejects(
      packageFolder(folder('pub', { 'a.txt': 'a' }), { container }),
      new RegExp(
        `The artifacts container '${container.containerName}' allows anonymous public ` +
          `access \\('blob'\\)`,
      ),
    );
    const names = [];
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    assert.deepStrictEqual(names, []);
  });

  it('replaces a blob under its name that it did not write (no content metadata)', async () => {
    const container = freshContainer();
    const root = folder('foreign', { 'a.txt': 'a' });
    const first = await packageFolder(root, { container });
    await container.getBlockBlobClient(first.blobName).upload('not a zip', 9); // metadata gone
    const again = await packageFolder(root, { container });
    assert.strictEqual(again.uploaded, true);
    assert.strictEqual(sha256(await download(container, first.blobName)), first.sha256);
  });
});

describe('artifacts: archive blob name', () => {
  it('names the blob after the folder (URL-safe) and the content hash', () => {
    const hash = 'ab'.repeat(32);
    assert.strictEqual(artifactBlobName('drop', hash), `artifacts/drop-${'ab'.repeat(10)}.zip`);
    assert.strictEqual(
      artifactBlobName('My Drop (x64)', hash, 'x/'),
      `x/My-Drop-x64-${'ab'.repeat(10)}.zip`,
    );
    assert.strictEqual(artifactBlobName('...', hash), `artifacts/artifacts-${'ab'.repeat(10)}.zip`);
  });
});
