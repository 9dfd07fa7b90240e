import * as assert from 'assert';
import { MemoryLogger } from '../../../tasks/common/core/logger';
import { RunContext } from '../../../tasks/common/core/runContext';
import { GalleryRun } from '../../../tasks/common/gallery/context';
import { buildOutcome } from '../../../tasks/common/gallery/outcome';
import { DEF, PIPELINE, SUB } from './fixtures';

function run(issues: string[] = []): GalleryRun {
  const context = new RunContext({
    log: new MemoryLogger(),
    signal: new AbortController().signal,
    pipeline: PIPELINE,
    describeError: String,
  });
  context.warnings.push(...issues);
  return Object.assign(context, {
    ref: {
      subscriptionId: SUB,
      resourceGroup: 'rg-images',
      gallery: 'golden',
      definition: 'win11',
    },
  }) as unknown as GalleryRun;
}

describe('gallery: outcome, outputs and summary', () => {
  const regions = [
    { region: 'westeurope', state: 'Completed', progress: 100 },
    { region: 'eastus', state: 'Failed', progress: 40, details: 'quota | exceeded' },
  ];
  const targetRegions = [
    { name: 'westeurope', regionalReplicaCount: 2, storageAccountType: 'Standard_ZRS' },
    { name: 'eastus', regionalReplicaCount: 1, storageAccountType: 'Standard_LRS' },
  ];

  it('outputs: version id and name, definition, regions with their state', () => {
    const o = buildOutcome(run(), {
      what: 'published',
      version: '1.2.3',
      regions,
      targetRegions,
      replication: 'Failed',
      problem: 'Replication failed in eastus',
      notes: [],
    });
    assert.strictEqual(o.result, 'Failed');
    assert.strictEqual(o.message, 'Replication failed in eastus');
    assert.deepStrictEqual(o.outputs, {
      imageDefinitionId: DEF,
      galleryId: DEF.replace('/images/win11', ''),
      imageVersionId: `${DEF}/versions/1.2.3`,
      imageVersionName: '1.2.3',
      regions: 'westeurope=Completed,eastus=Failed',
      replicationState: 'Failed',
    });
  });

  it('a markdown summary with the result, ids, regions table and prune decisions', () => {
    const o = buildOutcome(run(['eastus failed (tolerated)']), {
      what: 'published from managed image',
      version: '1.2.3',
      source: "managed image 'img-1' (rg)",
      regions,
      targetRegions,
      replication: 'Failed',
      excludedFromLatest: true,
      notes: [],
      prune: {
        keep: 2,
        dryRun: false,
        decisions: [
          { name: '1.2.3', delete: false, reason: 'published by this run' },
          { name: '1.0.0', delete: true, reason: 'older than the newest 2' },
        ],
        deleted: ['1.0.0'],
        failed: [],
        recovery: 'Soft delete is off.',
      },
    });
    assert.strictEqual(o.result, 'SucceededWithIssues');
    const s = o.summary!;
    assert.match(s, /^### Image version 1\.2\.3 · golden\/win11\n/);
    assert.match(s, /\| Image version \| `\/subscriptions\/.*\/versions\/1\.2\.3` \|/);
    assert.match(s, /\| Latest \| excluded from latest \(promote it with action: promote\) \|/);
    assert.match(s, /\| westeurope \| 2 \| Standard_ZRS \| Completed \|/);
    assert.match(
      s,
      /\| eastus \| 1 \| Standard_LRS \| Failed 40% \(quota \\\| exceeded\) \|/,
      'pipes in text are escaped',
    );
    assert.match(s, /\| 1\.0\.0 \| deleted \| older than the newest 2 \|/);
    assert.match(s, /- eastus failed \(tolerated\)/);
    assert.match(
      s,
      new RegExp(
        '\\[golden-image ' +
          '20261121\\.3\\]\\(https:\\/\\/dev\\.azure\\.com\\/contoso\\/images\\/_build\\/' +
          'results\\?buildId=1001\\)',
      ),
    );
  });
});
