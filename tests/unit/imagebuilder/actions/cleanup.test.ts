import * as assert from 'assert';
import { PipelineInfo } from '../../../../tasks/common/core/pipelineInfo';
import { decide } from '../../../../tasks/common/imagebuilder/actions/cleanup';

const PIPELINE: PipelineInfo = {
  collectionUri: 'https://dev.azure.com/org/',
  teamProject: 'images',
  definitionName: 'golden-image',
  definitionId: '7',
  buildId: '1002',
  buildNumber: '20241121.2',
  stageName: 'Build',
  jobName: 'Image',
  jobAttempt: 1,
  repositoryName: 'images',
  repositoryUri: '',
  sourceVersion: 'abc',
  runUrl: 'https://dev.azure.com/org/images/_build/results?buildId=1002',
  hostType: 'build',
  hostedAgent: false,
  defaultWorkingDirectory: '/w',
};
const ours = (extra: Record<string, string> = {}) => ({
  'gip.managedBy': 'BuildImage',
  'gip.pipeline': 'golden-image',
  'gip.runUrl': 'https://dev.azure.com/org/images/_build/results?buildId=1001',
  ...extra,
});

describe('imagebuilder: cleanup decisions', () => {
  it("removes this pipeline's ended or cancel-tagged templates", () => {
    assert.deepStrictEqual(
      decide({ tags: ours(), lastRunStatus: { runState: 'Canceled' } }, PIPELINE),
      { remove: true, why: 'left behind, its run ended Canceled' },
    );
    assert.deepStrictEqual(
      decide({ tags: ours(), lastRunStatus: { runState: 'Failed' } }, PIPELINE).remove,
      true,
    );
    assert.deepStrictEqual(decide({ tags: ours() }, PIPELINE), {
      remove: true,
      why: 'left behind, never run',
    });
    const tagged = decide(
      {
        tags: ours({
          'gip.cleanup': 'cancelled 2024-11-21T08:00:00Z',
          'gip.runUrl': PIPELINE.runUrl,
        }),
      },
      PIPELINE,
    );
    assert.deepStrictEqual(tagged, {
      remove: true,
      why: 'tagged gip.cleanup (cancelled 2024-11-21T08:00:00Z)',
    });
  });

  it(
    "keeps running builds, other pipelines', untagged and foreign templates, and this run's " +
      'own not yet run',
    () => {
      assert.deepStrictEqual(
        decide(
          { tags: ours({ 'gip.cleanup': 'x' }), lastRunStatus: { runState: 'Running' } },
          PIPELINE,
        ),
        { remove: false, why: 'its build is running' },
      );
      assert.deepStrictEqual(
        decide(
          { tags: ours({ 'gip.pipeline': 'other' }), lastRunStatus: { runState: 'Canceled' } },
          PIPELINE,
        ),
        { remove: false, why: "another pipeline's (other)" },
      );
      assert.deepStrictEqual(
        decide({ tags: ours({ 'gip.pipeline': 'other', 'gip.cleanup': 'x' }) }, PIPELINE).remove,
        false,
      );
      assert.deepStrictEqual(decide({ tags: { 'gip.managedBy': 'BuildImage' } }, PIPELINE), {
        remove: false,
        why: 'no pipeline named in its tags',
      });
      assert.deepStrictEqual(decide({ tags: { 'gip.pipeline': 'golden-image' } }, PIPELINE), {
        remove: false,
        why: 'not made by BuildImage',
      });
      assert.deepStrictEqual(decide({ tags: ours(), provisioningState: 'Deleting' }, PIPELINE), {
        remove: false,
        why: 'it is deleting',
      });
      assert.deepStrictEqual(decide({ tags: ours({ 'gip.runUrl': PIPELINE.runUrl }) }, PIPELINE), {
        remove: false,
        why: 'started by this run and not run yet',
      });
    },
  );

  it('tells pipelines apart by definition; a name alone decides only for older templates', () => {
    const definition = 'https://dev.azure.com/org/images/_build?definitionId=7';
    const ended = (tags: Record<string, string>) => ({
      tags: ours(tags),
      lastRunStatus: { runState: 'Failed' as const },
    });
    assert.deepStrictEqual(
      decide(ended({ 'gip.definition': definition.replace('=7', '=8') }), PIPELINE),
      {
        remove: false,
        why: `another pipeline's (golden-image, ${definition.replace('=7', '=8')})`,
      },
      'same name, another definition',
    );
    assert.strictEqual(
      decide(ended({ 'gip.definition': definition, 'gip.pipeline': 'old name' }), PIPELINE).remove,
      true,
      'renamed, same definition',
    );
    assert.strictEqual(decide(ended({}), PIPELINE).remove, true, 'older template: by name');
  });
});
