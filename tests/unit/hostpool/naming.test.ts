import * as assert from 'assert';
import {
  checkNameLength,
  defaultPrefix,
  highestIndex,
  nextNames,
  splitIndex,
} from '../../../tasks/common/hostpool/naming';

describe('host pool: new host names', () => {
  it('the default prefix is the reference host name without its index (FQDN or not)', () => {
    assert.strictEqual(defaultPrefix('avd-prod-3.corp.contoso.com', undefined), 'avd-prod-');
    assert.strictEqual(defaultPrefix('avdprod12', undefined), 'avdprod');
    assert.strictEqual(defaultPrefix('nonumber', undefined), undefined);
    assert.strictEqual(defaultPrefix(undefined, JSON.stringify({ namePrefix: 'avd' })), 'avd-');
    assert.strictEqual(defaultPrefix(undefined, 'not json'), undefined);
  });

  it('the next index is one above the highest ever used: hosts and the pool tag', () => {
    const names = ['avd-prod-1', 'avd-prod-7.corp.contoso.com', 'other-9'];
    assert.strictEqual(highestIndex('avd-prod-', names, 0), 7);
    assert.strictEqual(highestIndex('avd-prod-', names, 12), 12);
    assert.deepStrictEqual(nextNames('avd-prod-', 12, 2), [
      { name: 'avd-prod-13', index: 13 },
      { name: 'avd-prod-14', index: 14 },
    ]);
    assert.deepStrictEqual(splitIndex('avd-prod-10'), { prefix: 'avd-prod-', index: 10 });
  });

  it("Windows' 15 characters: refused naming namePrefix and the longest name", () => {
    checkNameLength('avd-prod-', ['avd-prod-9', 'avd-prod-10']);
    assert.throws(
      () => checkNameLength('avd-production-', ['avd-production-9', 'avd-production-10']),
      (err: Error) =>
        err.name === 'InputError' &&
        err.message.startsWith("Input 'namePrefix'") &&
        err.message.includes("'avd-production-10' (17 characters)") &&
        err.message.includes('a prefix of at most 13 characters'),
    );
  });
});
