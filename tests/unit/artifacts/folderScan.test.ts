import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { scanFolder } from '../../../tasks/common/artifacts/folderScan';
import { tempDir, writeTree } from './support';

describe('artifacts: folder scan', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it(
    'lists files in a stable order with forward slashes, keeps empty folders, normalises ' +
      'modes',
    async () => {
      const root = dir();
      writeTree(root, { 'b.txt': 'b', 'a/z.txt': 'z', 'a/b/c.sh': '#!/bin/sh', 'A.txt': 'A' });
      fs.chmodSync(path.join(root, 'a/b/c.sh'), 0o775);
      fs.chmodSync(path.join(root, 'b.txt'), 0o600);
      fs.mkdirSync(path.join(root, 'empty'));
      const scan = await scanFolder(root);
      assert.deepStrictEqual(
        scan.entries.map((e) => [e.path, e.kind, e.mode.toString(8)]),
        [
          ['A.txt', 'file', '100644'],
          ['a/b/c.sh', 'file', '100755'],
          ['a/z.txt', 'file', '100644'],
          ['b.txt', 'file', '100644'],
          ['empty', 'dir', '40755'],
        ],
      );
      assert.strictEqual(scan.files, 4);
      assert.strictEqual(scan.bytes, 1 + 1 + 9 + 1);
      assert.strictEqual(scan.name, path.basename(root));
    },
  );

  it('names input and path when the folder is missing, a file, or has no files', async () => {
    const root = dir();
    await assert.rejects(scanFolder(path.join(root, 'nope')), {
      message: `Input 'packagePath': the folder '${path.join(root, 'nope')}' does not exist.`,
    });
    writeTree(root, { 'file.txt': 'x' });
    await assert.rejects(
      scanFolder(path.join(root, 'file.txt'), 'artifactsFolder'),
      (e: Error) =>
        e.name === 'InputError' &&
        /^Input 'artifactsFolder': '.*file\.txt' is a file, not a folder/.test(e.message),
    );
    const empty = path.join(root, 'empty');
    fs.mkdirSync(path.join(empty, 'sub'), { recursive: true });
    await assert.rejects(scanFolder(empty), (e: Error) =>
      /^Input 'packagePath': the folder '.*empty' contains no files/.test(e.message),
    );
  });

  it('refuses a symlink that points outside the folder, naming it', async () => {
    const outside = dir();
    writeTree(outside, { 'agent-secret.txt': 'token' });
    const root = dir();
    writeTree(root, { 'ok.txt': 'ok' });
    fs.symlinkSync(path.join(outside, 'agent-secret.txt'), path.join(root, 'innocent.txt'));
    await assert.rejects(scanFolder(root), (e: Error) =>
      e.message.startsWith(
        `Input 'packagePath': symbolic link 'innocent.txt' points outside the folder, to ` +
          `'${path.join(outside, 'agent-secret.txt')}'`,
      ),
    );

    const root2 = dir();
    writeTree(root2, { 'sub/ok.txt': 'ok' });
    fs.symlinkSync('../../', path.join(root2, 'sub', 'up')); // relative, to a folder above
    await assert.rejects(scanFolder(root2), (e: Error) =>
      /symbolic link 'sub\/up' points outside the folder, to '\.\.\/\.\.\/'/.test(e.message),
    );
  });

  it('follows symlinks inside the folder and stores what they point to', async () => {
    const root = dir();
    writeTree(root, { 'real/tool.ps1': 'Write-Host hi', 'other.txt': 'x' });
    fs.symlinkSync('real/tool.ps1', path.join(root, 'link.ps1'));
    fs.symlinkSync('real', path.join(root, 'alias'));
    const scan = await scanFolder(root);
    assert.deepStrictEqual(
      scan.entries.map((e) => e.path),
      ['alias/tool.ps1', 'link.ps1', 'other.txt', 'real/tool.ps1'],
    );
    const link = scan.entries.find((e) => e.path === 'link.ps1')!;
    assert.strictEqual(link.source, fs.realpathSync(path.join(root, 'real/tool.ps1')));
    assert.strictEqual(link.size, 13);
  });

  it('refuses dangling links and links to a folder that contains them', async () => {
    const root = dir();
    writeTree(root, { 'a/x.txt': 'x' });
    fs.symlinkSync('missing.txt', path.join(root, 'dangling'));
    await assert.rejects(
      scanFolder(root),
      /symbolic link 'dangling' points to 'missing.txt', which does not exist/,
    );
    fs.unlinkSync(path.join(root, 'dangling'));
    fs.symlinkSync('..', path.join(root, 'a', 'loop'));
    await assert.rejects(
      scanFolder(root),
      /symbolic link 'a\/loop' points to a folder that contains it/,
    );
  });

  it('accepts a packagePath that is itself a symlink, named after the link', async () => {
    const root = dir();
    writeTree(root, { 'x.txt': 'x' });
    const link = path.join(dir(), 'drop');
    fs.symlinkSync(root, link);
    const scan = await scanFolder(link);
    assert.strictEqual(scan.name, 'drop');
    assert.deepStrictEqual(
      scan.entries.map((e) => e.path),
      ['x.txt'],
    );
  });
});
