import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runTask } from '../../scripts/runner/runner';
import { RunningSim, startSimulator, StateDump } from '../sim';
import { baseResources, blobService, IMAGE_LINUX } from '../sim/domain/support';

/**
 * `action: cleanup` through the runner: templates this pipeline's earlier runs left behind (kept
 * template, kept artifacts archive) are removed with their archive; another pipeline's template
 * stays; a second cleanup finds nothing to do.
 */
const TEMPLATE_TYPE = 'Microsoft.VirtualMachineImages/imageTemplates';
const LINUX = {
  location: 'westeurope',
  resourceGroup: 'rg-img',
  managedIdentity: 'aib-identity',
  pollInterval: '250ms',
  sourceImage: 'Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2',
  galleryImageDefinitionId: IMAGE_LINUX,
  scriptSource: 'inline',
};

describe('e2e: BuildImage action cleanup', function () {
  this.timeout(120_000);
  let sim: RunningSim;
  let root: string;

  before(async () => {
    sim = await startSimulator({ scenario: { timeScale: 0.003, resources: baseResources() } });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-cleanup-e2e-'));
  });
  after(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    await sim?.stop();
  });

  const templateNames = (s: StateDump) =>
    s.resources.filter((x) => x.type === TEMPLATE_TYPE).map((x) => x.name);
  const artifactBlobs = async (s: StateDump) => {
    const account = s.resources.find(
      (x) => x.type === 'Microsoft.Storage/storageAccounts' && x.name.startsWith('gipart'),
    )!;
    const names: string[] = [];
    for await (const b of (await blobService(sim, account.id))
      .getContainerClient('buildimage-artifacts')
      .listBlobsFlat())
      names.push(b.name);
    return names;
  };

  it(
    "removes this pipeline's leftover template and its artifacts archive, keeps another " +
      "pipeline's; idempotent",
    async () => {
      const dir = path.join(root, 'tools');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'setup.sh'), 'echo setup\n');
      const ours = await runTask({
        task: 'BuildImage',
        sim,
        inputs: {
          ...LINUX,
          inlineScript: 'echo "ours"',
          packagePath: dir,
          keepArtifacts: 'true',
          keepTemplate: 'true',
        },
      });
      assert.strictEqual(ours.result, 'Succeeded', ours.stdout);
      const theirs = await runTask({
        task: 'BuildImage',
        sim,
        inputs: { ...LINUX, inlineScript: 'echo "theirs"', keepTemplate: 'true' },
        vars: { 'Build.DefinitionName': 'other-pipeline', 'Build.BuildId': '2001' },
      });
      assert.strictEqual(theirs.result, 'Succeeded', theirs.stdout);
      const [ourName, theirName] = [ours.outputs.templateName!, theirs.outputs.templateName!];
      assert.deepStrictEqual(templateNames(theirs.state).sort(), [ourName, theirName].sort());
      assert.strictEqual((await artifactBlobs(theirs.state)).length, 1);

      // The next run of this pipeline cleans up.
      const next = { 'Build.BuildId': '1002' };
      const r = await runTask({
        task: 'BuildImage',
        sim,
        inputs: { action: 'cleanup', resourceGroup: 'rg-img' },
        vars: next,
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(
        r.stdout,
        new RegExp(`Removed ${ourName}: left behind, its run ended Succeeded\\.`),
      );
      assert.match(
        r.stdout,
        new RegExp(`Kept ${theirName}: another pipeline's \\(other-pipeline\\)\\.`),
      );
      assert.match(
        r.stdout,
        /Deleted the build artifacts archive https:\/\/\S+\/buildimage-artifacts\//,
      );
      assert.deepStrictEqual(
        templateNames(r.state),
        [theirName],
        'state dump: ours gone, theirs kept',
      );
      assert.deepStrictEqual(await artifactBlobs(r.state), []);

      const again = await runTask({
        task: 'BuildImage',
        sim,
        inputs: { action: 'cleanup', resourceGroup: 'rg-img' },
        vars: next,
      });
      assert.strictEqual(again.result, 'Succeeded', again.stdout);
      assert.match(again.stdout, /Removed 0 image template\(s\) left behind; kept 1\./);
      assert.deepStrictEqual(templateNames(again.state), [theirName]);
    },
  );
});
