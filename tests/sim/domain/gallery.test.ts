// Azure Compute Gallery through @azure/arm-compute over HTTPS: definitions, versions from a managed
// image, a VM and another version, replication progress with $expand=ReplicationStatus, a region
// made to fail by the scenario, and Compute's validation errors.
import * as assert from 'assert';
import { RunningSim, startSimulator } from '../index';
import { blobService, clients, RG, scenario } from './support';

const SOURCE_IMAGE = `${RG}/providers/Microsoft.Compute/images/golden`;
const VM = `${RG}/providers/Microsoft.Compute/virtualMachines/capture-vm`;
const VHDS = `${RG}/providers/Microsoft.Storage/storageAccounts/vhds01`;

describe('simulator: compute gallery', function () {
  this.timeout(30000);
  let sim: RunningSim;
  before(async () => {
    sim = await startSimulator({
      scenario: scenario({
        timeScale: 0.002,
        replicationFailures: [
          {
            region: 'eastus',
            message: 'Failed with internal server error.',
            progress: 30,
            version: '/versions/9\\.9\\.9$',
          },
        ],
        resources: [
          {
            id: SOURCE_IMAGE,
            type: 'Microsoft.Compute/images',
            location: 'westeurope',
            properties: {
              hyperVGeneration: 'V2',
              storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized' } },
            },
          },
          {
            id: VHDS,
            type: 'Microsoft.Storage/storageAccounts',
            location: 'westeurope',
            kind: 'StorageV2',
            sku: { name: 'Standard_LRS' },
          },
          {
            id: VM,
            type: 'Microsoft.Compute/virtualMachines',
            location: 'westeurope',
            properties: {
              storageProfile: { osDisk: { osType: 'Windows' } },
              instanceView: { hyperVGeneration: 'V2' },
            },
          },
        ],
      }),
    });
  });
  after(async () => sim?.stop());

  const version = (regions: string[], source: any, extra: any = {}): any => ({
    location: 'westeurope',
    publishingProfile: {
      targetRegions: regions.map((name) => ({ name, regionalReplicaCount: 1 })),
      ...(extra.publishingProfile ?? {}),
    },
    storageProfile: { source },
    ...(extra.safetyProfile ? { safetyProfile: extra.safetyProfile } : {}),
  });

  it(
    'creates a gallery and a definition; a version replicates region by region with visible ' +
      'progress',
    async () => {
      const { compute } = clients(sim);
      const g = await compute.galleries.beginCreateOrUpdateAndWait(
        'rg-img',
        'gal2',
        { location: 'westeurope', description: 'golden images' },
        { updateIntervalInMs: 10 },
      );
      assert.strictEqual(g.identifier?.uniqueName, `${sim.info.subscriptionId}-GAL2`);
      await compute.galleryImages.beginCreateOrUpdateAndWait(
        'rg-img',
        'gal2',
        'win',
        {
          location: 'westeurope',
          osType: 'Windows',
          osState: 'Generalized',
          hyperVGeneration: 'V2',
          identifier: { publisher: 'p', offer: 'o', sku: 's' },
        },
        { updateIntervalInMs: 10 },
      );
      const poller = await compute.galleryImageVersions.beginCreateOrUpdate(
        'rg-img',
        'gal2',
        'win',
        '1.0.0',
        version(['westeurope', 'northeurope', 'eastus'], { id: SOURCE_IMAGE }),
        { updateIntervalInMs: 10 },
      );
      const seen = new Set<string>();
      let sawPartial = false;
      while (!poller.isDone()) {
        const v = await compute.galleryImageVersions.get('rg-img', 'gal2', 'win', '1.0.0', {
          expand: 'ReplicationStatus',
        });
        for (const s of v.replicationStatus!.summary!) {
          seen.add(s.state!);
          if (s.state === 'Replicating' && s.progress! > 0 && s.progress! < 100) sawPartial = true;
        }
        await poller.poll();
        await new Promise((r) => setTimeout(r, 15));
      }
      const v = await compute.galleryImageVersions.get('rg-img', 'gal2', 'win', '1.0.0', {
        expand: 'ReplicationStatus',
      });
      assert.ok(sawPartial, `no partial progress seen (${[...seen].join(',')})`);
      assert.strictEqual(v.provisioningState, 'Succeeded');
      assert.strictEqual(v.replicationStatus!.aggregatedState, 'Completed');
      assert.deepStrictEqual(
        v.replicationStatus!.summary!.map((s) => s.region),
        ['West Europe', 'North Europe', 'East US'],
      );
      const plain = await compute.galleryImageVersions.get('rg-img', 'gal2', 'win', '1.0.0');
      assert.strictEqual(plain.replicationStatus, undefined);
      assert.strictEqual(plain.safetyProfile!.allowDeletionOfReplicatedLocations, false);
    },
  );

  it(
    'a region the scenario makes fail: the version ends Failed with that region Failed, as ' +
      'Compute reports',
    async () => {
      const { compute } = clients(sim);
      await assert.rejects(
        compute.galleryImageVersions.beginCreateOrUpdateAndWait(
          'rg-img',
          'gal',
          'win11',
          '9.9.9',
          version(['westeurope', 'eastus'], { id: SOURCE_IMAGE }),
          { updateIntervalInMs: 10 },
        ),
        new RegExp(
          "Gallery replication jobs failed in one or more regions\\. The failing regions' " +
            "details are as follows: '\\{region:eastus, detail:Failed with internal server " +
            "error\\.\\}'",
        ),
      );
      const v = await compute.galleryImageVersions.get('rg-img', 'gal', 'win11', '9.9.9', {
        expand: 'ReplicationStatus',
      });
      assert.strictEqual(v.provisioningState, 'Failed');
      assert.strictEqual(v.replicationStatus!.aggregatedState, 'Failed');
      assert.deepStrictEqual(
        v.replicationStatus!.summary!.map((s) => [s.region, s.state, s.progress]),
        [
          ['West Europe', 'Completed', 100],
          ['East US', 'Failed', 30],
        ],
      );
      assert.strictEqual(
        v.replicationStatus!.summary![1].details,
        'Failed with internal server error.',
      );
    },
  );

  it(
    'sources: a VM and another gallery version are accepted; a missing source or another ' +
      'generation is refused',
    async () => {
      const { compute } = clients(sim);
      const fromVm = await compute.galleryImageVersions.beginCreateOrUpdateAndWait(
        'rg-img',
        'gal',
        'win11',
        '2.0.0',
        version(['westeurope'], { virtualMachineId: VM }),
        { updateIntervalInMs: 10 },
      );
      assert.strictEqual(fromVm.provisioningState, 'Succeeded');
      const copy = await compute.galleryImageVersions.beginCreateOrUpdateAndWait(
        'rg-img',
        'gal',
        'win11',
        '2.0.1',
        version(['westeurope'], { id: fromVm.id }),
        { updateIntervalInMs: 10 },
      );
      assert.strictEqual(copy.storageProfile!.source!.id, fromVm.id);
      await assert.rejects(
        compute.galleryImageVersions.beginCreateOrUpdateAndWait(
          'rg-img',
          'gal',
          'win11',
          '3.0.0',
          version(['westeurope'], { id: `${RG}/providers/Microsoft.Compute/images/nope` }),
        ),
        (e: any) =>
          e.statusCode === 400 &&
          e.code === 'InvalidParameter' &&
          new RegExp(
            '^Source \\/subscriptions\\/.*\\/images\\/nope is not found\\. Please check source ' +
              'exists',
          ).test(e.message),
      );
      await compute.galleryImages.beginCreateOrUpdateAndWait(
        'rg-img',
        'gal',
        'gen1',
        {
          location: 'westeurope',
          osType: 'Windows',
          osState: 'Generalized',
          hyperVGeneration: 'V1',
          identifier: { publisher: 'p', offer: 'o', sku: 'gen1' },
        },
        { updateIntervalInMs: 10 },
      );
      await assert.rejects(
        compute.galleryImageVersions.beginCreateOrUpdateAndWait(
          'rg-img',
          'gal',
          'gen1',
          '1.0.0',
          version(['westeurope'], { id: SOURCE_IMAGE }),
        ),
        new RegExp(
          "has a different Hypervisor generation \\['V2'\\] than the parent gallery image " +
            "Hypervisor generation \\['V1'\\]",
        ),
      );
      await assert.rejects(
        compute.galleryImageVersions.beginCreateOrUpdateAndWait(
          'rg-img',
          'gal',
          'win11',
          '1.0',
          version(['westeurope'], { id: SOURCE_IMAGE }),
        ),
        new RegExp(
          'The image version name is invalid\\. The image version name should follow ' +
            'Major\\(int\\)\\.' +
            'Minor\\(int\\)\\.Patch\\(int\\) format',
        ),
      );
      await assert.rejects(
        compute.galleryImageVersions.beginCreateOrUpdateAndWait(
          'rg-img',
          'gal',
          'win11',
          '4.0.0',
          version(['northeurope'], { id: SOURCE_IMAGE }),
        ),
        new RegExp(
          "publishing profile regions 'northeurope' must contain the location of image " +
            "version 'westeurope'",
        ),
      );
    },
  );

  it(
    'lifecycle: excludeFromLatest and endOfLifeDate kept; regions added later replicate; ' +
      'removal and early deletion guarded',
    async () => {
      const { compute } = clients(sim);
      const eol = new Date(Math.floor(Date.now() / 1000) * 1000 + 90 * 86400_000);
      const v = await compute.galleryImageVersions.beginCreateOrUpdateAndWait(
        'rg-img',
        'gal',
        'win11',
        '5.0.0',
        version(
          ['westeurope'],
          { id: SOURCE_IMAGE },
          {
            publishingProfile: { excludeFromLatest: true, endOfLifeDate: eol },
            safetyProfile: { blockDeletionBeforeEndOfLife: true },
          },
        ),
        { updateIntervalInMs: 10 },
      );
      assert.strictEqual(v.publishingProfile!.excludeFromLatest, true);
      assert.strictEqual(v.publishingProfile!.targetRegions![0].excludeFromLatest, true);
      assert.strictEqual(
        new Date(v.publishingProfile!.endOfLifeDate!).toISOString(),
        eol.toISOString(),
      );
      const updated = await compute.galleryImageVersions.beginUpdateAndWait(
        'rg-img',
        'gal',
        'win11',
        '5.0.0',
        {
          publishingProfile: {
            targetRegions: [
              { name: 'West Europe' },
              { name: 'swedencentral', regionalReplicaCount: 2 },
            ],
            excludeFromLatest: false,
          },
          storageProfile: { source: { id: SOURCE_IMAGE } },
        },
        { updateIntervalInMs: 10 },
      );
      assert.strictEqual(updated.publishingProfile!.excludeFromLatest, false);
      const status = await compute.galleryImageVersions.get('rg-img', 'gal', 'win11', '5.0.0', {
        expand: 'ReplicationStatus',
      });
      assert.deepStrictEqual(
        status.replicationStatus!.summary!.map((s) => [s.region, s.state]),
        [
          ['West Europe', 'Completed'],
          ['Sweden Central', 'Completed'],
        ],
      );
      await assert.rejects(
        compute.galleryImageVersions.beginDeleteAndWait('rg-img', 'gal', 'win11', '5.0.0'),
        /DeleteGalleryImageVersionBlockedBeforeEndOfLife|blockDeletionBeforeEndOfLife/,
      );
      await assert.rejects(
        compute.galleryImageVersions.beginCreateOrUpdateAndWait(
          'rg-img',
          'gal',
          'win11',
          '5.0.1',
          version(
            ['westeurope'],
            { id: SOURCE_IMAGE },
            { publishingProfile: { endOfLifeDate: new Date('2020-01-01T00:00:00Z') } },
          ),
        ),
        /EndOfLifeDate must be set to a future date\./,
      );
      await assert.rejects(
        compute.galleryImages.beginDeleteAndWait('rg-img', 'gal', 'win11'),
        /Can not delete resource before nested resources are deleted\./,
      );
    },
  );

  it('a VHD blob on Azurite is a source when it exists', async () => {
    const { compute } = clients(sim);
    const cc = (await blobService(sim, VHDS)).getContainerClient('vhds');
    await cc.createIfNotExists();
    await cc.getPageBlobClient('os.vhd').create(1024);
    const uri = `${sim.info.blobEndpointTemplate.replace('{account}', 'vhds01')}vhds/os.vhd`;
    const body = (u: string): any => ({
      location: 'westeurope',
      publishingProfile: { targetRegions: [{ name: 'westeurope' }] },
      storageProfile: { osDiskImage: { source: { uri: u, storageAccountId: VHDS } } },
    });
    const v = await compute.galleryImageVersions.beginCreateOrUpdateAndWait(
      'rg-img',
      'gal',
      'win11',
      '6.0.0',
      body(uri),
      { updateIntervalInMs: 10 },
    );
    assert.strictEqual(v.provisioningState, 'Succeeded');
    await assert.rejects(
      compute.galleryImageVersions.beginCreateOrUpdateAndWait(
        'rg-img',
        'gal',
        'win11',
        '6.0.1',
        body(uri.replace('os.vhd', 'missing.vhd')),
      ),
      new RegExp(
        'Source was not found: ' +
          'https:\\/\\/127\\.0\\.0\\.1:\\d+\\/vhds01\\/vhds\\/missing\\.vhd\\. ' +
          'Please make sure the source exists\\.$',
      ),
    );
  });
});
