// The image builder end to end through the official SDKs over HTTPS: create, run, phases, live container
// log, customization.log, distribution to the gallery with replication, runOutputs, cancel, delete.
import * as assert from 'assert';
import { RunningSim, startSimulator } from '../index';
import { blobService, clients, scenario, waitForRun, windowsTemplate } from './support';

describe('simulator: image builder', function () {
  this.timeout(30000);
  let sim: RunningSim;
  before(async () => {
    sim = await startSimulator({ scenario: scenario() });
  });
  after(async () => sim?.stop());

  it('builds a Windows image: phases, container log, customization.log, gallery version, runOutputs', async () => {
    const { aib, aci, compute } = clients(sim);
    await aib.virtualMachineImageTemplates.beginCreateOrUpdateAndWait('rg-img', 'win-ok', windowsTemplate([
      { type: 'PowerShell', name: 'hello', inline: ['Write-Host "hello from the build"', 'New-Item -Path C:\\BuildArtifacts -ItemType Directory'] },
      { type: 'WindowsRestart', restartTimeout: '10m' },
      { type: 'WindowsUpdate', searchCriteria: 'IsInstalled=0', updateLimit: 20 },
    ]));
    const created = await aib.virtualMachineImageTemplates.get('rg-img', 'win-ok');
    assert.strictEqual(created.provisioningState, 'Succeeded');
    assert.match(created.exactStagingResourceGroup!, /\/resourceGroups\/IT_rg-img_win-ok_[0-9a-f-]{36}$/);

    const t0 = Date.now();
    await aib.virtualMachineImageTemplates.beginRun('rg-img', 'win-ok');
    const { template, phases } = await waitForRun(aib, 'rg-img', 'win-ok');
    const took = Date.now() - t0;
    assert.strictEqual(template.lastRunStatus.runState, 'Succeeded', template.lastRunStatus.message);
    assert.deepStrictEqual(phases.filter((p) => p !== 'Queued'), ['Building', 'Customizing', 'Distributing']);
    assert.ok(took < 5000, `build took ${took} ms`);
    assert.ok(template.lastRunStatus.startTime && template.lastRunStatus.endTime);
    assert.match(template.source.exactVersion, /^\d+\.\d+\.\d+$/);

    const staging = template.exactStagingResourceGroup.split('/').pop();
    const groups = [];
    for await (const g of aci.containerGroups.listByResourceGroup(staging)) groups.push(g);
    assert.strictEqual(groups.length, 1);
    assert.match(groups[0].name!, /^vmimagebuilder-build-container-/);
    const container = groups[0].containers[0].name;
    const all = await aci.containers.listLogs(staging, groups[0].name!, container, { timestamps: true });
    const lines = all.content!.trimEnd().split('\n');
    assert.ok(lines.length > 40, `only ${lines.length} lines`);
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \[[0-9a-f-]{36}\] /);
    const tail = await aci.containers.listLogs(staging, groups[0].name!, container, { tail: 3 });
    assert.strictEqual(tail.content!.trimEnd().split('\n').length, 3);
    assert.ok(lines.some((l) => l.includes('PACKER OUT     azure-arm: hello from the build')));
    assert.ok(lines.some((l) => l.includes('(telemetry) Starting provisioner windows-update')));
    assert.ok(lines.some((l) => l.includes('Machine successfully restarted, moving on')));

    const state = sim.state();
    const acct = state.resources.find((r) => r.type === 'Microsoft.Storage/storageAccounts' && r.id.toLowerCase().includes(staging.toLowerCase()))!;
    const blobs = await blobService(sim, acct.id);
    const names: string[] = [];
    for await (const b of blobs.getContainerClient('packerlogs').listBlobsFlat()) names.push(b.name);
    assert.strictEqual(names.length, 1);
    assert.match(names[0], /^[0-9a-f-]{36}\/customization\.log$/);
    const log = (await blobs.getContainerClient('packerlogs').getBlobClient(names[0]).downloadToBuffer()).toString('utf8');
    const head = (await blobs.getContainerClient('packerlogs').getBlobClient(names[0]).downloadToBuffer(0, 100)).toString('utf8');
    assert.strictEqual(head, log.slice(0, 100));
    // Every container line is in the log file, in the same order.
    const fileLines = log.trimEnd().split('\n');
    const containerLines = lines.map((l) => l.slice(l.indexOf(' ') + 1));
    assert.deepStrictEqual(fileLines.slice(0, containerLines.length), containerLines);

    const outputs = [];
    for await (const o of aib.virtualMachineImageTemplates.listRunOutputs('rg-img', 'win-ok')) outputs.push(o);
    assert.strictEqual(outputs.length, 1);
    assert.strictEqual(outputs[0].name, 'sig');
    assert.strictEqual(outputs[0].provisioningState, 'Succeeded');
    assert.match(outputs[0].artifactId!, /\/galleries\/gal\/images\/win11\/versions\/1\.0\.0$/);
    const version = await compute.galleryImageVersions.get('rg-img', 'gal', 'win11', '1.0.0', { expand: 'ReplicationStatus' });
    assert.strictEqual(version.provisioningState, 'Succeeded');
    assert.deepStrictEqual(version.replicationStatus!.summary!.map((s) => [s.region, s.state, s.progress]), [['West Europe', 'Completed', 100], ['North Europe', 'Completed', 100]]);
    assert.strictEqual(version.publishingProfile!.targetRegions![1].regionalReplicaCount, 2);
  });
});
