import * as assert from 'assert';
import { readBuildParams } from '../../../../tasks/common/imagebuilder/inputs/params';
import { BUILD_INPUTS, PIPELINE, reader, rg } from '../support';

describe('imagebuilder: the build parameters', () => {
  it('bad input is refused naming the input', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { ...BUILD_INPUTS, managedIdentity: 'a b' },
        /Input 'managedIdentity': 'a b' is not an identity name/,
      ],
      [{ ...BUILD_INPUTS, inlineScript: 'x', runAsSystem: 'true' }, /Input 'runAsSystem'/],
      [
        { ...BUILD_INPUTS, galleryImageDefinitionId: '' },
        /Input 'galleryImageDefinitionId': no distribution target is set/,
      ],
      [
        { ...BUILD_INPUTS, versionStrategy: 'explicit' },
        /Input 'galleryImageVersion': a value is required/,
      ],
      [
        { ...BUILD_INPUTS, galleryImageVersion: '1.02.0', versionStrategy: 'explicit' },
        /Input 'galleryImageVersion': '1.02.0' has a leading zero/,
      ],
      [
        { ...BUILD_INPUTS, proxyVmSize: 'Standard_A1_v2' },
        /Input 'proxyVmSize': applies to private builds only/,
      ],
      [
        { ...BUILD_INPUTS, sourceType: 'sig' },
        /Input 'sourceImage': .* is not the resource id of a gallery image version/,
      ],
      [
        { ...BUILD_INPUTS, scriptSource: 'file', scriptPath: 'missing.ps1' },
        /Input 'scriptPath': 'missing.ps1' can't be read \(ENOENT\)/,
      ],
    ];
    for (const [values, pattern] of cases)
      assert.throws(() => readBuildParams(reader(values), PIPELINE), pattern);
  });

  it('managedIdentity is optional; a given one is still checked', () => {
    const base = { ...BUILD_INPUTS, managedIdentity: '' };
    assert.strictEqual(readBuildParams(reader(base), PIPELINE).identity, undefined);
    assert.strictEqual(
      readBuildParams(reader({ ...base, managedIdentity: 'aib' }), PIPELINE).identity,
      'aib',
    );
    assert.throws(
      () =>
        readBuildParams(
          reader({ ...base, managedIdentity: `${rg('rg')}/providers/Microsoft.Compute/images/x` }),
          PIPELINE,
        ),
      /Input 'managedIdentity': .* is not the resource id of a user-assigned identity/,
    );
  });
});
