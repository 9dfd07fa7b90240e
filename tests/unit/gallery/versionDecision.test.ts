import * as assert from 'assert';
import { provenanceTags, TAGS } from '../../../tasks/common/core/provenance';
import { decideVersion, VersionConflictError } from '../../../tasks/common/gallery/versionDecision';
import { IMAGE, PIPELINE, VM } from './fixtures';

const describeSource = (s: string | undefined) => `'${s?.split('/').pop()}'`;

describe('gallery: version decisions', () => {
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
