import * as assert from 'assert';
import * as fs from 'fs';
import { StorageManagementClient } from '@azure/arm-storage';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { LogView } from '../../scripts/demo/logView';
import { runTask, RunResult } from '../../scripts/runner/runner';
import {
  RecordedRequest,
  RunningSim,
  SIM_IDS,
  startSimulator,
  StateResource,
  trustingStorageHttpClient,
} from '../sim';
import { simAzureContext } from './simConnection';

/**
 * DistributeToGallery through the runner (the bundle, as an agent runs it) against the simulator:
 * publish with progress, idempotent reruns, other content refused, failing regions, prune, promote,
 * replicate, bad input before any write, cancellation.
 */
const SUB = SIM_IDS.subscriptionId;
const rgId = (rg: string) => `/subscriptions/${SUB}/resourceGroups/${rg}`;
const imageId = (rg: string, name: string) =>
  `${rgId(rg)}/providers/Microsoft.Compute/images/${name}`;
const galleryId = (rg: string) => `${rgId(rg)}/providers/Microsoft.Compute/galleries/golden`;
const definitionId = (rg: string) => `${galleryId(rg)}/images/win11`;

const GROUPS = [
  'rg-publish',
  'rg-fail',
  'rg-failok',
  'rg-prune',
  'rg-bad',
  'rg-cancel',
  'rg-lifecycle',
  'rg-vhd',
  'rg-vm',
];
const VHD_ACCOUNT = 'vhdstore01';

function managedImage(rg: string, name: string, generation = 'V2') {
  return {
    id: imageId(rg, name),
    type: 'Microsoft.Compute/images',
    location: 'westeurope',
    properties: {
      hyperVGeneration: generation,
      storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
    },
  };
}

function existingDefinition(rg: string, generation: string) {
  return [
    { id: galleryId(rg), type: 'Microsoft.Compute/galleries', location: 'westeurope' },
    {
      id: definitionId(rg),
      type: 'Microsoft.Compute/galleries/images',
      location: 'westeurope',
      properties: {
        osType: 'Windows',
        osState: 'Generalized',
        hyperVGeneration: generation,
        identifier: { publisher: 'contoso', offer: 'win11', sku: rg },
      },
    },
  ];
}

const SCENARIO = {
  // Replication of a region takes 0.9 s (180 s nominal), enough for a few progress lines at 500 ms
  // polls.
  timeScale: 0.005,
  resources: [
    ...GROUPS.map((rg) => ({
      id: rgId(rg),
      type: 'Microsoft.Resources/resourceGroups',
      location: 'westeurope',
    })),
    ...GROUPS.map((rg) => managedImage(rg, 'img-1')),
    managedImage('rg-publish', 'img-2'),
    managedImage('rg-bad', 'img-gen1', 'V1'),
    // Five versions, one of them used by a VM.
    ...existingDefinition('rg-prune', 'V2'),
    ...['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4'].map((v) => ({
      id: `${definitionId('rg-prune')}/versions/${v}`,
      type: 'Microsoft.Compute/galleries/images/versions',
      location: 'westeurope',
      properties: {
        storageProfile: { source: { id: imageId('rg-prune', 'img-1') } },
        publishingProfile: { targetRegions: [{ name: 'westeurope' }] },
      },
    })),
    {
      id: `${rgId('rg-prune')}/providers/Microsoft.Compute/virtualMachines/vm-host-1`,
      type: 'Microsoft.Compute/virtualMachines',
      location: 'westeurope',
      properties: {
        storageProfile: {
          imageReference: { id: `${definitionId('rg-prune')}/versions/1.0.1` },
          osDisk: { osType: 'Windows' },
        },
      },
    },
    // A Gen1 definition that a Gen2 source does not fit.
    ...existingDefinition('rg-bad', 'V1'),
    // A generalized Trusted launch VM, and a Standard definition it does not fit.
    {
      id: `${rgId('rg-vm')}/providers/Microsoft.Compute/virtualMachines/vm-tl`,
      type: 'Microsoft.Compute/virtualMachines',
      location: 'westeurope',
      properties: {
        storageProfile: { osDisk: { osType: 'Windows' } },
        securityProfile: {
          securityType: 'TrustedLaunch',
          uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
        },
        instanceView: {
          hyperVGeneration: 'V2',
          statuses: [
            { code: 'ProvisioningState/succeeded' },
            { code: 'OSState/generalized' },
            { code: 'PowerState/stopped' },
          ],
        },
      },
    },
    { id: galleryId('rg-vm'), type: 'Microsoft.Compute/galleries', location: 'westeurope' },
    {
      id: `${galleryId('rg-vm')}/images/standard`,
      type: 'Microsoft.Compute/galleries/images',
      location: 'westeurope',
      properties: {
        osType: 'Windows',
        osState: 'Generalized',
        hyperVGeneration: 'V2',
        identifier: { publisher: 'contoso', offer: 'std', sku: 'gen2' },
      },
    },
    {
      id: `${rgId('rg-vhd')}/providers/Microsoft.Storage/storageAccounts/${VHD_ACCOUNT}`,
      type: 'Microsoft.Storage/storageAccounts',
      location: 'westeurope',
      kind: 'StorageV2',
      sku: { name: 'Standard_LRS' },
    },
  ],
  // East US fails for the versions of two resource groups only.
  replicationFailures: [
    {
      region: 'eastus',
      version: '/resourceGroups/rg-fail(ok)?/',
      message: 'Replication failed: the region has no capacity for this storage account type.',
    },
  ],
};

const FAST = { pollInterval: '500ms' };

describe('e2e: DistributeToGallery', function () {
  this.timeout(120_000);
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({ scenario: SCENARIO });
  });
  after(async () => {
    await sim?.stop();
  });

  const run = (
    inputs: Record<string, string>,
    extra: { signal?: AbortSignal; onOutput?: (c: string) => void } = {},
  ) => runTask({ task: 'DistributeToGallery', sim, inputs: { ...FAST, ...inputs }, ...extra });
  const writesSince = (count: number, r: RunResult): RecordedRequest[] =>
    r.state.requests.slice(count).filter((q) => q.method !== 'GET' && q.status < 400);
  const versionsOf = (r: RunResult, rg: string): StateResource[] =>
    r.state.resources.filter(
      (x) =>
        /\/versions$/i.test(x.type) &&
        x.id.toLowerCase().startsWith(`${definitionId(rg)}/`.toLowerCase()),
    );
  const regionKey = (name: string) => name.toLowerCase().replace(/\s+/g, '');

  it(
    'publishes a managed image to three regions with per-region progress; the state shows ' +
      'the version in all three',
    async () => {
      const r = await run({
        source: imageId('rg-publish', 'img-1'),
        galleryResourceGroup: 'rg-publish',
        galleryName: 'golden',
        imageDefinition: 'win11',
        securityType: 'TrustedLaunch',
        targetRegions: 'westeurope=2:Standard_ZRS, eastus, northeurope',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      const progress = r.stdout
        .split('\n')
        .filter((l) => /^\[\d\d:\d\d\] westeurope .* · eastus .* · northeurope /.test(l));
      assert.ok(progress.length >= 3, `progress lines:\n${r.stdout}`);
      assert.ok(
        progress.some((l) => /\d+%/.test(l)),
        'a line with a percentage',
      );
      assert.match(
        progress[progress.length - 1],
        /westeurope completed · eastus completed · northeurope completed/,
      );
      assert.match(
        r.stdout,
        /##vso\[task\.setprogress value=100;\]Replicating 2026\.1121\.1: 3 of 3 regions done/,
      );
      assert.strictEqual(
        r.outputs.imageVersionId,
        `${definitionId('rg-publish')}/versions/2026.1121.1`,
      );
      assert.strictEqual(r.outputs.imageVersionName, '2026.1121.1');
      assert.strictEqual(r.outputs.imageDefinitionId, definitionId('rg-publish'));
      assert.strictEqual(
        r.outputs.regions,
        'westeurope=Completed,eastus=Completed,northeurope=Completed',
      );

      const [version] = versionsOf(r, 'rg-publish');
      assert.deepStrictEqual(
        version.properties.publishingProfile.targetRegions.map(
          (t: { name: string; regionalReplicaCount: number; storageAccountType: string }) => [
            regionKey(t.name),
            t.regionalReplicaCount,
            t.storageAccountType,
          ],
        ),
        [
          ['westeurope', 2, 'Standard_ZRS'],
          ['eastus', 1, 'Standard_LRS'],
          ['northeurope', 1, 'Standard_LRS'],
        ],
      );
      assert.strictEqual(version.tags['gip.job'], 'Build/Image');
      const definition = r.state.resources.find(
        (x) => x.id.toLowerCase() === definitionId('rg-publish').toLowerCase(),
      )!;
      assert.deepStrictEqual(
        [definition.properties.hyperVGeneration, definition.properties.features],
        ['V2', [{ name: 'SecurityType', value: 'TrustedLaunch' }]],
      );
    },
  );

  it('publishing the same version again from the same run is success without change', async () => {
    const before = sim.state().requests.length;
    const r = await run({
      source: imageId('rg-publish', 'img-1'),
      galleryResourceGroup: 'rg-publish',
      galleryName: 'golden',
      imageDefinition: 'win11',
      targetRegions: 'westeurope=2:Standard_ZRS, eastus, northeurope',
    });
    assert.strictEqual(r.result, 'Succeeded', r.stdout);
    assert.match(
      r.message ?? '',
      /Image version 2026\.1121\.1 of golden\/win11: unchanged: this job published it already/,
    );
    assert.deepStrictEqual(writesSince(before, r), [], 'nothing written');
    assert.strictEqual(versionsOf(r, 'rg-publish').length, 1);
  });

  it(
    'the same version from another source fails clearly and changes nothing; with overwrite ' +
      'it is republished',
    async () => {
      const inputs = {
        source: imageId('rg-publish', 'img-2'),
        galleryResourceGroup: 'rg-publish',
        galleryName: 'golden',
        imageDefinition: 'win11',
        versionStrategy: 'explicit',
        version: '2026.1121.1',
      };
      const before = sim.state().requests.length;
      const refused = await run(inputs);
      assert.strictEqual(refused.result, 'Failed', refused.stdout);
      assert.match(
        refused.message ?? '',
        new RegExp(
          "Image version 2026\\.1121\\.1 of 'win11' already exists with other content: " +
            "it was published from managed image 'img-1' \\(rg-publish\\) by .*buildId=1001 " +
            "\\(job Build\\/Image\\), not from managed image 'img-2' \\(rg-publish\\)\\. " +
            'Nothing was changed\\..*overwrite: true',
        ),
      );
      assert.deepStrictEqual(writesSince(before, refused), []);

      const replaced = await run({ ...inputs, overwrite: 'true' });
      assert.strictEqual(replaced.result, 'Succeeded', replaced.stdout);
      const [version] = versionsOf(replaced, 'rg-publish');
      assert.strictEqual(
        version.properties.storageProfile.source.id.toLowerCase(),
        imageId('rg-publish', 'img-2').toLowerCase(),
      );
      assert.deepStrictEqual(
        writesSince(before, replaced).map((q) => q.method),
        ['DELETE', 'PUT'],
      );
    },
  );

  it('a region that fails fails the task naming the region and the reason', async () => {
    const r = await run({
      source: imageId('rg-fail', 'img-1'),
      galleryResourceGroup: 'rg-fail',
      galleryName: 'golden',
      imageDefinition: 'win11',
      targetRegions: 'westeurope, eastus',
    });
    assert.strictEqual(r.result, 'Failed', r.stdout);
    assert.match(
      r.message ?? '',
      new RegExp(
        '^Replication of version 2026\\.1121\\.1 failed in eastus \\(Replication failed: ' +
          'the region has no capacity for this storage account type\\.\\); westeurope completed\\.',
      ),
    );
    assert.strictEqual(r.outputs.regions, 'westeurope=Completed,eastus=Failed');
    assert.strictEqual(r.outputs.replicationState, 'Failed');
  });

  it(
    'with tolerateFailedRegions a failed region makes it succeed with issues, naming the ' +
      'region',
    async () => {
      const r = await run({
        source: imageId('rg-failok', 'img-1'),
        galleryResourceGroup: 'rg-failok',
        galleryName: 'golden',
        imageDefinition: 'win11',
        targetRegions: 'westeurope, eastus',
        tolerateFailedRegions: 'true',
      });
      assert.strictEqual(r.result, 'SucceededWithIssues', r.stdout);
      assert.match(
        r.stdout,
        new RegExp(
          '##vso\\[task\\.issue type=warning;[^\\]]*\\]Replication of version 2026\\.1121\\.1 ' +
            'failed in eastus .*Tolerated',
        ),
      );
      assert.match(r.message ?? '', /replication failed in eastus \(tolerated\)/);
    },
  );

  it(
    'prune keep=2 on five versions: a dry run changes nothing; then exactly the two oldest ' +
      'unused are deleted, the one in use kept and reported',
    async () => {
      const inputs = {
        action: 'prune',
        galleryResourceGroup: 'rg-prune',
        galleryName: 'golden',
        imageDefinition: 'win11',
        pruneKeep: '2',
      };
      const before = sim.state().requests.length;
      const dry = await run({ ...inputs, pruneDryRun: 'true' });
      assert.strictEqual(dry.result, 'Succeeded', dry.stdout);
      assert.deepStrictEqual(writesSince(before, dry), []);
      for (const line of [
        'Would do (dry run: nothing is deleted): 2 to delete, 3 to keep',
        'delete  version 1.0.2 — older than the newest 2',
        'keep    version 1.0.1 — in use by VM vm-host-1 (rg-prune)',
        'delete  version 1.0.0 — older than the newest 2',
        'keep    version 1.0.4 — one of the newest 2',
      ]) {
        assert.ok(dry.stdout.includes(line), `${line}\n${dry.stdout}`);
      }
      assert.match(
        dry.stdout,
        /Soft delete is off for gallery golden: deleted versions can't be recovered/,
      );

      const r = await run(inputs);
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.deepStrictEqual(
        writesSince(before, r).map((q) => `${q.method} ${q.path.split('?')[0].split('/').pop()}`),
        ['DELETE 1.0.2', 'DELETE 1.0.0'],
      );
      assert.deepStrictEqual(
        versionsOf(r, 'rg-prune')
          .map((v) => v.name)
          .sort(),
        ['1.0.1', '1.0.3', '1.0.4'],
      );
      assert.strictEqual(r.outputs.prunedVersions, '1.0.2,1.0.0');
      assert.match(r.stdout, /keep {4}version 1\.0\.1 — in use by VM vm-host-1/);
    },
  );

  it(
    'bad input fails clearly before any write: unknown region, missing source, a definition ' +
      'that disagrees with the source',
    async () => {
      const base = {
        galleryResourceGroup: 'rg-bad',
        galleryName: 'golden',
        imageDefinition: 'win11',
      };
      const before = sim.state().requests.length;
      const region = await run({
        ...base,
        source: imageId('rg-bad', 'img-gen1'),
        targetRegions: 'westeurop, eastus',
      });
      assert.strictEqual(region.result, 'Failed');
      assert.match(
        region.message ?? '',
        new RegExp(
          "^Input 'targetRegions': this region is not offered to the subscription: 'westeurop' " +
            '\\(did you mean westeurope\\?\\)',
        ),
      );

      const missing = await run({ ...base, source: imageId('rg-bad', 'no-such-image') });
      assert.strictEqual(missing.result, 'Failed');
      assert.match(
        missing.message ?? '',
        /The source managed image 'no-such-image' \(rg-bad\) does not exist/,
      );

      const mismatch = await run({ ...base, source: imageId('rg-bad', 'img-1') });
      assert.strictEqual(mismatch.result, 'Failed');
      assert.match(
        mismatch.message ?? '',
        new RegExp(
          "The image definition 'win11' has Hyper-V generation 'V1', but the source managed " +
            "image 'img-1' \\(rg-bad\\) has 'V2'\\.",
        ),
      );

      const dashed = await run({
        ...base,
        galleryName: 'new-gallery',
        source: imageId('rg-bad', 'img-gen1'),
      });
      assert.match(
        dashed.message ?? '',
        new RegExp(
          "^Input 'galleryName': 'new-gallery' can't be the name of a new gallery\\. " +
            'Expected letters, digits, periods and underscores only \\(Azure refuses dashes ' +
            'in gallery names\\), e\\.g\\. new_gallery\\.',
        ),
      );

      const version = await run({
        ...base,
        source: imageId('rg-bad', 'img-gen1'),
        versionStrategy: 'explicit',
        version: '1.0',
      });
      assert.match(
        version.message ?? '',
        /^Input 'version': '1\.0' is not of the form Major\.Minor\.Patch/,
      );
      assert.deepStrictEqual(writesSince(before, version), []);
    },
  );

  it('exclude from latest, then promote; replicate adds a region to the version', async () => {
    const base = {
      galleryResourceGroup: 'rg-lifecycle',
      galleryName: 'golden',
      imageDefinition: 'win11',
    };
    const published = await run({
      ...base,
      source: imageId('rg-lifecycle', 'img-1'),
      excludeFromLatest: 'true',
      versionStrategy: 'nextPatch',
    });
    assert.strictEqual(published.result, 'Succeeded', published.stdout);
    assert.strictEqual(published.outputs.imageVersionName, '1.0.0');
    assert.strictEqual(
      versionsOf(published, 'rg-lifecycle')[0].properties.publishingProfile.excludeFromLatest,
      true,
    );

    const promoted = await run({
      ...base,
      action: 'promote',
      version: published.outputs.imageVersionId,
    });
    assert.strictEqual(promoted.result, 'Succeeded', promoted.stdout);
    const pp = versionsOf(promoted, 'rg-lifecycle')[0].properties.publishingProfile;
    assert.strictEqual(pp.excludeFromLatest, false);
    assert.ok(
      pp.targetRegions.every((t: { excludeFromLatest: boolean }) => t.excludeFromLatest === false),
      'every region included in latest',
    );

    const replicated = await run({
      ...base,
      action: 'replicate',
      version: '1.0.0',
      targetRegions: 'northeurope=2',
    });
    assert.strictEqual(replicated.result, 'Succeeded', replicated.stdout);
    assert.deepStrictEqual(
      versionsOf(replicated, 'rg-lifecycle')[0].properties.publishingProfile.targetRegions.map(
        (t: { name: string }) => regionKey(t.name),
      ),
      ['westeurope', 'northeurope'],
    );
    assert.strictEqual(replicated.outputs.regions, 'westeurope=Completed,northeurope=Completed');
  });

  it(
    'publishes a VHD page blob (its storage account found by name, its SAS never stored); a ' +
      'block blob or a missing blob is refused before any write',
    async () => {
      const azure = simAzureContext(sim.info);
      const keys = await new StorageManagementClient(
        azure.credential,
        SUB,
        azure.clientOptions,
      ).storageAccounts.listKeys('rg-vhd', VHD_ACCOUNT);
      const endpoint = sim.info.blobEndpointTemplate.replace('{account}', VHD_ACCOUNT);
      const blobs = new BlobServiceClient(
        endpoint,
        new StorageSharedKeyCredential(VHD_ACCOUNT, keys.keys![0].value!),
        { httpClient: trustingStorageHttpClient(fs.readFileSync(sim.info.caCertPath, 'utf8')) },
      );
      const container = blobs.getContainerClient('vhds');
      await container.create();
      await container.getPageBlobClient('os.vhd').create(1024 * 1024);
      await container.getBlockBlobClient('block.vhd').upload('not a page blob', 15);
      const base = {
        galleryResourceGroup: 'rg-vhd',
        galleryName: 'golden',
        imageDefinition: 'win11',
        osType: 'Windows',
        hyperVGeneration: 'V2',
        osState: 'Generalized',
      };

      const before = sim.state().requests.length;
      const block = await run({ ...base, source: `${endpoint}vhds/block.vhd` });
      assert.strictEqual(block.result, 'Failed', block.stdout);
      assert.match(
        block.message ?? '',
        /The source VHD '.*block\.vhd' is a BlockBlob; Azure imports VHDs from page blobs only/,
      );
      const missing = await run({ ...base, source: `${endpoint}vhds/missing.vhd` });
      assert.match(missing.message ?? '', /The source VHD '.*missing\.vhd' does not exist/);
      assert.deepStrictEqual(writesSince(before, missing), []);

      const r = await run({
        ...base,
        source: `${endpoint}vhds/os.vhd?sv=2025-11-05&sig=NOT-A-REAL-SIGNATURE`,
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      assert.match(
        r.stdout,
        new RegExp(
          `The VHD is in storage account ` +
            `${rgId('rg-vhd')}/providers/Microsoft.Storage/storageAccounts/${VHD_ACCOUNT}`,
          'i',
        ),
      );
      const [version] = versionsOf(r, 'rg-vhd');
      assert.deepStrictEqual(version.properties.storageProfile.osDiskImage.source, {
        uri: `${endpoint}vhds/os.vhd`,
        storageAccountId:
          `${rgId('rg-vhd')}/providers/Microsoft.Storage/storageAccounts/` + `${VHD_ACCOUNT}`,
      });
      assert.ok(
        !JSON.stringify(r.state.resources).includes('NOT-A-REAL-SIGNATURE'),
        'the SAS is not stored',
      );
      // The log as the web view shows it (task-lib echoes raw inputs in debug lines; a SAS from a
      // secret variable is masked by the agent).
      const view = new LogView();
      const leaks = [...view.push(r.stdout), ...view.end()].filter((l) =>
        l.includes('NOT-A-REAL-SIGNATURE'),
      );
      assert.deepStrictEqual(leaks, [], 'the SAS is masked in the log');
    },
  );

  it(
    'from a Trusted launch VM: a new definition takes its security type, generation and ' +
      'state; a Standard definition is refused naming both values',
    async () => {
      const vm = `${rgId('rg-vm')}/providers/Microsoft.Compute/virtualMachines/vm-tl`;
      const before = sim.state().requests.length;
      const refused = await run({
        source: vm,
        galleryResourceGroup: 'rg-vm',
        galleryName: 'golden',
        imageDefinition: 'standard',
      });
      assert.strictEqual(refused.result, 'Failed', refused.stdout);
      assert.match(
        refused.message ?? '',
        new RegExp(
          "The image definition 'standard' has security type 'Standard', but the source " +
            "virtual machine 'vm-tl' \\(rg-vm\\) has 'TrustedLaunch'",
        ),
      );
      assert.deepStrictEqual(writesSince(before, refused), []);

      const r = await run({
        source: vm,
        galleryResourceGroup: 'rg-vm',
        galleryName: 'golden',
        imageDefinition: 'win11-tl',
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      const definition = r.state.resources.find(
        (x) => x.id.toLowerCase() === `${galleryId('rg-vm')}/images/win11-tl`.toLowerCase(),
      )!;
      assert.deepStrictEqual(
        [
          definition.properties.osState,
          definition.properties.hyperVGeneration,
          definition.properties.features,
        ],
        ['Generalized', 'V2', [{ name: 'SecurityType', value: 'TrustedLaunch' }]],
      );
      const [version] = r.state.resources.filter((x) =>
        x.id
          .toLowerCase()
          .startsWith(`${galleryId('rg-vm')}/images/win11-tl/versions/`.toLowerCase()),
      );
      assert.strictEqual(version.properties.storageProfile.source.virtualMachineId, vm);
    },
  );

  it('cancelling while it waits for replication stops promptly and ends Cancelled', async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    const r = await run(
      {
        source: imageId('rg-cancel', 'img-1'),
        galleryResourceGroup: 'rg-cancel',
        galleryName: 'golden',
        imageDefinition: 'win11',
        targetRegions: 'westeurope, eastus, northeurope, uksouth, swedencentral',
      },
      {
        signal: controller.signal,
        onOutput: (chunk) => {
          if (!abortedAt && /Waiting for replication/.test(chunk)) {
            abortedAt = Date.now();
            controller.abort();
          }
        },
      },
    );
    assert.strictEqual(r.result, 'Cancelled', r.stdout);
    assert.ok(Date.now() - abortedAt < 3000, `stopped ${Date.now() - abortedAt} ms after SIGINT`);
    assert.match(
      r.stdout,
      /Replication goes on in Azure; running this job again picks it up without publishing twice/,
    );
  });
});

/**
 * What needs more of the simulator than galleries: AVD host pools and session hosts, dev centers
 * with dev box definitions, scale sets (prune must keep what they use), and direct sharing (POST
 * .../share). Each waits until the simulator serves it.
 */
describe('e2e: DistributeToGallery with AVD, Dev Box, scale sets and sharing', function () {
  this.timeout(120_000);
  const rg = 'rg-usage';
  const def = definitionId(rg);
  const vmId = `${rgId(rg)}/providers/Microsoft.Compute/virtualMachines/avd-sh-1`;
  const hostPool = `${rgId(rg)}/providers/Microsoft.DesktopVirtualization/hostPools/hp-staging`;
  const devCenter = `${rgId(rg)}/providers/Microsoft.DevCenter/devcenters/dc-1`;
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        resources: [
          { id: rgId(rg), type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          managedImage(rg, 'img-1'),
          ...existingDefinition(rg, 'V2'),
          ...['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5'].map((v) => ({
            id: `${def}/versions/${v}`,
            type: 'Microsoft.Compute/galleries/images/versions',
            location: 'westeurope',
            properties: {
              storageProfile: { source: { id: imageId(rg, 'img-1') } },
              publishingProfile: { targetRegions: [{ name: 'westeurope' }] },
            },
          })),
          // 1.0.0: the host pool's template for new session hosts; 1.0.1: a session host's VM.
          {
            id: hostPool,
            type: 'Microsoft.DesktopVirtualization/hostPools',
            location: 'westeurope',
            properties: {
              hostPoolType: 'Pooled',
              loadBalancerType: 'BreadthFirst',
              preferredAppGroupType: 'Desktop',
              vmTemplate: JSON.stringify({
                imageType: 'CustomImage',
                customImageId: `${def}/versions/1.0.0`,
              }),
            },
          },
          {
            id: `${hostPool}/sessionHosts/avd-sh-1.contoso.com`,
            type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
            properties: { resourceId: vmId, status: 'Available' },
          },
          {
            id: vmId,
            type: 'Microsoft.Compute/virtualMachines',
            location: 'westeurope',
            properties: {
              storageProfile: {
                imageReference: { id: `${def}/versions/1.0.1` },
                osDisk: { osType: 'Windows' },
              },
            },
          },
          // 1.0.2: a dev box definition, through the dev center's attached gallery (named
          // differently).
          {
            id: devCenter,
            type: 'Microsoft.DevCenter/devcenters',
            location: 'westeurope',
            identity: { type: 'SystemAssigned' },
          },
          {
            id: `${devCenter}/galleries/corpimages`,
            type: 'Microsoft.DevCenter/devcenters/galleries',
            properties: { galleryResourceId: galleryId(rg) },
          },
          {
            id: `${devCenter}/devboxdefinitions/dev-win11`,
            type: 'Microsoft.DevCenter/devcenters/devboxdefinitions',
            location: 'westeurope',
            properties: {
              imageReference: {
                id: `${devCenter}/galleries/corpimages/images/win11/versions/1.0.2`,
              },
              sku: { name: 'general_i_8c32gb256ssd_v2' },
              osStorageType: 'ssd_256gb',
            },
          },
          // 1.0.3: a scale set.
          {
            id: `${rgId(rg)}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-1`,
            type: 'Microsoft.Compute/virtualMachineScaleSets',
            location: 'westeurope',
            properties: {
              virtualMachineProfile: {
                storageProfile: { imageReference: { id: `${def}/versions/1.0.3` } },
              },
            },
          },
        ],
      },
    });
  });
  after(async () => {
    await sim?.stop();
  });

  it(
    'prune keeps versions used by a host pool template, a session host, a dev box definition ' +
      'and a scale set',
    async () => {
      const r = await runTask({
        task: 'DistributeToGallery',
        sim,
        inputs: {
          action: 'prune',
          galleryResourceGroup: rg,
          galleryName: 'golden',
          imageDefinition: 'win11',
          pruneKeep: '1',
          ...FAST,
        },
      });
      assert.strictEqual(r.result, 'Succeeded', r.stdout);
      for (const line of [
        'keep    version 1.0.5 — one of the newest 1',
        'delete  version 1.0.4 — older than the newest 1',
        'keep    version 1.0.3 — in use by scale set vmss-1 (rg-usage)',
        'keep    version 1.0.2 — in use by dev box definition dev-win11 of dev center dc-1',
        'keep    version 1.0.1 — in use by session host avd-sh-1.contoso.com of host pool ' +
          'hp-staging',
        'keep    version 1.0.0 — in use by the session host template of host pool hp-staging',
      ])
        assert.ok(r.stdout.includes(line), `${line}\n${r.stdout}`);
      assert.strictEqual(/variable=prunedVersions;[^\]]*\](.*)/.exec(r.stdout)?.[1], '1.0.4');
    },
  );

  it('shares the gallery with a subscription and a tenant once; a rerun adds nothing', async () => {
    const other = {
      subscription: '0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e',
      tenant: '2c4e6a8b-0d1f-4a3c-8e5b-7d9f1a3c5e7b',
    };
    const inputs = {
      source: imageId(rg, 'img-1'),
      galleryResourceGroup: rg,
      galleryName: 'golden',
      imageDefinition: 'win11',
      versionStrategy: 'explicit',
      version: '2.0.0',
      shareWithSubscriptions: other.subscription,
      shareWithTenants: other.tenant,
      pollInterval: '500ms',
    };
    const first = await runTask({ task: 'DistributeToGallery', sim, inputs });
    assert.strictEqual(first.result, 'Succeeded', first.stdout);
    const gallery = first.state.resources.find(
      (x) => x.id.toLowerCase() === galleryId(rg).toLowerCase(),
    )!;
    assert.strictEqual(gallery.properties.sharingProfile.permissions, 'Groups');
    const ids = (
      gallery.properties.sharingProfile.groups as { type: string; ids: string[] }[]
    ).flatMap((g) => g.ids.map((id) => `${g.type}:${id}`));
    assert.deepStrictEqual(ids.sort(), [
      `AADTenants:${other.tenant}`,
      `Subscriptions:${other.subscription}`,
    ]);
    const before = sim.state().requests.length;
    const again = await runTask({ task: 'DistributeToGallery', sim, inputs });
    assert.strictEqual(again.result, 'Succeeded', again.stdout);
    assert.deepStrictEqual(
      again.state.requests.slice(before).filter((q) => /\/share\?/.test(q.path)),
      [],
      'already shared',
    );
  });
});
