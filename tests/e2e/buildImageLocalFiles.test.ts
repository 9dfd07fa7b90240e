import * as assert from 'assert';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RunResult } from '../../scripts/runner/runner';
import { IMAGE_LINUX } from '../sim/domain/support';
import {
  armDeployment,
  artifactBlobs,
  COMMON,
  LINUX_URN,
  rbacScenario,
  runBuildImage,
  simulatorFor,
  storageAccount,
  templates,
  UBUNTU_SOURCE,
  writesSince,
} from './buildImageFixtures';

/**
 * Local paths in a template file's (or customisers file's) `scriptUri`/`sourceUri`, through the
 * runner against the simulator with RBAC enforced: uploaded content-addressed into the task's
 * private artifacts container, replaced by blob URLs with `sha256Checksum`, downloaded by the
 * simulated Image Builder with its identity (data-plane role checked) and the checksum verified,
 * deleted when the build ends; a rerun uploads nothing; paths leaving the repository are refused
 * before any write; validate uploads nothing.
 */
const SETUP = 'echo "setup from a local script"\n';
const MOTD = 'Built by the golden-image pipeline\n';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const template = (customize: unknown[]) =>
  armDeployment(
    { scriptPath: { type: 'string', defaultValue: 'scripts/setup.sh' } },
    {
      type: 'Microsoft.VirtualMachineImages/imageTemplates',
      apiVersion: '2024-02-01',
      name: 'linux-local',
      location: 'westeurope',
      properties: {
        source: UBUNTU_SOURCE,
        customize,
        distribute: [
          {
            type: 'SharedImage',
            galleryImageId: IMAGE_LINUX,
            runOutputName: 'sig',
            targetRegions: [{ name: 'westeurope' }],
          },
        ],
      },
    },
  );

describe('e2e: BuildImage local files in a template file (RBAC enforced)', function () {
  this.timeout(180_000);
  const world = simulatorFor(rbacScenario(storageAccount('teamfiles')));
  let root: string;
  let repo: string;
  let firstTemplate: string | undefined;

  before(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gip-localfiles-e2e-')));
    repo = path.join(root, 'repo');
    const write = (rel: string, content: string) => {
      fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
      fs.writeFileSync(path.join(repo, rel), content);
    };
    write('images/scripts/setup.sh', SETUP);
    write('images/config/motd.txt', MOTD);
    write(
      'images/linux.json',
      JSON.stringify(
        template([
          {
            type: 'File',
            name: 'motd',
            sourceUri: 'config/motd.txt',
            destination: '/tmp/motd.txt',
          },
          { type: 'Shell', name: 'setup', scriptUri: "[parameters('scriptPath')]" },
        ]),
        null,
        2,
      ),
    );
    fs.writeFileSync(path.join(root, 'agent-secret.sh'), 'echo secret\n');
    fs.symlinkSync(
      path.join(root, 'agent-secret.sh'),
      path.join(repo, 'images', 'scripts', 'innocent.sh'),
    );
    write(
      'images/escape.json',
      JSON.stringify(
        template([{ type: 'Shell', name: 'escape', scriptUri: '../../agent-secret.sh' }]),
      ),
    );
    write(
      'images/symlink.json',
      JSON.stringify(
        template([{ type: 'Shell', name: 'sneaky', scriptUri: 'scripts/innocent.sh' }]),
      ),
    );
    write(
      'images/steps.yml',
      'customize:\n  - type: Shell\n    name: setup\n    scriptUri: scripts/setup.sh\n',
    );
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const INPUTS = { ...COMMON, templateFile: 'images/linux.json' };
  const run = (inputs: Record<string, string>, vars: Record<string, string> = {}) =>
    runBuildImage(world.sim, { ...INPUTS, ...inputs }, { workdir: repo, vars });
  const uploaded = (r: RunResult) => artifactBlobs(world.sim, r.state, 'files/');

  it(
    "an ARM template's local Shell scriptUri and File sourceUri are uploaded, downloaded by " +
      'Image Builder with its identity (sha256 checked), and deleted when the build ends',
    async () => {
      const r = await run({});
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      firstTemplate = r.outputs.templateName;
      const url = (file: string, content: string) =>
        new RegExp(`https://[^ "]+/buildimage-artifacts/files/${sha(content)}/${file}`);
      assert.match(
        r.stdout,
        new RegExp(
          `Uploaded config/motd\\.txt \\(${MOTD.length} B, sha256 ` +
            `${sha(MOTD).slice(0, 12)}…\\) to ${url('motd.txt', MOTD).source}\\.`,
        ),
      );
      assert.match(
        r.stdout,
        new RegExp(
          `Uploaded scripts/setup\\.sh \\(${SETUP.length} B, sha256 ` +
            `${sha(SETUP).slice(0, 12)}…\\) to ${url('setup.sh', SETUP).source}\\.`,
        ),
      );
      assert.match(
        r.stdout,
        /Granted Image Builder's identity Storage Blob Data Reader on the artifacts container/,
      );
      // The printed template: URLs and checksums in place of the paths; the tag that finds them
      // again.
      assert.match(
        r.stdout,
        new RegExp(
          `"sourceUri": "${url('motd.txt', MOTD).source}",\\s+"destination": ` +
            `"/tmp/motd.txt",\\s+"sha256Checksum": "${sha(MOTD)}"`,
        ),
      );
      assert.match(
        r.stdout,
        new RegExp(
          `"scriptUri": "${url('setup.sh', SETUP).source}",\\s+"sha256Checksum": "${sha(SETUP)}"`,
        ),
      );
      assert.match(r.stdout, /"gip\.files": "https:\/\/[^"]+\/buildimage-artifacts\/files\/"/);
      // Image Builder fetched both with its identity (RBAC on) and ran the script.
      assert.match(
        r.stdout,
        new RegExp(
          `Downloading external file \\(${url('motd.txt', MOTD).source}\\) to local file ` +
            `\\(\\S+\\) \\[attempt 1 of 10\\] succeeded`,
        ),
      );
      assert.match(
        r.stdout,
        new RegExp(
          `Downloading external file \\(${url('setup.sh', SETUP).source}\\) to local file ` +
            `\\(\\S+\\) \\[attempt 1 of 10\\] succeeded`,
        ),
      );
      assert.match(r.stdout, /setup from a local script/);
      assert.match(r.stdout, /Deleted the uploaded file https:\/\/\S+\/setup\.sh\./);
      assert.match(r.stdout, /Deleted the uploaded file https:\/\/\S+\/motd\.txt\./);
      assert.deepStrictEqual(await uploaded(r), [], 'the uploaded files are deleted');
      assert.strictEqual(templates(r.state).length, 0, 'no template left');
    },
  );

  it('a rerun of the same job uploads nothing (same blobs, same template name)', async () => {
    const job = { 'Build.BuildId': '2002' };
    const first = await run({ keepArtifacts: 'true' }, job);
    assert.strictEqual(first.result, 'Succeeded', first.stdout);
    const kept = await uploaded(first);
    assert.strictEqual(kept.length, 2, 'kept (keepArtifacts)');

    const again = await run({ keepArtifacts: 'true' }, { ...job, 'System.JobAttempt': '2' });
    assert.strictEqual(again.result, 'Succeeded', again.stdout);
    assert.doesNotMatch(again.stdout, /Uploaded /);
    // Found before any upload (issue 15 item 2; buildImageRerunUploads counts the bytes).
    assert.match(again.stdout, /was built .*before: nothing is uploaded again/);
    assert.strictEqual(again.outputs.templateName, first.outputs.templateName);
    assert.match(again.stdout, /This job's build already succeeded/);
    assert.deepStrictEqual(await uploaded(again), kept, 'the same blobs, not written again');

    const last = await run({}, { ...job, 'System.JobAttempt': '3' });
    assert.strictEqual(last.result, 'Succeeded', last.stdout);
    assert.deepStrictEqual(await uploaded(last), [], 'deleted once not kept');
  });

  it(
    'start leaves the files to the build; wait (in a later job, by templateName) deletes ' +
      'them when it ends',
    async () => {
      const started = await run({ action: 'start' }, { 'Build.BuildId': '3003' });
      assert.strictEqual(started.result, 'Succeeded', started.stdout);
      assert.strictEqual((await uploaded(started)).length, 2);
      const waited = await runBuildImage(
        world.sim,
        {
          action: 'wait',
          resourceGroup: 'rg-img',
          templateName: started.outputs.templateName,
          pollInterval: '250ms',
        },
        { workdir: repo },
      );
      assert.strictEqual(waited.result, 'Succeeded', waited.stdout);
      assert.match(waited.stdout, /Deleted the uploaded file https:\/\/\S+\/setup\.sh\./);
      assert.deepStrictEqual(await uploaded(waited), []);
    },
  );

  it("cleanup removes a kept template's uploaded files with it", async () => {
    const job = { 'Build.BuildId': '4004' };
    const built = await run({ keepTemplate: 'true', keepArtifacts: 'true' }, job);
    assert.strictEqual(built.result, 'Succeeded', built.stdout);
    assert.strictEqual((await uploaded(built)).length, 2);
    const cleaned = await runBuildImage(
      world.sim,
      { action: 'cleanup', resourceGroup: 'rg-img' },
      { workdir: repo, vars: job },
    );
    assert.strictEqual(cleaned.result, 'Succeeded', cleaned.stdout);
    assert.match(
      cleaned.stdout,
      new RegExp(`Removed ${built.outputs.templateName}: left behind, its run ended Succeeded`),
    );
    assert.match(cleaned.stdout, /Deleted the uploaded file https:\/\/\S+\/motd\.txt\./);
    assert.deepStrictEqual(await uploaded(cleaned), []);
  });

  it('a path leaving the repository by ../ or a symlink is refused before any write', async () => {
    for (const [file, expected] of [
      [
        'images/escape.json',
        new RegExp(
          "Input 'templateFile': customize\\[0\\] \\('escape'\\) scriptUri '\\.\\.\\/\\.\\.\\/ag" +
            "ent-secret\\.sh': is \\S+agent-secret\\.sh, outside the repository\\. Expected " +
            'a file inside the repository',
        ),
      ],
      [
        'images/symlink.json',
        new RegExp(
          "Input 'templateFile': customize\\[0\\] \\('sneaky'\\) scriptUri 'scripts\\/innocent\\." +
            "sh': leads by a symbolic link to \\S+agent-secret\\.sh, outside the repository",
        ),
      ],
    ] as const) {
      const before = world.sim.state().requests.length;
      const r = await run({ templateFile: file });
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(r.message ?? '', expected);
      assert.deepStrictEqual(writesSince(r.state, before), []);
    }
  });

  it(
    'validate prints the URLs and checksums a build would send (the same template name) and ' +
      'creates, grants and uploads nothing',
    async () => {
      const before = world.sim.state().requests.length;
      const r = await run({ action: 'validate' });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.strictEqual(r.outputs.templateName, firstTemplate, 'the name the build used');
      assert.match(
        r.stdout,
        new RegExp(
          'create  local file https:\\/\\/\\S+\\/setup\\.sh — named by the templateFile; ' +
            'not uploaded again if it is there\\n\\s+scripts\\/setup\\.sh \\(\\d+ B, sha256 ' +
            '[0-9a-f]{12}…\\)\\n',
        ),
      );
      assert.match(
        r.stdout,
        new RegExp(
          `"scriptUri": ` +
            `"https://[^"]+/buildimage-artifacts/files/${sha(SETUP)}` +
            `/setup\\.sh",\\s+"sha256Checksum": "${sha(SETUP)}"`,
        ),
      );
      assert.deepStrictEqual(writesSince(r.state, before), [], 'nothing written');
      assert.deepStrictEqual(await uploaded(r), [], 'nothing uploaded');
    },
  );

  it(
    "a customizersFile's local script with a given storage account the identity can't read " +
      'fails before any write, with the command that grants it',
    async () => {
      const before = world.sim.state().requests.length;
      const r = await run({
        templateFile: '',
        sourceImage: LINUX_URN,
        galleryImageDefinitionId: IMAGE_LINUX,
        customizersFile: 'images/steps.yml',
        storageAccountName: 'teamfiles',
      });
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(
        r.message ?? '',
        new RegExp(
          "Input 'storageAccountName': Image Builder's identity \\(principal 6f1e2d3c-[^)]+\\) " +
            ('holds no role that reads blobs on ' +
              '.*teamfiles\\/blobServices\\/default\\/containers\\/buil') +
            'dimage-artifacts .* and downloads the local files of customizersFile from there',
        ),
      );
      assert.match(
        r.message ?? '',
        new RegExp(
          'az role assignment create --assignee-object-id 6f1e2d3c-4b5a-4987-8a6b-5c4d3e2f1a0b ' +
            ('--assignee-principal-type ServicePrincipal --role "Storage Blob Data Reader" ' +
              '--scope ') +
            '\\S+teamfiles\\/blobServices\\/default\\/containers\\/buildimage-artifacts',
        ),
      );
      assert.deepStrictEqual(writesSince(r.state, before), []);
    },
  );
});
