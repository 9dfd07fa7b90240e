import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { ROOT, TASKS } from '../../scripts/tasks';

const PROVIDERS: Record<string, string> = {
  BuildImage:
    'Microsoft.VirtualMachineImages,Microsoft.Compute,Microsoft.Storage,Microsoft.Network,Microsoft.ManagedIdentity,Microsoft.ContainerInstance',
  DistributeToGallery: 'Microsoft.Compute',
  UpdateHostPool: 'Microsoft.DesktopVirtualization,Microsoft.Compute,Microsoft.Network',
  AttachGalleryToDevCenter: 'Microsoft.DevCenter,Microsoft.Compute',
};

/**
 * Inputs a task needs to get past its input checks. BuildImage: a template file whose customiser
 * names a local script that is not there (refused before any request, so nothing needs mocking).
 */
const INPUTS: Record<string, Record<string, string>> = {
  BuildImage: {
    location: 'westeurope',
    resourceGroup: 'rg-images',
    managedIdentity: 'aib-identity',
    templateFile: 'local.json',
  },
};
const LOCAL_TEMPLATE = {
  properties: {
    source: {
      type: 'PlatformImage',
      publisher: 'Canonical',
      offer: '0001-com-ubuntu-server-jammy',
      sku: '22_04-lts-gen2',
      version: 'latest',
    },
    customize: [{ type: 'Shell', name: 'local', scriptUri: 'scripts/setup.sh' }],
    distribute: [{ type: 'VHD', runOutputName: 'vhd' }],
  },
};

async function run(task: string): Promise<MockTestRunner> {
  process.env.MOCK_TASK = task;
  process.env.MOCK_INPUTS = JSON.stringify(INPUTS[task] ?? {});
  const tr = new MockTestRunner(
    path.join(__dirname, 'mockRun.js'),
    path.join(ROOT, 'tasks', task, 'task.json'),
  );
  tr.nodePath = process.execPath; // otherwise it downloads Node, which fails offline
  await tr.runAsync();
  return tr;
}

describe('tasks under MockTestRunner', function () {
  this.timeout(30_000);
  let workdir: string;
  before(() => {
    // The task process inherits this environment: BuildImage reads templateFile relative to it.
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gip-mock-work-'));
    fs.writeFileSync(path.join(workdir, 'local.json'), JSON.stringify(LOCAL_TEMPLATE));
    process.env.SYSTEM_DEFAULTWORKINGDIRECTORY = workdir;
  });
  after(() => {
    delete process.env.MOCK_TASK;
    delete process.env.MOCK_INPUTS;
    delete process.env.SYSTEM_DEFAULTWORKINGDIRECTORY;
    fs.rmSync(workdir, { recursive: true, force: true });
  });

  for (const task of TASKS.filter((t) => t !== 'DistributeToGallery' && t !== 'BuildImage')) {
    it(
      `${task}: connects, checks its resource providers, then fails clearly as not ` +
        `implemented`,
      async () => {
        const tr = await run(task);
        assert.ok(tr.failed, tr.stdout);
        assert.ok(tr.stdout.includes(`MOCK requireProviders ${PROVIDERS[task]}`), tr.stdout);
        assert.strictEqual(tr.errorIssues.length, 1, tr.stdout);
        assert.match(tr.errorIssues[0], /is not implemented in this version of the extension\.$/);
        assert.ok(!tr.stdout.includes('##vso[task.complete result=Succeeded'));
      },
    );
  }

  it(
    "BuildImage: connects, checks its resource providers, then refuses the template file's " +
      'missing local script by input, step and key',
    async () => {
      const tr = await run('BuildImage');
      assert.ok(tr.failed, tr.stdout);
      assert.ok(tr.stdout.includes(`MOCK requireProviders ${PROVIDERS.BuildImage}`), tr.stdout);
      assert.strictEqual(tr.errorIssues.length, 1, tr.stdout);
      assert.match(
        tr.errorIssues[0],
        new RegExp(
          "^Input 'templateFile': customize\\[0\\] \\('local'\\) scriptUri 'scripts\\/setup\\.sh" +
            "': there is no such file \\(.*scripts[\\\\/]setup\\.sh\\)",
        ),
      );
      assert.ok(!tr.stdout.includes('##vso[task.complete result=Succeeded'));
    },
  );

  it(
    "DistributeToGallery: typed parameters from the inputs, providers checked, the core's " +
      'outcome published as outputs',
    async () => {
      const tr = await run('DistributeToGallery');
      assert.ok(tr.succeeded, tr.stdout);
      assert.ok(
        tr.stdout.includes(`MOCK requireProviders ${PROVIDERS.DistributeToGallery}`),
        tr.stdout,
      );
      const params = JSON.parse(/MOCK distributeToGallery (.*)/.exec(tr.stdout)?.[1] ?? '{}');
      assert.deepStrictEqual(
        [params.action, params.source.kind, params.target.gallery, params.version],
        [
          'publish',
          'managedImage',
          'golden',
          { kind: 'fixed', version: '1.2.3', origin: 'explicit' },
        ],
      );
      assert.deepStrictEqual(params.regions, [
        { region: 'westeurope', replicaCount: 2, storageAccountType: 'Standard_ZRS' },
        { region: 'eastus' },
      ]);
      assert.ok(
        tr.stdout.includes(
          '##vso[task.setvariable variable=imageVersionName;isOutput=true;issecret=false;]1.2.3',
        ),
        tr.stdout,
      );
    },
  );
});
