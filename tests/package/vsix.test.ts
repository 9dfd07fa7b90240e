import * as assert from 'assert';
import * as fs from 'fs';
import JSZip from 'jszip';
import * as path from 'path';
import { packageExtension } from '../../scripts/package';
import { ROOT, TASKS } from '../../scripts/tasks';

describe('the .vsix (npm run package)', function () {
  this.timeout(60_000);
  let zip: JSZip;
  let vsix: string;

  before(async () => {
    vsix = packageExtension({});
    zip = await JSZip.loadAsync(fs.readFileSync(vsix));
  });

  it('is one file in dist/', () => {
    assert.strictEqual(path.dirname(vsix), path.join(ROOT, 'dist'));
    assert.deepStrictEqual(
      fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.vsix')),
      [path.basename(vsix)],
    );
  });

  it(
    'contributes four tasks, each folder with task.json, icon and the bundle (loader, module, ' +
      'chunks) and nothing else',
    async () => {
      const manifest = JSON.parse(await zip.file('extension.vsomanifest')!.async('string'));
      const contributions = manifest.contributions.filter(
        (c: { type: string }) => c.type === 'ms.vss-distributed-task.task',
      );
      assert.strictEqual(contributions.length, 4);
      for (const task of TASKS) {
        const files = Object.keys(zip.files)
          .filter((f) => f.startsWith(`tasks/${task}/`) && !zip.files[f].dir)
          .map((f) => f.slice(`tasks/${task}/`.length))
          .sort();
        const chunks = files.filter((f) => /^chunk-\w+\.mjs$/.test(f));
        assert.ok(chunks.length >= 1, `${task}: split into chunks`);
        assert.deepStrictEqual(
          files.filter((f) => !chunks.includes(f)),
          ['icon.png', 'index.js', 'index.mjs', 'task.json'],
          task,
        );
      }
      assert.deepStrictEqual(
        Object.keys(zip.files).filter((f) => /\.ts$|node_modules|\.map$/.test(f)),
        [],
      );
    },
  );

  it('carries one version in the manifest, package.json and every task.json', async () => {
    const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
    const vsixManifest = await zip.file('extension.vsixmanifest')!.async('string');
    assert.match(
      vsixManifest,
      new RegExp(`<Identity [^>]*Version="${version.replace(/\./g, '\\.')}"`),
    );
    for (const task of TASKS) {
      const v = JSON.parse(await zip.file(`tasks/${task}/task.json`)!.async('string')).version;
      assert.strictEqual(`${v.Major}.${v.Minor}.${v.Patch}`, version, task);
    }
  });

  it('can be built under another publisher and extension id without editing files', async () => {
    const other = packageExtension({ PUBLISHER: 'contoso', EXTENSION_ID: 'contoso-golden-images' });
    try {
      const manifest = await (
        await JSZip.loadAsync(fs.readFileSync(other))
      )
        .file('extension.vsixmanifest')!
        .async('string');
      assert.match(manifest, /Id="contoso-golden-images"/);
      assert.match(manifest, /Publisher="contoso"/);
    } finally {
      fs.rmSync(other, { force: true });
      vsix = packageExtension({});
    }
  });
});
