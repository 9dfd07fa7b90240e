import * as assert from 'assert';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { LogView } from '../../scripts/demo/logView';
import type { RunResult } from '../../scripts/runner/runner';
import { IMAGE_LINUX, RG } from '../sim/domain/support';
import {
  AIB_PRINCIPAL,
  artifactBlobs,
  assignment,
  COMMON,
  inline,
  LINUX,
  ownArtifactsAccount,
  rbacScenario,
  ROLES,
  runBuildImage,
  scenario,
  sentTemplate,
  simulatorFor,
  storageAccount,
  UBUNTU_SOURCE,
  vmIdentity,
  WINDOWS,
  writesSince,
} from './buildImageFixtures';

/**
 * BuildImage's build-artifacts folder through the runner against the simulator, whose image builder
 * really downloads `File` customisers' blobs from Azurite and checks their sha256, and whose build
 * VM runs the download scripts (IMDS, Azurite, RBAC): a small folder goes by File customiser +
 * unpack step, a >20 MB one by a script that downloads it with a user-delegation SAS (masked
 * everywhere in the rendered log), or, with build VM identities, with a token of one of them
 * (granted on the task's own account, checked on a given one); a rerun of the same content does not
 * upload it again; the archive is deleted when the build ends.
 */
const WINDOWS_SCRIPT = { ...WINDOWS, ...inline('Write-Host "installing from C:\\BuildArtifacts"') };

describe('e2e: BuildImage build artifacts (packagePath)', function () {
  this.timeout(180_000);
  const world = simulatorFor(scenario());
  let root: string;
  let firstTemplate: string | undefined;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-artifacts-e2e-'));
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  const run = (inputs: Record<string, string>) =>
    runBuildImage(world.sim, { ...WINDOWS_SCRIPT, ...inputs });
  const folder = (name: string, files: Record<string, string | Buffer>) => {
    const dir = path.join(root, name);
    for (const [rel, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), content);
    }
    return dir;
  };
  /** The names of the archives in the task's own account, which is private. */
  const archives = async (r: RunResult) => {
    const account = ownArtifactsAccount(r.state);
    assert.ok(account, 'the task made its artifacts account');
    assert.strictEqual(account.properties.allowBlobPublicAccess, false);
    assert.strictEqual(account.properties.minimumTlsVersion, 'TLS1_2');
    return (await artifactBlobs(world.sim, r.state)).map((b) => b.name);
  };

  it(
    'a small folder reaches the VM by File customiser (sha256 checked) and is unpacked ' +
      'before the script; a rerun does not upload it again; the archive is deleted',
    async () => {
      const dir = folder('tools', {
        'setup.ps1': 'Write-Host setup',
        'config/app.json': '{"a":1}',
      });
      const r = await run({ packagePath: dir, keepArtifacts: 'true' });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      firstTemplate = r.outputs.templateName;
      assert.match(r.stdout, /Uploaded 2 files/);
      assert.match(r.stdout, /Granted Image Builder's identity Storage Blob Data Reader/);
      assert.match(
        r.stdout,
        /##\[group\]Customizer 1 of 4: artifacts-folder \(PowerShell, 1 line\)/,
      );
      assert.match(
        r.stdout,
        new RegExp(
          '##\\[group\\]Customizer 2 of 4: artifacts-download \\(File, https:\\/\\/[^ ' +
            ']+\\/buildimage' +
            ('-artifacts\\/artifacts\\/tools-[0-9a-f]{20}\\.zip -> ' +
              'C:\\\\BuildArtifacts\\\\tools\\.zip\\)'),
        ),
      );
      assert.match(r.stdout, /##\[group\]Customizer 3 of 4: artifacts-unpack \(PowerShell/);
      assert.match(r.stdout, /Build artifacts unpacked to C:\\BuildArtifacts\\tools/);
      assert.match(r.stdout, /##\[group\]Customizer 4 of 4: inline-script/);
      assert.match(
        r.stdout,
        /Downloading external file \(https:\/\/[^)]+tools-[0-9a-f]{20}\.zip\) to local file/,
      );
      const assignment = r.state.resources.find(
        (x) =>
          x.type === 'Microsoft.Authorization/roleAssignments' &&
          String(x.properties.scope).endsWith('/containers/buildimage-artifacts'),
      );
      assert.ok(assignment, 'Storage Blob Data Reader granted on the container');
      assert.strictEqual((await archives(r)).length, 1, 'kept (keepArtifacts)');

      const again = await run({ packagePath: dir });
      assert.strictEqual(again.result, 'Succeeded', again.stdout);
      // Found before packaging again (issue 15 item 2; buildImageRerunUploads counts the bytes).
      assert.match(again.stdout, /was built .*before: nothing is uploaded again/);
      assert.doesNotMatch(again.stdout, /Uploaded \d+ files/);
      assert.match(again.stdout, /This job's build already succeeded/);
      assert.match(again.stdout, /Deleted the build artifacts archive/);
      assert.deepStrictEqual(await archives(again), []);
    },
  );

  it(
    'two jobs packaging the same folder share one archive: the one that ends first keeps it ' +
      "while the other's template names it; the last one deletes it",
    async () => {
      const dir = folder('shared', { 'install.ps1': 'Write-Host shared' });
      const other = await runBuildImage(
        world.sim,
        { ...WINDOWS_SCRIPT, packagePath: dir, action: 'start' },
        { vars: { 'System.JobName': 'ImageA' } },
      );
      assert.strictEqual(other.result, 'Succeeded', other.stdout);
      const archive = (await archives(other)).find((n) => n.includes('/shared-'));
      assert.ok(archive, 'uploaded once');
      const first = await runBuildImage(
        world.sim,
        { ...WINDOWS_SCRIPT, packagePath: dir },
        { vars: { 'System.JobName': 'ImageB' } },
      );
      assert.strictEqual(first.result, 'Succeeded', first.stdout);
      assert.match(first.stdout, /The archive of this content is already at/);
      assert.match(
        first.stdout,
        new RegExp(
          `Kept the build artifacts archive \\S+/shared-[0-9a-f]{20}\\.zip: another image ` +
            `template in rg-img uses it too`,
        ),
      );
      assert.ok((await archives(first)).includes(archive), 'kept for the running build');
      const last = await run({ action: 'wait', templateName: other.outputs.templateName });
      assert.strictEqual(last.result, 'Succeeded', last.stdout);
      assert.ok(!(await archives(last)).includes(archive), 'deleted by the last build to end');
    },
  );

  it(
    'validate prints the template a build would send (the same name) and creates, grants and ' +
      'uploads nothing',
    async () => {
      const dir = path.join(root, 'tools');
      const before = world.sim.state().requests.length;
      const r = await run({ packagePath: dir, action: 'validate' });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(
        r.message ?? '',
        new RegExp(
          'The inputs are valid: a build would create image template gip-\\S+ with 4 ' +
            'customisers\\. ' +
            'Nothing was created\\.',
        ),
      );
      assert.match(
        r.stdout,
        new RegExp(
          'create  build artifacts archive https:\\/\\/\\S+\\.zip — packagePath \\S+; not ' +
            'uploaded again if it is there\\n\\s+2 files \\(',
        ),
      );
      assert.match(r.stdout, /"type": "File"/);
      assert.strictEqual(r.outputs.templateName, firstTemplate, 'the name the build used');
      assert.deepStrictEqual(writesSince(r.state, before), [], 'nothing written');
    },
  );

  it(
    'a folder above 20 MB is downloaded on the VM with a read-only SAS that never shows ' +
      'unmasked; the archive is deleted',
    async () => {
      const dir = folder('big', {
        'payload.bin': randomBytes(21 * 1024 * 1024),
        'install.ps1': 'Write-Host install',
      });
      const r = await run({ packagePath: dir, inlineScript: 'Write-Host "big build"' });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(r.stdout, /MB is above 20 MB: the build VM downloads it with a read-only SAS/);
      assert.match(
        r.stdout,
        /##\[group\]Customizer 1 of 2: artifacts-unpack \(PowerShell, 7 lines\)/,
      );
      assert.match(r.stdout, /Build artifacts unpacked to C:\\BuildArtifacts\\big/);
      assert.match(
        r.stdout,
        /<read-only SAS URL of the artifacts archive>/,
        'the printed template shows a placeholder',
      );
      // task-lib writes '%' as '%AZP25' in command data; the agent (and LogView) read it back
      // before masking.
      const secrets = [...r.stdout.matchAll(/##vso\[task\.setsecret\](.+)/g)].map((m) =>
        m[1].replace(/%AZP25/g, '%'),
      );
      const sas = secrets.find((s) => /skoid=.*sig=/.test(s));
      assert.ok(sas, 'the SAS is registered as a secret');
      assert.match(sas, /sp=r&/);
      const shown = new LogView({ debug: true }).push(`${r.stdout}\n`).join('\n');
      assert.ok(!shown.includes(sas), 'the SAS is masked');
      assert.ok(
        !/sig=[A-Za-z0-9%]/.test(shown),
        shown
          .split('\n')
          .filter((l) => /sig=[A-Za-z0-9%]/.test(l))
          .join('\n'),
      );
      assert.deepStrictEqual(await archives(r), []);
    },
  );
});

describe('e2e: BuildImage build artifacts with RBAC enforced', function () {
  this.timeout(120_000);
  const GIVEN = storageAccount('teamartifacts');
  const GIVEN_CONTAINER = `${GIVEN.id}/blobServices/default/containers/buildimage-artifacts`;
  const VM_A = vmIdentity('vm-a', 1);
  const VM_B = vmIdentity('vm-b', 2);
  const world = simulatorFor(
    rbacScenario(
      GIVEN,
      // Image Builder's identity puts the VM identities on the build VM.
      assignment(RG, ROLES.identityOperator, AIB_PRINCIPAL),
      VM_A,
      VM_B,
      // vm-b reads the blobs of the given account's container.
      assignment(GIVEN_CONTAINER, ROLES.blobReader, VM_B.properties.principalId),
    ),
  );
  let root: string;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-artifacts-rbac-'));
    fs.writeFileSync(path.join(root, 'setup.sh'), 'echo setup\n');
    big = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-artifacts-big-'));
    fs.writeFileSync(path.join(big, 'payload.bin'), randomBytes(21 * 1024 * 1024));
  });
  let big: string;
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(big, { recursive: true, force: true });
  });

  const LINUX_SCRIPT = { ...LINUX, ...inline('echo "linux with artifacts"') };
  const run = (inputs: Record<string, string>) =>
    runBuildImage(world.sim, { ...LINUX_SCRIPT, ...inputs });

  it(
    "the task's own account: the AIB identity is granted Storage Blob Data Reader, and Image " +
      "Builder's download passes the data-plane check (Linux: unzip to /tmp)",
    async () => {
      const r = await run({ packagePath: root });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      const name = path.basename(root);
      assert.match(
        r.stdout,
        new RegExp(`Customizer 1 of 3: artifacts-download \\(File, .* -> /tmp/${name}\\.zip\\)`),
      );
      assert.match(r.stdout, new RegExp(`Build artifacts unpacked to /tmp/${name}`));
    },
  );

  it(
    'a given account whose blobs the AIB identity may not read fails before any write, with ' +
      'the command that grants it',
    async () => {
      const before = world.sim.state().requests.length;
      const r = await run({ packagePath: root, storageAccountName: 'teamartifacts' });
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(
        r.message ?? '',
        new RegExp(
          "Input 'storageAccountName': Image Builder's identity \\(principal 6f1e2d3c-[^)]+\\) " +
            ('holds no role that reads blobs on ' +
              '.*teamartifacts\\/blobServices\\/default\\/containers\\/') +
            'buildimage-artifacts',
        ),
      );
      assert.match(
        r.message ?? '',
        new RegExp(
          'az role assignment create --assignee-object-id 6f1e2d3c-4b5a-4987-8a6b-5c4d3e2f1a0b ' +
            '.*--role "Storage Blob Data Reader"',
        ),
      );
      assert.deepStrictEqual(writesSince(r.state, before), []);
    },
  );

  it(
    'above 20 MB with build VM identities, own account: the first is granted Storage Blob ' +
      'Data Reader and the VM downloads with its IMDS token, past the data-plane check ' +
      '(Windows; no SAS anywhere)',
    async () => {
      const r = await runBuildImage(world.sim, {
        ...WINDOWS,
        ...inline('Write-Host "big build"'),
        packagePath: big,
        buildVmIdentities: `${VM_A.id}\n${VM_B.id}`,
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(
        r.stdout,
        /Granted the build VM's identity vm-a Storage Blob Data Reader on the artifacts container/,
      );
      assert.match(
        r.stdout,
        new RegExp(
          'MB is above 20 MB: the build VM downloads it with its identity vm-a \\(client ' +
            "id 7c000000-0000-4000-8000-000000000001, a storage token from the VM's metadata " +
            'endpoint; no secret in the template\\)',
        ),
      );
      assert.match(r.stdout, /Build artifacts unpacked to C:\\BuildArtifacts\\gip-artifacts-big-/);
      const granted = r.state.resources.filter(
        (x) =>
          x.type === 'Microsoft.Authorization/roleAssignments' &&
          String(x.properties.scope).endsWith('/containers/buildimage-artifacts') &&
          x.properties.principalId === VM_A.properties.principalId,
      );
      assert.strictEqual(granted.length, 1);
      assert.ok(
        !r.state.resources.some(
          (x) =>
            x.type === 'Microsoft.Authorization/roleAssignments' &&
            x.properties.principalId === VM_B.properties.principalId &&
            String(x.properties.scope).includes('/gipart'),
        ),
        'only the first identity is granted',
      );
      const sent = JSON.stringify(sentTemplate(r)?.body ?? {});
      assert.match(sent, /client_id=7c000000-0000-4000-8000-000000000001/);
      assert.ok(!/sig=|\?sv=|<read-only SAS URL/.test(sent), 'no SAS in the template sent');
      assert.ok(!/##vso\[task\.setsecret\].*skoid=/.test(r.stdout), 'no user-delegation SAS made');
      const build = r.state.builds.find((b) =>
        b.templateId.endsWith(`/imageTemplates/${r.outputs.templateName}`),
      )!;
      assert.ok(
        build.log.some((l) =>
          l.endsWith(
            'azure-arm: Build artifacts unpacked to C:\\BuildArtifacts\\' + path.basename(big),
          ),
        ),
        'the VM downloaded and unpacked it',
      );
    },
  );

  it(
    'validate with build VM identities says which identity it would grant (and keeps a grant ' +
      'made before), and writes nothing',
    async () => {
      const before = world.sim.state().requests.length;
      const r = await run({
        packagePath: big,
        buildVmIdentities: `${VM_B.id}\n${VM_A.id}`,
        action: 'validate',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(
        r.stdout,
        new RegExp(
          "create  role 'Storage Blob Data Reader' for the build VM's identity vm-b on " +
            '\\/subscriptions\\/.*\\/containers\\/buildimage-artifacts — ',
        ),
      );
      // The builds above granted Image Builder's identity already: the plan keeps that grant rather
      // than promising it again.
      assert.match(
        r.stdout,
        new RegExp(
          "keep    role 'Storage Blob Data Reader' for Image Builder's identity on " +
            '\\/subscription' +
            's\\/.*\\/containers\\/buildimage-artifacts — granted already',
        ),
      );
      assert.match(r.stdout, /the build VM downloads it with its identity vm-b/);
      assert.deepStrictEqual(writesSince(r.state, before), []);
    },
  );

  it(
    "with a template file, its vmProfile's build VM identities are the ones that download " +
      '(validate says which it would grant)',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-artifacts-file-'));
      fs.writeFileSync(
        path.join(dir, 'image.json'),
        JSON.stringify({
          type: 'Microsoft.VirtualMachineImages/imageTemplates',
          apiVersion: '2024-02-01',
          location: 'westeurope',
          properties: {
            source: UBUNTU_SOURCE,
            customize: [{ type: 'Shell', name: 'hello', inline: ['echo hello'] }],
            distribute: [
              {
                type: 'SharedImage',
                galleryImageId: IMAGE_LINUX,
                runOutputName: 'ubuntu',
                targetRegions: [{ name: 'westeurope' }],
              },
            ],
            vmProfile: { userAssignedIdentities: [VM_B.id] },
          },
        }),
      );
      try {
        const before = world.sim.state().requests.length;
        const r = await runBuildImage(
          world.sim,
          {
            ...COMMON,
            templateFile: 'image.json',
            packagePath: big,
            buildVmIdentities: VM_A.id,
            action: 'validate',
          },
          { workdir: dir },
        );
        assert.strictEqual(r.result, 'Succeeded', r.stdout);
        assert.match(
          r.stdout,
          /create {2}role 'Storage Blob Data Reader' for the build VM's identity vm-b on /,
        );
        assert.deepStrictEqual(writesSince(r.state, before), []);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'a given account: the first listed build VM identity that may read blobs there downloads ' +
      'it (Linux: curl with the IMDS token, sha256sum)',
    async () => {
      const r = await run({
        packagePath: big,
        storageAccountName: 'teamartifacts',
        buildVmIdentities: `${VM_A.id}\n${VM_B.id}`,
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(
        r.stdout,
        new RegExp(
          'the build VM downloads it with its identity vm-b \\(client id ' +
            '7c000000-0000-4000-8000-0000' +
            '00000002',
        ),
      );
      assert.match(r.stdout, new RegExp(`Build artifacts unpacked to /tmp/${path.basename(big)}`));
      assert.match(
        JSON.stringify(sentTemplate(r)?.body ?? {}),
        /curl -fsS --retry 5 -H \\"Authorization: Bearer \$TOKEN\\"/,
      );
    },
  );

  it(
    'a given account none of the build VM identities may read fails before any write, with ' +
      'the command that grants the first',
    async () => {
      const before = world.sim.state().requests.length;
      const r = await run({
        packagePath: big,
        storageAccountName: 'teamartifacts',
        buildVmIdentities: VM_A.id,
      });
      assert.strictEqual(r.result, 'Failed', r.stdout);
      assert.match(
        r.message ?? '',
        new RegExp(
          "Input 'buildVmIdentities': no identity of the build VM \\(vm-a, principal " +
            '7a000000-0000-' +
            ('4000-8000-000000000001\\) holds a role that reads blobs on ' +
              '.*teamartifacts\\/blobServices\\/') +
            'default\\/containers\\/buildimage-artifacts',
        ),
      );
      assert.match(
        r.message ?? '',
        new RegExp(
          'az role assignment create --assignee-object-id 7a000000-0000-4000-8000-000000000001 ' +
            ('--assignee-principal-type ServicePrincipal --role "Storage Blob Data Reader" ' +
              '--scope ') +
            ('\\/subscriptions\\/.*\\/teamartifacts\\/blobServices\\/default\\/containers\\' +
              '/buildimage-a') +
            'rtifacts',
        ),
      );
      assert.deepStrictEqual(writesSince(r.state, before), []);
    },
  );
});
