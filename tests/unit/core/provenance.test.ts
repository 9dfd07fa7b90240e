import * as assert from 'assert';
import {
  definitionIdentity,
  madeByThisJob,
  provenanceTags,
  sameSource,
  sourceOfVersion,
  TAGS,
} from '../../../tasks/common/core/provenance';
import { IMAGE, PIPELINE, VM } from '../gallery/fixtures';

describe('core: provenance', () => {
  it('tags name the pipeline, run, job, commit, repository and source', () => {
    const tags = provenanceTags(PIPELINE, IMAGE);
    assert.deepStrictEqual(tags, {
      [TAGS.pipeline]: 'golden-image',
      [TAGS.definition]: 'https://dev.azure.com/contoso/images/_build?definitionId=42',
      [TAGS.run]: '20261121.3 (1001)',
      [TAGS.runUrl]: PIPELINE.runUrl,
      [TAGS.job]: 'Build/Image',
      [TAGS.commit]: PIPELINE.sourceVersion,
      [TAGS.repository]: PIPELINE.repositoryUri,
      [TAGS.source]: IMAGE,
    });
    assert.strictEqual(
      provenanceTags(PIPELINE, 'https://acct.blob.core.windows.net/vhds/a.vhd?sv=2025&sig=secret')[
        TAGS.source
      ],
      'https://acct.blob.core.windows.net/vhds/a.vhd',
      'no SAS in tags',
    );
    assert.ok(
      !(TAGS.source in provenanceTags(PIPELINE, `${IMAGE}${'x'.repeat(300)}`)),
      'a value longer than Azure allows is left out',
    );
  });

  it('the definition is its page: build or classic release, none without an id', () => {
    assert.strictEqual(
      definitionIdentity({ ...PIPELINE, teamProject: 'Golden Images' }),
      'https://dev.azure.com/contoso/Golden%20Images/_build?definitionId=42',
    );
    assert.strictEqual(
      definitionIdentity({ ...PIPELINE, hostType: 'release', definitionId: '3' }),
      'https://dev.azure.com/contoso/images/_release?definitionId=3',
    );
    assert.ok(!(TAGS.definition in provenanceTags({ ...PIPELINE, definitionId: '' }, IMAGE)));
  });

  it('a job attempt is the same job; another job or run is not', () => {
    const tags = provenanceTags(PIPELINE, IMAGE);
    assert.ok(madeByThisJob(tags, { ...PIPELINE, jobAttempt: 3 }));
    assert.ok(!madeByThisJob(tags, { ...PIPELINE, jobName: 'Other' }));
    assert.ok(
      !madeByThisJob(tags, { ...PIPELINE, runUrl: PIPELINE.runUrl.replace('1001', '1002') }),
    );
    assert.ok(!madeByThisJob(undefined, PIPELINE));
  });

  it('sources compare as Azure does: ids case-insensitively, blobs without their SAS', () => {
    assert.ok(sameSource(IMAGE, IMAGE.toUpperCase()));
    assert.ok(!sameSource(IMAGE, VM));
    assert.ok(
      sameSource(
        'https://a.blob.core.windows.net/c/os.vhd?sig=1',
        'https://A.blob.core.windows.net/c/os.vhd?sig=2',
      ),
    );
    assert.ok(
      !sameSource(
        'https://a.blob.core.windows.net/c/OS.vhd',
        'https://a.blob.core.windows.net/c/os.vhd',
      ),
      'blob names are case-sensitive',
    );
    assert.strictEqual(sourceOfVersion({ source: { virtualMachineId: VM } }), VM);
    assert.strictEqual(
      sourceOfVersion({ osDiskImage: { source: { uri: 'https://a/b.vhd' } } }),
      'https://a/b.vhd',
    );
  });
});
