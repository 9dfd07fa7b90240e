import * as assert from 'assert';
import { formatDuration, parseDuration } from '../../../tasks/common/core/duration';

describe('core: durations', () => {
  it('accepts units and combinations', () => {
    assert.strictEqual(parseDuration('90s'), 90_000);
    assert.strictEqual(parseDuration('30m'), 1_800_000);
    assert.strictEqual(parseDuration('2h'), 7_200_000);
    assert.strictEqual(parseDuration('1h30m'), 5_400_000);
    assert.strictEqual(parseDuration('1h 30m'), 5_400_000);
    assert.strictEqual(parseDuration('1d'), 86_400_000);
    assert.strictEqual(parseDuration('1.5h'), 5_400_000);
  });
  it('reads a bare number in the given unit', () => {
    assert.strictEqual(parseDuration('240'), 240 * 60_000);
    assert.strictEqual(parseDuration('45', 's'), 45_000);
  });
  it('refuses what is not a duration', () => {
    for (const bad of ['', 'soon', '10 minutes', '5x', 'h', '-5m'])
      assert.strictEqual(parseDuration(bad), undefined, bad);
  });
  it('formats for messages', () => {
    assert.strictEqual(formatDuration(5_400_000), '1h 30m');
    assert.strictEqual(formatDuration(61_000), '1m 1s');
    assert.strictEqual(formatDuration(250), '250ms');
  });
});
