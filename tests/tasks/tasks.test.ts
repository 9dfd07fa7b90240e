import * as assert from 'assert';
import * as path from 'path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';
import { ROOT } from '../../scripts/tasks';

const PROVIDERS: Record<string, string> = {
  BuildImage: [
    'Microsoft.VirtualMachineImages',
    'Microsoft.Compute',
    'Microsoft.Storage',
    'Microsoft.Network',
    'Microsoft.ManagedIdentity',
    'Microsoft.ContainerInstance',
  ].join(','),
  DistributeToGallery: 'Microsoft.Compute',
  UpdateHostPool: 'Microsoft.DesktopVirtualization,Microsoft.Compute,Microsoft.Network',
  AttachGalleryToDevCenter: 'Microsoft.DevCenter,Microsoft.Compute',
};

const RG = '/subscriptions/sub/resourceGroups/rg-images';
const DEFINITION = `${RG}/providers/Microsoft.Compute/galleries/golden/images/win11`;
const VERSION = `${DEFINITION}/versions/1.2.3`;

/** A built task's inputs, as a pipeline gives them; the tasks not here are not built yet. */
const INPUTS: Record<string, Record<string, string>> = {
  // Windows 11 from the marketplace: a script, a restart and Windows Update, into a gallery
  // version in two regions.
  BuildImage: {
    location: 'westeurope',
    resourceGroup: 'rg-images',
    managedIdentity: 'aib-identity',
    sourceImage: 'MicrosoftWindowsDesktop:windows-11:win11-23h2-ent',
    scriptSource: 'inline',
    inlineScript: 'Write-Host "installing"\nchoco install git -y',
    runElevated: 'true',
    restart: 'true',
    windowsUpdate: 'true',
    windowsUpdateSearchCriteria: 'IsInstalled=0',
    galleryImageDefinitionId: DEFINITION,
    versionStrategy: 'explicit',
    galleryImageVersion: '1.2.3',
    targetRegions: 'westeurope=2, northeurope',
    vmSize: 'Standard_D4s_v5',
    buildTimeout: '2h',
    pollInterval: '1m',
  },
  DistributeToGallery: {
    source: '/subscriptions/sub/resourceGroups/rg/providers/Microsoft.Compute/images/img-1',
    galleryResourceGroup: 'rg',
    galleryName: 'golden',
    imageDefinition: 'win11',
    versionStrategy: 'explicit',
    version: '1.2.3',
    targetRegions: 'westeurope=2:Standard_ZRS, eastus',
  },
  // A staging pool rolled two at a time after a canary, AD DS join with a secret password.
  UpdateHostPool: {
    hostPool: 'hp-staging',
    resourceGroup: 'rg-avd',
    image: VERSION,
    batchSize: '2',
    canaryWait: '10m',
    joinType: 'activeDirectory',
    domain: 'corp.contoso.com',
    domainJoinUser: 'joiner@corp.contoso.com',
    domainJoinPassword: 'Join-Pa55!',
    drainTimeout: '2h',
  },
};

/** What a built task's core returns in these tests. */
const OUTCOMES: Record<string, object> = {
  BuildImage: {
    result: 'Succeeded',
    message: 'built',
    outputs: { imageVersionId: VERSION, templateName: 'gip-1234', runState: 'Succeeded' },
    jobVariables: { imageUri: VERSION },
  },
  DistributeToGallery: {
    result: 'Succeeded',
    message: 'published',
    outputs: { imageVersionName: '1.2.3' },
  },
  UpdateHostPool: {
    rolloutState: 'Completed',
    hostsAdded: ['avd-5', 'avd-6'],
    hostsRemoved: ['avd-1', 'avd-2'],
    hostsKept: ['avd-4'],
    imageVersionId: VERSION,
    before: [],
    after: [],
    batches: [],
    result: 'Succeeded',
    message: 'rolled',
  },
};

async function run(task: string): Promise<MockTestRunner> {
  process.env.MOCK_TASK = task;
  process.env.MOCK_INPUTS = JSON.stringify(INPUTS[task] ?? {});
  process.env.MOCK_OUTCOME = JSON.stringify(OUTCOMES[task] ?? {});
  const tr = new MockTestRunner(
    path.join(__dirname, 'mockRun.js'),
    path.join(ROOT, 'tasks', task, 'task.json'),
  );
  tr.nodePath = process.execPath; // otherwise it downloads Node, which fails offline
  await tr.runAsync();
  return tr;
}

/** The parameters the mocked core printed. */
const paramsOf = (tr: MockTestRunner, core: string) =>
  JSON.parse(new RegExp(`MOCK ${core} (.*)`).exec(tr.stdout)?.[1] ?? '{}');

/** Whether the task set this variable (as an output variable, or a plain job variable). */
const setVariable = (tr: MockTestRunner, name: string, value: string, isOutput = true) =>
  tr.stdout.includes(
    `##vso[task.setvariable variable=${name};isOutput=${isOutput};issecret=false;]${value}`,
  );

describe('tasks under MockTestRunner', function () {
  this.timeout(30_000);
  after(() => {
    delete process.env.MOCK_TASK;
    delete process.env.MOCK_INPUTS;
    delete process.env.MOCK_OUTCOME;
  });

  it(
    "BuildImage: typed parameters from the inputs, providers checked, the core's outcome " +
      'published as output and job variables',
    async () => {
      const tr = await run('BuildImage');
      assert.ok(tr.succeeded, tr.stdout);
      assert.ok(tr.stdout.includes(`MOCK requireProviders ${PROVIDERS.BuildImage}`), tr.stdout);
      assert.deepStrictEqual(paramsOf(tr, 'buildImage'), {
        action: 'build',
        location: 'westeurope',
        resourceGroup: 'rg-images',
        identity: 'aib-identity',
        source: {
          kind: 'marketplace',
          publisher: 'MicrosoftWindowsDesktop',
          offer: 'windows-11',
          sku: 'win11-23h2-ent',
          version: 'latest',
        },
        customize: {
          uploads: { keep: false },
          script: {
            lines: ['Write-Host "installing"', 'choco install git -y'],
            origin: 'inline',
            runElevated: true,
            runAsSystem: false,
            validExitCodes: [],
          },
          restart: {},
          windowsUpdate: { searchCriteria: 'IsInstalled=0', filters: [] },
        },
        distribute: {
          gallery: {
            definitionId: DEFINITION,
            version: { kind: 'fixed', version: '1.2.3', origin: 'explicit' },
            regions: [{ region: 'westeurope', replicaCount: 2 }, { region: 'northeurope' }],
            defaults: { replicaCount: 1, storageAccountType: 'Standard_LRS' },
            excludeFromLatest: false,
          },
        },
        settings: {
          vmSize: 'Standard_D4s_v5',
          buildTimeoutMinutes: 120,
          managedResourceTags: {},
          buildVmIdentities: [],
          validation: { sourceValidationOnly: false, continueOnFailure: false },
          optimizeBoot: false,
        },
        keepTemplate: false,
        pollIntervalMs: 60_000,
        inputWarnings: [],
      });
      assert.ok(setVariable(tr, 'imageVersionId', VERSION), tr.stdout);
      assert.ok(setVariable(tr, 'templateName', 'gip-1234'), tr.stdout);
      assert.ok(setVariable(tr, 'runState', 'Succeeded'), tr.stdout);
      assert.ok(setVariable(tr, 'imageUri', VERSION, false), tr.stdout);
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
      const params = paramsOf(tr, 'distributeToGallery');
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
      assert.ok(setVariable(tr, 'imageVersionName', '1.2.3'), tr.stdout);
    },
  );

  it(
    'UpdateHostPool: typed parameters from the inputs, the join password marked secret, the ' +
      "core's result published as the five outputs",
    async () => {
      const tr = await run('UpdateHostPool');
      assert.ok(tr.succeeded, tr.stdout);
      assert.ok(tr.stdout.includes(`MOCK requireProviders ${PROVIDERS.UpdateHostPool}`), tr.stdout);
      const params = paramsOf(tr, 'updateHostPool');
      assert.deepStrictEqual(
        [params.action, params.hostPool, params.image.version, params.batchSize, params.canary],
        ['rollout', { resourceGroup: 'rg-avd', name: 'hp-staging' }, '1.2.3', 2, 1],
      );
      assert.deepStrictEqual(
        [params.canaryWaitMs, params.drainTimeoutMs, params.join.type, params.join.domain],
        [600_000, 7_200_000, 'activeDirectory', 'corp.contoso.com'],
      );
      assert.ok(tr.stdout.includes('##vso[task.setsecret]Join-Pa55!'), tr.stdout);
      assert.ok(params.adminPasswordGenerated);
      assert.ok(tr.stdout.includes(`##vso[task.setsecret]${params.adminPassword}`), tr.stdout);
      assert.ok(setVariable(tr, 'hostsAdded', '2'), tr.stdout);
      assert.ok(setVariable(tr, 'hostsRemoved', '2'), tr.stdout);
      assert.ok(setVariable(tr, 'hostsKept', '1'), tr.stdout);
      assert.ok(setVariable(tr, 'imageVersionId', VERSION), tr.stdout);
      assert.ok(setVariable(tr, 'rolloutState', 'Completed'), tr.stdout);
    },
  );
});
