import * as assert from 'assert';
import { InputReader } from '../../../tasks/common/core/inputReader';

function reader(values: Record<string, string>) {
  const secrets: string[] = [];
  return {
    inputs: new InputReader({ get: (n) => values[n] || undefined, secret: (v) => secrets.push(v) }),
    secrets,
  };
}

describe('core: typed inputs', () => {
  it('a missing required input names the input and what is expected', () => {
    const { inputs } = reader({});
    assert.throws(
      () =>
        inputs.string('location', {
          required: true,
          expected: 'an Azure region such as westeurope',
        }),
      {
        name: 'InputError',
        message:
          "Input 'location': a value is required. Expected an Azure region such as westeurope.",
      },
    );
  });
  it('durations with units and ranges', () => {
    const { inputs } = reader({ buildTimeout: '2h', tooShort: '10s', junk: 'later' });
    assert.strictEqual(inputs.duration('buildTimeout'), 7_200_000);
    assert.strictEqual(inputs.duration('unset', { defaultValue: 60_000 }), 60_000);
    assert.throws(
      () => inputs.duration('tooShort', { min: 60_000, max: 960 * 60_000 }),
      /Input 'tooShort': 10s is out of range\. Expected a duration between 1m and 16h\./,
    );
    assert.throws(
      () => inputs.duration('junk'),
      new RegExp(
        "Input 'junk': 'later' is not a duration\\. Expected a duration such as 90s, " +
          '30m, 2h or 1h30m \\(a bare number means minutes\\)\\.',
      ),
    );
  });
  it('booleans, integers, choices and lists', () => {
    const { inputs } = reader({
      keep: 'True',
      count: '3',
      big: '99',
      mode: 'SIG',
      regions: 'westeurope, eastus\nnortheurope',
      flag: 'maybe',
    });
    assert.strictEqual(inputs.bool('keep'), true);
    assert.strictEqual(inputs.bool('unset', true), true);
    assert.throws(
      () => inputs.bool('flag'),
      /Input 'flag': 'maybe' is not a boolean\. Expected 'true' or 'false'\./,
    );
    assert.strictEqual(inputs.int('count', { min: 1, max: 10 }), 3);
    assert.throws(
      () => inputs.int('big', { min: 1, max: 10 }),
      /Expected a whole number from 1 to 10/,
    );
    assert.strictEqual(inputs.choice('mode', ['sig', 'managedImage', 'vhd'] as const), 'sig');
    assert.throws(
      () => inputs.choice('regions', ['a', 'b'] as const),
      /is not one of the allowed values\. Expected one of a, b\./,
    );
    assert.deepStrictEqual(inputs.list('regions'), ['westeurope', 'eastus', 'northeurope']);
  });
  it('secret inputs are masked before use', () => {
    const { inputs, secrets } = reader({ token: 'abc123' });
    assert.strictEqual(inputs.secret('token'), 'abc123');
    assert.deepStrictEqual(secrets, ['abc123']);
  });
});
