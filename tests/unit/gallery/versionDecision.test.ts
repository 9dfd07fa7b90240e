import * as assert from 'assert';
import {
  madeByThisJob,
  provenanceTags,
  sameSource,
  sourceOfVersion,
  TAGS,
} from '../../../tasks/common/core/provenance';
import { decideVersion, VersionConflictError } from '../../../tasks/common/gallery/versionDecision';
import { IMAGE, PIPELINE, VM } from './fixtures';

const describeSource = (s: string | undefined) => `'${s?.split('/').pop()}'`;

describe('gallery: provenance and version decisions', () => {
  it('tags name the pipeline, run, job, commit, repository and source', () => {
    const tags = provenanceTags(PIPELINE, IMAGE);
    assert.deepStrictEqual(tags, {
      [TAGS.pipeline]: 'golden-image',
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

  const base = {
    source: IMAGE,
    describeSource,
    pipeline: PIPELINE,
    overwrite: false,
    definition: 'win11',
  };
  const mine = { tags: provenanceTags(PIPELINE, IMAGE), source: IMAGE };

  it('creates a version that does not exist; the next version follows the highest', () => {
    assert.deepStrictEqual(
      decideVersion({
        ...base,
        plan: { kind: 'fixed', version: '1.0.0', origin: 'explicit' },
        versions: [],
      }),
      { mode: 'create', name: '1.0.0' },
    );
    assert.deepStrictEqual(
      decideVersion({
        ...base,
        plan: { kind: 'next', bump: 'minor' },
        versions: [{ name: '1.9.4' }, { name: '1.10.0' }],
      }),
      { mode: 'create', name: '1.11.0' },
    );
  });

  it('a rerun of the same job finds its own version, also with next-version naming', () => {
    const versions = [{ name: '1.0.0' }, { name: '1.0.1', ...mine }];
    assert.deepStrictEqual(
      decideVersion({ ...base, plan: { kind: 'next', bump: 'patch' }, versions }),
      { mode: 'own', name: '1.0.1', existing: versions[1] },
    );
    assert.strictEqual(
      decideVersion({
        ...base,
        plan: { kind: 'fixed', version: '1.0.1', origin: 'buildNumber' },
        versions,
      }).mode,
      'own',
    );
  });

  it('the same source published by another run is the same content', () => {
    const versions = [
      { name: '1.0.0', tags: { [TAGS.runUrl]: 'https://other' }, source: IMAGE.toLowerCase() },
    ];
    assert.strictEqual(
      decideVersion({
        ...base,
        plan: { kind: 'fixed', version: '1.0.0', origin: 'explicit' },
        versions,
      }).mode,
      'sameSource',
    );
  });

  it('other content is refused, naming both sources and who published it, unless overwrite', () => {
    const versions = [
      {
        name: '1.0.0',
        tags: {
          [TAGS.runUrl]: 'https://dev.azure.com/x/_build/results?buildId=7',
          [TAGS.job]: 'Build/Image',
        },
        source: VM,
      },
    ];
    const plan = { kind: 'fixed', version: '1.0.0', origin: 'explicit' } as const;
    assert.throws(
      () => decideVersion({ ...base, plan, versions }),
      (err: Error) =>
        err instanceof VersionConflictError &&
        new RegExp(
          "^Image version 1\\.0\\.0 of 'win11' already exists with other content: it was " +
            ("published from 'vm-1' by " +
              'https:\\/\\/dev\\.azure\\.com\\/x\\/_build\\/results\\?buildId=') +
            "7 \\(job Build\\/Image\\), not from 'img-1'\\. Nothing was changed\\..*overwrite: " +
            'true',
        ).test(err.message),
    );
    assert.strictEqual(decideVersion({ ...base, plan, versions, overwrite: true }).mode, 'replace');
  });
});
