import * as assert from 'assert';
import { readBuildParams } from '../../../../tasks/common/imagebuilder/inputs/params';
import { templateName } from '../../../../tasks/common/imagebuilder/template/naming';
import { BUILD_INPUTS, compose, PIPELINE, reader } from '../support';

describe('imagebuilder: the template name', () => {
  it('the same for another attempt of the job; another with the content or the job', () => {
    const params = readBuildParams(
      reader({ ...BUILD_INPUTS, inlineScript: 'Write-Host hi' }),
      PIPELINE,
    );
    const { name, doc } = compose(params);
    assert.match(name, /^gip-golden-image-42-[0-9a-f]{10}$/);
    assert.strictEqual(doc.tags['gip.template'], name);
    assert.strictEqual(compose(params, { ...PIPELINE, jobAttempt: 2 }).name, name);
    const other = readBuildParams(
      reader({ ...BUILD_INPUTS, inlineScript: 'Write-Host bye' }),
      PIPELINE,
    );
    assert.notStrictEqual(compose(other).name, name);
    assert.notStrictEqual(
      templateName({ ...PIPELINE, jobName: 'Image2' }, doc),
      templateName(PIPELINE, doc),
    );
  });
});
