import * as assert from 'assert';
import { readDistributeParams } from '../../../tasks/common/gallery/params';
import { DEF, IMAGE, inputs, PIPELINE, SUB } from './fixtures';

const NOW = new Date('2026-11-21T12:00:00Z');
const BASE = {
  source: IMAGE,
  galleryResourceGroup: 'rg-images',
  galleryName: 'golden',
  imageDefinition: 'win11',
};
const read = (values: Record<string, string>, pipeline = PIPELINE) =>
  readDistributeParams(inputs({ ...BASE, ...values }), pipeline, NOW);
const fails = (values: Record<string, string>, message: RegExp) =>
  assert.throws(
    () => read(values),
    (err: Error) => err.name === 'InputError' && message.test(err.message),
    `expected ${message}`,
  );

describe('gallery: task inputs', () => {
  it(
    'publish with defaults: version from the build number, source region only, wait 2h, no ' +
      'prune',
    () => {
      const p = read({});
      assert.strictEqual(p.action, 'publish');
      assert.deepStrictEqual(p.source, {
        kind: 'managedImage',
        ref: IMAGE,
        storageAccountId: undefined,
      });
      assert.deepStrictEqual(p.target, {
        resourceGroup: 'rg-images',
        gallery: 'golden',
        definition: 'win11',
        location: undefined,
      });
      assert.deepStrictEqual(p.version, {
        kind: 'fixed',
        version: '2026.1121.3',
        origin: 'buildNumber',
      });
      assert.deepStrictEqual(p.regions, []);
      assert.deepStrictEqual(p.regionDefaults, {
        replicaCount: 1,
        storageAccountType: 'Standard_LRS',
      });
      assert.strictEqual(p.wait, true);
      assert.strictEqual(p.timeoutMs, 7_200_000);
      assert.strictEqual(p.pollIntervalMs, 30_000);
      assert.strictEqual(p.prune, undefined);
      assert.deepStrictEqual(p.definition.features, []);
    },
  );

  it('reads every input', () => {
    const p = read({
      versionStrategy: 'nextMinor',
      targetRegions: 'westeurope=2:Standard_ZRS\neastus',
      replicaCount: '3',
      storageAccountType: 'premium_lrs',
      replicationTimeout: '90',
      pollInterval: '10',
      tolerateFailedRegions: 'true',
      excludeFromLatest: 'true',
      endOfLifeDate: '2027-06-30',
      blockDeletionBeforeEndOfLife: 'true',
      tags: 'owner=platform\ncost-center = 42',
      pruneKeep: '5',
      pruneDryRun: 'true',
      securityType: 'TrustedLaunch',
      hyperVGeneration: 'V2',
      imageFeatures: 'IsAcceleratedNetworkSupported=True\nDiskControllerTypes=SCSI, NVMe',
      recommendedVCpus: '2-16',
      recommendedMemory: '8',
      definitionEndOfLifeDate: '730d',
      location: 'West Europe',
      shareWithSubscriptions: `${SUB.toUpperCase()}`,
      shareWithTenants: '8d2f0b7e-6a3c-4e51-9b1d-3c5e7f9a1b2c',
    });
    assert.deepStrictEqual(p.version, { kind: 'next', bump: 'minor' });
    assert.deepStrictEqual(p.regions, [
      { region: 'westeurope', replicaCount: 2, storageAccountType: 'Standard_ZRS' },
      { region: 'eastus' },
    ]);
    assert.deepStrictEqual(p.regionDefaults, {
      replicaCount: 3,
      storageAccountType: 'Premium_LRS',
    });
    assert.strictEqual(p.timeoutMs, 90 * 60_000, 'a bare timeout is minutes');
    assert.strictEqual(p.pollIntervalMs, 10_000, 'a bare poll interval is seconds');
    assert.strictEqual(p.endOfLifeDate?.toISOString(), '2027-06-30T00:00:00.000Z');
    assert.deepStrictEqual(p.tags, { owner: 'platform', 'cost-center': '42' });
    assert.deepStrictEqual(p.prune, { keep: 5, dryRun: true });
    assert.deepStrictEqual(p.definition.features, [
      { name: 'IsAcceleratedNetworkSupported', value: 'True' },
      { name: 'DiskControllerTypes', value: 'SCSI, NVMe' },
    ]);
    assert.deepStrictEqual(p.definition.recommended, {
      vCPUs: { min: 2, max: 16 },
      memory: { min: 8 },
    });
    assert.strictEqual(p.definition.endOfLifeDate?.getTime(), NOW.getTime() + 730 * 86_400_000);
    assert.strictEqual(p.target.location, 'westeurope');
    assert.deepStrictEqual(p.share, {
      subscriptions: [SUB],
      tenants: ['8d2f0b7e-6a3c-4e51-9b1d-3c5e7f9a1b2c'],
    });
  });

  it('a full definition or version id replaces the gallery inputs', () => {
    const p = readDistributeParams(
      inputs({
        source: IMAGE,
        imageDefinition: DEF,
        versionStrategy: 'explicit',
        version: '1.2.3',
      }),
      PIPELINE,
      NOW,
    );
    assert.deepStrictEqual(p.target, {
      subscriptionId: SUB,
      resourceGroup: 'rg-images',
      gallery: 'golden',
      definition: 'win11',
      location: undefined,
    });
    const promote = readDistributeParams(
      inputs({ action: 'promote', imageDefinition: 'ignored', version: `${DEF}/versions/1.2.3` }),
      PIPELINE,
      NOW,
    );
    assert.deepStrictEqual(promote.version, {
      kind: 'fixed',
      version: '1.2.3',
      origin: 'explicit',
    });
    assert.strictEqual(promote.target.definition, 'win11');
    assert.strictEqual(promote.source, undefined);
  });

  it('bad input fails naming the input, before anything is done in Azure', () => {
    fails(
      { versionStrategy: 'explicit' },
      /^Input 'version': a value is required when versionStrategy is explicit/,
    );
    fails(
      { versionStrategy: 'explicit', version: '1.0' },
      /^Input 'version': '1\.0' is not of the form Major\.Minor\.Patch/,
    );
    fails(
      { versionStrategy: 'explicit', version: '3000000000.0.0' },
      /^Input 'version': .*above 2147483647/,
    );
    fails(
      { targetRegions: 'westeurope=200' },
      new RegExp(
        "^Input 'targetRegions': 'westeurope=200': the replica count 200 is out of range; " +
          'Azure allows 1 to 100',
      ),
    );
    fails({ replicaCount: '0' }, /^Input 'replicaCount': '0' is not a whole number in range/);
    fails(
      { source: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/d1' },
      /^Input 'source': .*Microsoft\.Compute\/disks resource, which can't be the source/,
    );
    fails(
      { source: 'my-image' },
      /^Input 'source': 'my-image' is neither a resource id nor an https URI/,
    );
    fails(
      { sourceType: 'virtualMachine' },
      /^Input 'source': .* is a managed image, but sourceType is virtualMachine/,
    );
    fails(
      { galleryName: 'golden gallery' },
      new RegExp(
        "^Input 'galleryName': 'golden gallery' is not valid.*letters, digits, periods " +
          'and underscores',
      ),
    );
    fails({ galleryResourceGroup: '' }, /^Input 'galleryResourceGroup': a value is required/);
    fails(
      { endOfLifeDate: '2020-01-01' },
      /^Input 'endOfLifeDate': 2020-01-01T00:00:00\.000Z is not in the future/,
    );
    fails({ endOfLifeDate: 'next year' }, /^Input 'endOfLifeDate': 'next year' is not a date/);
    fails(
      { blockDeletionBeforeEndOfLife: 'true' },
      /^Input 'blockDeletionBeforeEndOfLife': .*no endOfLifeDate/,
    );
    fails(
      { securityType: 'TrustedLaunch', hyperVGeneration: 'V1' },
      /^Input 'securityType': 'TrustedLaunch' needs Hyper-V generation V2/,
    );
    fails(
      { imageFeatures: 'SecurityType=TrustedLaunch' },
      /^Input 'imageFeatures': SecurityType is set with the securityType input/,
    );
    fails({ recommendedVCpus: '16-2' }, /^Input 'recommendedVCpus': '16-2' is not a range/);
    fails(
      { tags: 'microsoft.owner=x' },
      /^Input 'tags': 'microsoft\.owner' is not a tag name Azure accepts/,
    );
    fails(
      { shareWithSubscriptions: 'not-a-guid' },
      /^Input 'shareWithSubscriptions': 'not-a-guid' is not a GUID/,
    );
    fails({ replicationTimeout: '10s' }, /^Input 'replicationTimeout': 10s is out of range/);
    fails({ action: 'promote' }, /^Input 'version': a value is required to promote a version/);
    fails(
      { action: 'prune', pruneKeep: '0' },
      /^Input 'pruneKeep': prune needs to know how many versions to keep/,
    );
    fails(
      { action: 'prune', pruneKeep: '-1' },
      /^Input 'pruneKeep': '-1' is not a whole number in range/,
    );
    fails(
      { action: 'replicate', version: `${DEF}/versions/1.0.0/x` },
      /^Input 'version': '.*' is not the resource id of an image version/,
    );
    assert.throws(
      () => read({}, { ...PIPELINE, buildNumber: 'nightly' }),
      /^InputError: Input 'versionStrategy': The build number 'nightly' has no numbers/,
    );
  });
});
