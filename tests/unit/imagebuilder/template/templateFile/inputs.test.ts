import * as assert from 'assert';
import * as inputs from '../../../../../tasks/common/imagebuilder/template/templateFile/inputs';

describe('templateFile: inputs', () => {
  it('templateParameters: JSON object, ARM parameters file, or name=value lines', () => {
    assert.deepStrictEqual(inputs.parseParameters('{"a": "x", "n": 2}'), { a: 'x', n: 2 });
    assert.deepStrictEqual(
      inputs.parseParameters(
        '{"$schema": "p", "contentVersion": "1.0.0.0", "parameters": {"a": {"value": "x"}}}',
      ),
      { a: 'x' },
    );
    assert.deepStrictEqual(inputs.parseParameters('a = x\nb=y=z\n'), { a: 'x', b: 'y=z' });
    assert.throws(() => inputs.parseParameters('just words'), /'just words' is not name=value/);
  });
});
