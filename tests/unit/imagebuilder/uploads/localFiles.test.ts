import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  FILES_TAG,
  fileStepsOf,
  findLocalFiles,
  uploadedFilesOf,
  withBlobUrls,
} from '../../../../tasks/common/imagebuilder/uploads/localFiles';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const CONTAINER = 'https://acct.blob.core.windows.net/buildimage-artifacts/';

describe('imagebuilder: local files of a customisers or template file', () => {
  let root: string;
  let repo: string;
  let images: string;
  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-localfiles-')));
    repo = path.join(root, 'repo');
    images = path.join(repo, 'images');
    fs.mkdirSync(path.join(images, 'scripts'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'shared', 'folder'), { recursive: true });
    fs.writeFileSync(path.join(images, 'scripts', 'setup.sh'), 'echo setup\n');
    fs.writeFileSync(path.join(images, 'scripts', 'My Tool.ps1'), 'Write-Host tool');
    fs.writeFileSync(path.join(repo, 'shared', 'app.conf'), 'a=1\n');
    fs.writeFileSync(path.join(root, 'agent-secret.txt'), 'secret');
    fs.symlinkSync(path.join(root, 'agent-secret.txt'), path.join(images, 'innocent.sh'));
    fs.symlinkSync(path.join(repo, 'shared', 'app.conf'), path.join(images, 'linked.conf'));
    fs.writeFileSync(path.join(images, 'big.bin'), Buffer.alloc(20 * 1024 * 1024 + 1));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  const find = (customize: Record<string, unknown>[], validators: Record<string, unknown>[] = []) =>
    findLocalFiles({ customize, inVMValidations: validators }, 'templateFile', images, repo);

  it(
    'finds local scriptUri/sourceUri paths relative to the file (symlinks inside the ' +
      'repository followed), hashes them, leaves URLs alone',
    () => {
      const files = find(
        [
          { type: 'Shell', name: 'setup', scriptUri: 'scripts/setup.sh' },
          { type: 'Shell', name: 'remote', scriptUri: 'https://example.com/x.sh' },
          {
            type: 'File',
            name: 'conf',
            sourceUri: '../shared/app.conf',
            destination: '/etc/app.conf',
          },
          {
            type: 'PowerShell',
            name: 'tool',
            scriptUri: 'scripts/My Tool.ps1',
            sha256Checksum: sha('Write-Host tool').toUpperCase(),
          },
          { type: 'File', name: 'linked', sourceUri: './linked.conf', destination: '/tmp/l.conf' },
          { type: 'Shell', name: 'inline', inline: ['echo'] },
        ],
        [{ type: 'Shell', name: 'check', scriptUri: 'scripts/setup.sh' }],
      );
      assert.deepStrictEqual(
        files.map((f) => [f.list, f.index, f.key, f.given, f.bytes, f.blobName]),
        [
          [
            'customize',
            0,
            'scriptUri',
            'scripts/setup.sh',
            11,
            `files/${sha('echo setup\n')}/setup.sh`,
          ],
          ['customize', 2, 'sourceUri', '../shared/app.conf', 4, `files/${sha('a=1\n')}/app.conf`],
          [
            'customize',
            3,
            'scriptUri',
            'scripts/My Tool.ps1',
            15,
            `files/${sha('Write-Host tool')}/My-Tool.ps1`,
          ],
          // A symlink inside the repository is followed: the blob is named after its target.
          ['customize', 4, 'sourceUri', './linked.conf', 4, `files/${sha('a=1\n')}/app.conf`],
          [
            'inVMValidations',
            0,
            'scriptUri',
            'scripts/setup.sh',
            11,
            `files/${sha('echo setup\n')}/setup.sh`,
          ],
        ],
      );
      assert.strictEqual(files[1].path, path.join(repo, 'shared', 'app.conf'));
    },
  );

  it(
    'refuses, naming the input, the step and the key: a missing file, a folder, a path or ' +
      'symlink leaving the repository, a file above 20 MB, another URL scheme, a wrong ' +
      'sha256Checksum',
    () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [
          { type: 'Shell', name: 'setup', scriptUri: 'scripts/nope.sh' },
          new RegExp(
            "^Input 'templateFile': customize\\[0\\] \\('setup'\\) scriptUri 'scripts\\/nope\\.s" +
              "h': there is no such file \\(.*images\\/scripts\\/nope\\.sh\\)\\. Expected " +
              "a path relative to the file's folder, or an http\\(s\\) URL\\.$",
          ),
        ],
        [
          { type: 'File', name: 'dir', sourceUri: 'scripts', destination: '/tmp/x' },
          new RegExp(
            "customize\\[0\\] \\('dir'\\) sourceUri 'scripts': is a folder; a File customiser " +
              'copies one file\\. Expected a file; for a folder use packagePath',
          ),
        ],
        [
          { type: 'Shell', scriptUri: '../../agent-secret.txt' },
          new RegExp(
            "customize\\[0\\] scriptUri '\\.\\.\\/\\.\\.\\/agent-secret\\.txt': is " +
              '.*agent-secret\\.' +
              ('txt, outside the repository\\. Expected a file inside the repository ' +
                '\\(.*repo\\): ') +
              'a pull request must not bring agent files into an image\\.$',
          ),
        ],
        [
          { type: 'Shell', scriptUri: '/etc/hostname' },
          /scriptUri '\/etc\/hostname': is \/etc\/hostname, outside the repository/,
        ],
        [
          { type: 'Shell', name: 'sneaky', scriptUri: 'innocent.sh' },
          new RegExp(
            "customize\\[0\\] \\('sneaky'\\) scriptUri 'innocent\\.sh': leads by a symbolic " +
              'link to .*agent-secret\\.txt, outside the repository',
          ),
        ],
        [
          { type: 'File', sourceUri: 'big.bin', destination: '/tmp/big' },
          new RegExp(
            "sourceUri 'big\\.bin': is 20\\.0 MB, more than the 20 MB Image Builder's " +
              'File customiser is meant for\\. Expected packagePath for large files',
          ),
        ],
        [
          { type: 'Shell', scriptUri: 'ftp://example.com/x.sh' },
          new RegExp(
            "scriptUri 'ftp:\\/\\/example\\.com\\/x\\.sh': is a URL Image Builder does " +
              'not download \\(only http and https\\)',
          ),
        ],
        [
          {
            type: 'Shell',
            name: 's',
            scriptUri: 'scripts/setup.sh',
            sha256Checksum: '0'.repeat(64),
          },
          new RegExp(
            `customize\\[0\\] \\('s'\\) scriptUri 'scripts/setup\\.sh': its sha256Checksum ` +
              `'0{64}' does not match the file \\(sha256 ${sha('echo setup\n')}\\)\\. Expected ` +
              `the file's sha256, or no sha256Checksum`,
          ),
        ],
      ];
      for (const [step, expected] of cases)
        assert.throws(
          () => find([step]),
          (e: Error) => e.name === 'InputError' && expected.test(e.message),
          JSON.stringify(step),
        );
      assert.throws(
        () => find([], [{ type: 'Shell', name: 'v', scriptUri: 'missing.sh' }]),
        /validate\.inVMValidations\[0\] \('v'\) scriptUri 'missing\.sh': there is no such file/,
      );
      assert.throws(
        () =>
          findLocalFiles(
            { customize: [{ type: 'Shell', scriptUri: 'x.sh' }], inVMValidations: [] },
            'customizersFile',
            images,
            repo,
          ),
        /Input 'customizersFile': customize\[0\]/,
      );
    },
  );

  it(
    'replaces each local path by its blob URL and sha256Checksum, in copies, in the ' +
      "customisers and a template file's in-VM validators",
    () => {
      const customize = [
        { type: 'Shell', name: 'setup', scriptUri: 'scripts/setup.sh' },
        { type: 'Shell', name: 'remote', scriptUri: 'https://example.com/x.sh' },
      ];
      const properties = {
        validate: {
          continueDistributeOnFailure: true,
          inVMValidations: [
            { type: 'File', name: 'c', sourceUri: '../shared/app.conf', destination: '/tmp/c' },
          ],
        },
      };
      const steps = fileStepsOf(customize, properties);
      const placed = withBlobUrls(
        steps,
        findLocalFiles(steps, 'templateFile', images, repo),
        CONTAINER,
      );
      assert.deepStrictEqual(placed.customize, [
        {
          type: 'Shell',
          name: 'setup',
          scriptUri: `${CONTAINER}files/${sha('echo setup\n')}/setup.sh`,
          sha256Checksum: sha('echo setup\n'),
        },
        { type: 'Shell', name: 'remote', scriptUri: 'https://example.com/x.sh' },
      ]);
      assert.strictEqual(customize[0].scriptUri, 'scripts/setup.sh', 'the input is not changed');
      assert.deepStrictEqual(placed.inVMValidations, [
        {
          type: 'File',
          name: 'c',
          sourceUri: `${CONTAINER}files/${sha('a=1\n')}/app.conf`,
          destination: '/tmp/c',
          sha256Checksum: sha('a=1\n'),
        },
      ]);
      assert.deepStrictEqual(fileStepsOf(customize).inVMValidations, []);
    },
  );

  it(
    "a template's uploaded files: the URLs under its gip.files folder, once each (not other " +
      'URLs, nothing without the tag)',
    () => {
      const folder = `${CONTAINER}files/`;
      const t = {
        tags: { [FILES_TAG]: folder, 'gip.artifacts': `${CONTAINER}artifacts/tools-1.zip` },
        customize: [
          { type: 'File', sourceUri: `${CONTAINER}artifacts/tools-1.zip` },
          { type: 'Shell', scriptUri: `${folder}aa/setup.sh` },
          { type: 'Shell', scriptUri: 'https://example.com/x.sh' },
          { type: 'PowerShell', scriptUri: `${folder}aa/setup.sh` },
        ],
        validate: { inVMValidations: [{ type: 'File', sourceUri: `${folder}bb/app.conf` }] },
      };
      assert.deepStrictEqual(uploadedFilesOf(t), [`${folder}aa/setup.sh`, `${folder}bb/app.conf`]);
      assert.deepStrictEqual(uploadedFilesOf({ ...t, tags: {} }), []);
      assert.strictEqual(folder.length < 256, true);
    },
  );
});
