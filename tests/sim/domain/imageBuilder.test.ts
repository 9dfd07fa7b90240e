// The image builder end to end through the official SDKs over HTTPS: create, run, phases, live
// container log, customization.log, distribution to the gallery with replication, runOutputs,
// cancel, delete.
import * as assert from 'assert';
import { createHash } from 'crypto';
import { RunningSim, startSimulator } from '../index';
import { resourcesClient } from '../testSupport';
import {
  blobService,
  clients,
  IMAGE_LINUX,
  RG,
  scenario,
  SUB,
  UAI,
  waitForRun,
  windowsTemplate,
} from './support';

const ARTIFACTS = `${RG}/providers/Microsoft.Storage/storageAccounts/artifacts01`;
const MANAGED_SOURCE = `${RG}/providers/Microsoft.Compute/images/ubuntu-base`;

function linuxTemplate(customize: any[], extra: any = {}): any {
  return {
    location: 'westeurope',
    identity: { type: 'UserAssigned', userAssignedIdentities: { [UAI]: {} } },
    source: {
      type: 'PlatformImage',
      publisher: 'Canonical',
      offer: '0001-com-ubuntu-server-jammy',
      sku: '22_04-lts-gen2',
      version: 'latest',
    },
    customize,
    distribute: [
      {
        type: 'SharedImage',
        galleryImageId: IMAGE_LINUX,
        runOutputName: 'sig',
        targetRegions: [{ name: 'westeurope' }],
      },
    ],
    ...extra,
  };
}

async function logOf(sim: RunningSim, template: any): Promise<string> {
  const staging = template.exactStagingResourceGroup.toLowerCase();
  const acct = sim
    .state()
    .resources.find(
      (r) =>
        r.type === 'Microsoft.Storage/storageAccounts' &&
        r.id.toLowerCase().startsWith(staging + '/'),
    )!;
  const runId = /OperationId: ([0-9a-f-]{36})/.exec(template.lastRunStatus.message)?.[1];
  const cc = (await blobService(sim, acct.id)).getContainerClient('packerlogs');
  const names: string[] = [];
  for await (const b of cc.listBlobsFlat()) names.push(b.name);
  const name = runId ? `${runId}/customization.log` : names[names.length - 1];
  return (await cc.getBlobClient(name).downloadToBuffer()).toString('utf8');
}

describe('simulator: image builder', function () {
  this.timeout(30000);
  let sim: RunningSim;
  before(async () => {
    sim = await startSimulator({
      scenario: scenario({
        unreachableUrls: ['^https://unreachable\\.example\\.com/'],
        resources: [
          {
            id: ARTIFACTS,
            type: 'Microsoft.Storage/storageAccounts',
            location: 'westeurope',
            kind: 'StorageV2',
            sku: { name: 'Standard_LRS' },
          },
          {
            id: MANAGED_SOURCE,
            type: 'Microsoft.Compute/images',
            location: 'westeurope',
            properties: {
              hyperVGeneration: 'V2',
              storageProfile: { osDisk: { osType: 'Linux', osState: 'Generalized' } },
            },
          },
        ],
      }),
    });
  });
  after(async () => sim?.stop());

  it(
    'builds a Windows image: phases, container log, customization.log, gallery version, ' +
      'runOutputs',
    async () => {
      const { aib, aci, compute } = clients(sim);
      await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
        'rg-img',
        'win-ok',
        windowsTemplate([
          {
            type: 'PowerShell',
            name: 'hello',
            inline: [
              'Write-Host "hello from the build"',
              'New-Item -Path C:\\BuildArtifacts -ItemType Directory',
            ],
          },
          { type: 'WindowsRestart', restartTimeout: '10m' },
          { type: 'WindowsUpdate', searchCriteria: 'IsInstalled=0', updateLimit: 20 },
        ]),
      );
      const created = await aib.virtualMachineImageTemplates.get('rg-img', 'win-ok');
      assert.strictEqual(created.provisioningState, 'Succeeded');
      assert.match(
        created.exactStagingResourceGroup!,
        /\/resourceGroups\/IT_rg-img_win-ok_[0-9a-f-]{36}$/,
      );

      const t0 = Date.now();
      await aib.virtualMachineImageTemplates.beginRun('rg-img', 'win-ok');
      const { template, phases } = await waitForRun(aib, 'rg-img', 'win-ok');
      const took = Date.now() - t0;
      assert.strictEqual(
        template.lastRunStatus.runState,
        'Succeeded',
        template.lastRunStatus.message,
      );
      assert.deepStrictEqual(
        phases.filter((p) => p !== 'Queued'),
        ['Building', 'Customizing', 'Distributing'],
      );
      assert.ok(took < 5000, `build took ${took} ms`);
      assert.ok(template.lastRunStatus.startTime && template.lastRunStatus.endTime);
      assert.match(template.source.exactVersion, /^\d+\.\d+\.\d+$/);

      const staging = template.exactStagingResourceGroup.split('/').pop();
      const groups = [];
      for await (const g of aci.containerGroups.listByResourceGroup(staging)) groups.push(g);
      assert.strictEqual(groups.length, 1);
      assert.match(groups[0].name!, /^vmimagebuilder-build-container-/);
      const container = groups[0].containers[0].name;
      const all = await aci.containers.listLogs(staging, groups[0].name!, container, {
        timestamps: true,
      });
      const lines = all.content!.trimEnd().split('\n');
      assert.ok(lines.length > 40, `only ${lines.length} lines`);
      for (const l of lines)
        assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \[[0-9a-f-]{36}\] /);
      const tail = await aci.containers.listLogs(staging, groups[0].name!, container, { tail: 3 });
      assert.strictEqual(tail.content!.trimEnd().split('\n').length, 3);
      assert.ok(lines.some((l) => l.includes('PACKER OUT     azure-arm: hello from the build')));
      assert.ok(lines.some((l) => l.includes('(telemetry) Starting provisioner windows-update')));
      assert.ok(lines.some((l) => l.includes('Machine successfully restarted, moving on')));

      const state = sim.state();
      const acct = state.resources.find(
        (r) =>
          r.type === 'Microsoft.Storage/storageAccounts' &&
          r.id.toLowerCase().includes(staging.toLowerCase()),
      )!;
      const blobs = await blobService(sim, acct.id);
      const names: string[] = [];
      for await (const b of blobs.getContainerClient('packerlogs').listBlobsFlat())
        names.push(b.name);
      assert.strictEqual(names.length, 1);
      assert.match(names[0], /^[0-9a-f-]{36}\/customization\.log$/);
      const log = (
        await blobs.getContainerClient('packerlogs').getBlobClient(names[0]).downloadToBuffer()
      ).toString('utf8');
      const head = (
        await blobs
          .getContainerClient('packerlogs')
          .getBlobClient(names[0])
          .downloadToBuffer(0, 100)
      ).toString('utf8');
      assert.strictEqual(head, log.slice(0, 100));
      // Every container line is in the log file, in the same order.
      const fileLines = log.trimEnd().split('\n');
      const containerLines = lines.map((l) => l.slice(l.indexOf(' ') + 1));
      assert.deepStrictEqual(fileLines.slice(0, containerLines.length), containerLines);

      const outputs = [];
      for await (const o of aib.virtualMachineImageTemplates.listRunOutputs('rg-img', 'win-ok'))
        outputs.push(o);
      assert.strictEqual(outputs.length, 1);
      assert.strictEqual(outputs[0].name, 'sig');
      assert.strictEqual(outputs[0].provisioningState, 'Succeeded');
      assert.match(outputs[0].artifactId!, /\/galleries\/gal\/images\/win11\/versions\/1\.0\.0$/);
      const version = await compute.galleryImageVersions.get('rg-img', 'gal', 'win11', '1.0.0', {
        expand: 'ReplicationStatus',
      });
      assert.strictEqual(version.provisioningState, 'Succeeded');
      assert.deepStrictEqual(
        version.replicationStatus!.summary!.map((s) => [s.region, s.state, s.progress]),
        [
          ['West Europe', 'Completed', 100],
          ['North Europe', 'Completed', 100],
        ],
      );
      assert.strictEqual(version.publishingProfile!.targetRegions![1].regionalReplicaCount, 2);
    },
  );

  it("a second PUT of a template answers AIB's Conflict", async () => {
    const { aib } = clients(sim);
    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
      'rg-img',
      'twice',
      linuxTemplate([{ type: 'Shell', inline: ['echo hi'] }]),
    );
    await assert.rejects(
      aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
        'rg-img',
        'twice',
        linuxTemplate([{ type: 'Shell', inline: ['echo hi'] }]),
      ),
      (e: any) =>
        e.statusCode === 409 &&
        e.code === 'Conflict' &&
        new RegExp(
          '^Update\\/Upgrade of image templates is currently not supported\\. Please change ' +
            'the name of the template you are submitting\\.',
        ).test(e.message),
    );
  });

  it("inline `exit 1` fails the build with AIB's message; the log shows the command", async () => {
    const { aib } = clients(sim);
    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
      'rg-img',
      'exit1',
      linuxTemplate([
        { type: 'Shell', name: 'fails', inline: ['echo before', 'exit 1', 'echo never'] },
      ]),
    );
    await assert.rejects(
      aib.virtualMachineImageTemplates.beginRunAndWait('rg-img', 'exit1', {
        updateIntervalInMs: 10,
      }),
      /Packer build command has failed: exit status 1/,
    );
    const t = await aib.virtualMachineImageTemplates.get('rg-img', 'exit1');
    assert.strictEqual(t.lastRunStatus!.runState, 'Failed');
    assert.strictEqual(t.lastRunStatus!.runSubState, 'Customizing');
    assert.match(
      t.lastRunStatus!.message!,
      new RegExp(
        '^Failed while waiting for packerizer: .* Image Build log location: ' +
          'https:\\/\\/127\\.0\\.0\\.' +
          ('1:\\d+\\/[a-z0-9]{24}\\/packerlogs\\/[0-9a-f-]{36}\\/customization\\.log\\. ' +
            'OperationId: ') +
          '[0-9a-f-]{36}\\.',
      ),
    );
    const log = await logOf(sim, t);
    assert.match(
      log,
      new RegExp(
        'PACKER ERR \\d{4}\\/\\d\\d\\/\\d\\d \\d\\d:\\d\\d:\\d\\d packer-provisioner-shell ' +
          'plugin: Found command: exit 1\\n',
      ),
    );
    assert.match(log, /PACKER OUT {5}azure-arm: before\n/);
    assert.doesNotMatch(log, /azure-arm: never/);
    assert.match(
      log,
      new RegExp(
        "PACKER OUT Build 'azure-arm' errored after .*: Script exited with non-zero exit " +
          'status: 1\\. Allowed exit codes are: \\[0\\]\\n',
      ),
    );
    const outputs = [];
    for await (const o of aib.virtualMachineImageTemplates.listRunOutputs('rg-img', 'exit1'))
      outputs.push(o);
    assert.strictEqual(outputs.length, 0);
  });

  it('PowerShell Write-Error then exit fails; validExitCodes are honoured', async () => {
    const { aib } = clients(sim);
    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
      'rg-img',
      'wr-err',
      windowsTemplate([{ type: 'PowerShell', inline: ['Write-Error "disk not found"', 'exit'] }], {
        distribute: [
          {
            type: 'ManagedImage',
            imageId: `${RG}/providers/Microsoft.Compute/images/wr-err`,
            location: 'westeurope',
            runOutputName: 'mi',
          },
        ],
      }),
    );
    await aib.virtualMachineImageTemplates.beginRun('rg-img', 'wr-err');
    const { template } = await waitForRun(aib, 'rg-img', 'wr-err');
    assert.strictEqual(template.lastRunStatus.runState, 'Failed');
    assert.match(
      await logOf(sim, template),
      /==> azure-arm: C:\\Windows\\Temp\\script-[0-9a-f-]+\.ps1 : disk not found\n/,
    );

    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
      'rg-img',
      'valid-exit',
      windowsTemplate([{ type: 'PowerShell', inline: ['exit 3010'], validExitCodes: [0, 3010] }], {
        distribute: [
          {
            type: 'ManagedImage',
            imageId: `${RG}/providers/Microsoft.Compute/images/valid-exit`,
            location: 'westeurope',
            runOutputName: 'mi',
          },
        ],
      }),
    );
    await aib.virtualMachineImageTemplates.beginRunAndWait('rg-img', 'valid-exit', {
      updateIntervalInMs: 10,
    });
    assert.strictEqual(
      (await aib.virtualMachineImageTemplates.get('rg-img', 'valid-exit')).lastRunStatus!.runState,
      'Succeeded',
    );
  });

  it(
    'scriptUri and File blobs in Azurite are downloaded and checked; missing blob, wrong ' +
      'checksum and unreachable URL fail',
    async () => {
      const { aib } = clients(sim);
      const script = Buffer.from('#!/bin/bash\necho "installing tools"\nsleep 30\necho done\n');
      const sha = createHash('sha256').update(script).digest('hex');
      const cc = (await blobService(sim, ARTIFACTS)).getContainerClient('scripts');
      await cc.createIfNotExists();
      await cc.getBlockBlobClient('setup.sh').uploadData(script);
      const base = sim.info.blobEndpointTemplate.replace('{account}', 'artifacts01');
      const run = async (name: string, customize: any[]): Promise<any> => {
        await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
          'rg-img',
          name,
          linuxTemplate(customize, { source: { type: 'ManagedImage', imageId: MANAGED_SOURCE } }),
        );
        await aib.virtualMachineImageTemplates.beginRun('rg-img', name);
        return (await waitForRun(aib, 'rg-img', name)).template;
      };

      const ok = await run('uri-ok', [
        { type: 'Shell', scriptUri: `${base}scripts/setup.sh`, sha256Checksum: sha },
        {
          type: 'File',
          sourceUri: `${base}scripts/setup.sh`,
          destination: '/tmp/setup.sh',
          sha256Checksum: sha.toUpperCase(),
        },
        {
          type: 'Shell',
          scriptUri: 'https://raw.githubusercontent.com/contoso/scripts/main/harden.sh',
          sha256Checksum: 'ab'.repeat(32),
        },
      ]);
      assert.strictEqual(ok.lastRunStatus.runState, 'Succeeded', ok.lastRunStatus.message);
      const log = await logOf(sim, ok);
      assert.match(log, /azure-arm: installing tools\n/);
      assert.match(log, /==> azure-arm: Uploading \/tmp\/\S+ => \/tmp\/setup\.sh\n/);

      const missing = await run('uri-missing', [
        { type: 'Shell', scriptUri: `${base}scripts/nope.sh` },
      ]);
      assert.strictEqual(missing.lastRunStatus.runState, 'Failed');
      assert.strictEqual(missing.lastRunStatus.runSubState, 'Building');
      assert.match(
        missing.lastRunStatus.message,
        new RegExp(
          '^Downloading external file ' +
            '\\(https:\\/\\/127\\.0\\.0\\.1:\\d+\\/artifacts01\\/scripts\\/n' +
            'ope\\.sh\\) to local file \\(\\S+\\) \\[attempt 10 of 10\\] failed: Error downloading',
        ),
      );

      const wrong = await run('uri-checksum', [
        { type: 'Shell', scriptUri: `${base}scripts/setup.sh`, sha256Checksum: '0'.repeat(64) },
      ]);
      assert.strictEqual(wrong.lastRunStatus.runState, 'Failed');
      assert.match(
        wrong.lastRunStatus.message,
        new RegExp(
          `checksum of the downloaded file '${sha}' does not match the sha256Checksum ` +
            `'${'0'.repeat(64)}'`,
        ),
      );

      const unreachable = await run('uri-unreachable', [
        { type: 'Shell', scriptUri: 'https://unreachable.example.com/x.sh' },
      ]);
      assert.strictEqual(unreachable.lastRunStatus.runState, 'Failed');
      assert.match(
        unreachable.lastRunStatus.message,
        /Downloading external file \(https:\/\/unreachable\.example\.com\/x\.sh\)/,
      );
    },
  );

  it(
    'cancel: Canceling then Canceled, the container log stops, the run operation ends ' +
      'Canceled',
    async () => {
      const { aib, aci } = clients(sim);
      await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
        'rg-img',
        'to-cancel',
        linuxTemplate([{ type: 'Shell', inline: ['echo start', 'sleep 3000', 'echo end'] }]),
      );
      const runPoller = await aib.virtualMachineImageTemplates.beginRun('rg-img', 'to-cancel', {
        updateIntervalInMs: 10,
      });
      for (;;) {
        const t = await aib.virtualMachineImageTemplates.get('rg-img', 'to-cancel');
        if (t.lastRunStatus?.runSubState === 'Customizing') break;
        await new Promise((r) => setTimeout(r, 10));
      }
      await aib.virtualMachineImageTemplates.beginCancel('rg-img', 'to-cancel');
      const canceling = await aib.virtualMachineImageTemplates.get('rg-img', 'to-cancel');
      assert.strictEqual(canceling.lastRunStatus!.runState, 'Canceling');
      const { template } = await waitForRun(aib, 'rg-img', 'to-cancel');
      assert.strictEqual(template.lastRunStatus.runState, 'Canceled');
      await assert.rejects(runPoller.pollUntilDone());
      const staging = template.exactStagingResourceGroup.split('/').pop();
      const groups = [];
      for await (const g of aci.containerGroups.listByResourceGroup(staging)) groups.push(g);
      const before = (await aci.containers.listLogs(staging, groups[0].name!, 'packerizer'))
        .content!;
      assert.match(before, /Cancelling build after receiving terminated\n/);
      assert.doesNotMatch(before, /azure-arm: end/);
      await new Promise((r) => setTimeout(r, 200));
      assert.strictEqual(
        (await aci.containers.listLogs(staging, groups[0].name!, 'packerizer')).content,
        before,
      );
      await assert.rejects(
        aib.virtualMachineImageTemplates.beginCancelAndWait('rg-img', 'to-cancel'),
        (e: any) => e.statusCode === 409,
      );
    },
  );

  it('ManagedImage and VHD distributors: runOutputs with artifactId / artifactUri', async () => {
    const { aib, compute } = clients(sim);
    const imageId = `${RG}/providers/Microsoft.Compute/images/out-image`;
    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
      'rg-img',
      'multi',
      linuxTemplate([{ type: 'Shell', inline: ['echo ok'] }], {
        distribute: [
          {
            type: 'ManagedImage',
            imageId,
            location: 'westeurope',
            runOutputName: 'managed',
            artifactTags: { source: 'aib' },
          },
          { type: 'VHD', runOutputName: 'vhd' },
        ],
      }),
    );
    await aib.virtualMachineImageTemplates.beginRunAndWait('rg-img', 'multi', {
      updateIntervalInMs: 10,
    });
    const managed = await aib.virtualMachineImageTemplates.getRunOutput(
      'rg-img',
      'multi',
      'managed',
    );
    assert.strictEqual(managed.artifactId, imageId);
    const image = await compute.images.get('rg-img', 'out-image');
    assert.strictEqual(image.hyperVGeneration, 'V2');
    assert.deepStrictEqual(image.tags, { source: 'aib' });
    const vhd = await aib.virtualMachineImageTemplates.getRunOutput('rg-img', 'multi', 'vhd');
    assert.match(
      vhd.artifactUri!,
      /^https:\/\/127\.0\.0\.1:\d+\/[a-z0-9]{24}\/vhds\/multi_\d+\.vhd$/,
    );
    const acct = vhd.artifactUri!.split('/')[3];
    const acctId = sim.state().resources.find((r) => r.name === acct)!.id;
    const props = await (
      await blobService(sim, acctId)
    )
      .getContainerClient('vhds')
      .getBlobClient(vhd.artifactUri!.split('/').pop()!)
      .getProperties();
    assert.strictEqual(props.contentLength, 512);
  });

  it(
    'validation: a failing in-VM validation with continueDistributeOnFailure distributes but ' +
      'the run fails',
    async () => {
      const { aib } = clients(sim);
      await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
        'rg-img',
        'validate',
        linuxTemplate([{ type: 'Shell', inline: ['echo ok'] }], {
          validate: {
            continueDistributeOnFailure: true,
            inVMValidations: [
              { type: 'Shell', name: 'check', inline: ['echo "/etc/ready is missing"', 'exit 2'] },
            ],
          },
          distribute: [
            {
              type: 'ManagedImage',
              imageId: `${RG}/providers/Microsoft.Compute/images/validated`,
              location: 'westeurope',
              runOutputName: 'mi',
            },
          ],
        }),
      );
      await aib.virtualMachineImageTemplates.beginRun('rg-img', 'validate');
      const { template, phases } = await waitForRun(aib, 'rg-img', 'validate');
      assert.deepStrictEqual(
        phases.filter((p) => p !== 'Queued'),
        ['Building', 'Customizing', 'Validating', 'Distributing'],
      );
      assert.strictEqual(template.lastRunStatus.runState, 'Failed');
      assert.match(
        template.lastRunStatus.message,
        /^Validation failed: Script exited with non-zero exit status: 2\./,
      );
      assert.strictEqual(
        (await aib.virtualMachineImageTemplates.getRunOutput('rg-img', 'validate', 'mi'))
          .provisioningState,
        'Succeeded',
      );
    },
  );

  it('delete removes the template, its run outputs and the staging group AIB made', async () => {
    const { aib } = clients(sim);
    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
      'rg-img',
      'to-delete',
      linuxTemplate([{ type: 'Shell', inline: ['echo ok'] }], {
        distribute: [{ type: 'VHD', runOutputName: 'vhd' }],
      }),
    );
    await aib.virtualMachineImageTemplates.beginRunAndWait('rg-img', 'to-delete', {
      updateIntervalInMs: 10,
    });
    const t = await aib.virtualMachineImageTemplates.get('rg-img', 'to-delete');
    const staging = t.exactStagingResourceGroup!.toLowerCase();
    assert.ok(
      sim
        .state()
        .resources.some(
          (r) =>
            r.id.toLowerCase().startsWith(staging + '/') &&
            r.type === 'Microsoft.ContainerInstance/containerGroups',
        ),
    );
    await aib.virtualMachineImageTemplates.beginDeleteAndWait('rg-img', 'to-delete', {
      updateIntervalInMs: 10,
    });
    const left = sim
      .state()
      .resources.filter(
        (r) =>
          r.id.toLowerCase().startsWith(staging) ||
          r.id.toLowerCase().includes('/imagetemplates/to-delete'),
      );
    assert.deepStrictEqual(left, []);
  });

  it(
    'delete with a given stagingResourceGroup that did not exist removes the group Image ' +
      'Builder made for it',
    async () => {
      const { aib } = clients(sim);
      const staging = `/subscriptions/${SUB}/resourceGroups/rg-staging-made`;
      await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
        'rg-img',
        'made-staging',
        linuxTemplate([{ type: 'Shell', inline: ['echo ok'] }], {
          stagingResourceGroup: staging,
          distribute: [{ type: 'VHD', runOutputName: 'vhd' }],
        }),
      );
      assert.strictEqual(
        sim.state().resources.find((r) => r.id === staging)?.tags?.createdBy,
        'AzureVMImageBuilder',
      );
      await aib.virtualMachineImageTemplates.beginDeleteAndWait('rg-img', 'made-staging', {
        updateIntervalInMs: 10,
      });
      assert.ok(
        !sim.state().resources.some((r) => r.id.toLowerCase().startsWith(staging.toLowerCase())),
      );
    },
  );

  it('delete with a given, existing stagingResourceGroup empties it, keeps the group', async () => {
    const { aib } = clients(sim);
    const staging = `/subscriptions/${SUB}/resourceGroups/rg-staging-given`;
    await resourcesClient(sim).resourceGroups.createOrUpdate('rg-staging-given', {
      location: 'westeurope',
    });
    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait(
      'rg-img',
      'given-staging',
      linuxTemplate([{ type: 'Shell', inline: ['echo ok'] }], {
        stagingResourceGroup: staging,
        distribute: [{ type: 'VHD', runOutputName: 'vhd' }],
      }),
    );
    await aib.virtualMachineImageTemplates.beginRunAndWait('rg-img', 'given-staging', {
      updateIntervalInMs: 10,
    });
    assert.ok(
      sim
        .state()
        .resources.filter((r) => r.id.toLowerCase().startsWith(staging.toLowerCase() + '/'))
        .length >= 2,
    );
    await aib.virtualMachineImageTemplates.beginDeleteAndWait('rg-img', 'given-staging', {
      updateIntervalInMs: 10,
    });
    const left = sim
      .state()
      .resources.filter((r) => r.id.toLowerCase().startsWith(staging.toLowerCase()));
    assert.deepStrictEqual(
      left.map((r) => r.type),
      ['Microsoft.Resources/resourceGroups'],
    );
  });
});
