import * as assert from 'assert';
import { parseMarketplaceUrn } from '../../../../tasks/common/imagebuilder/inputs/sourceRef';

describe('imagebuilder: source references', () => {
  it("marketplace URNs: with a version, with the existing task's OS form, and refusals", () => {
    assert.deepStrictEqual(parseMarketplaceUrn('Canonical:ubuntu:22_04-lts:1.2.3', 'latest'), {
      kind: 'marketplace',
      publisher: 'Canonical',
      offer: 'ubuntu',
      sku: '22_04-lts',
      version: '1.2.3',
      osHint: undefined,
    });
    assert.strictEqual(
      parseMarketplaceUrn(
        'MicrosoftWindowsServer:WindowsServer:2022-datacenter:windows',
        '20348.1.2',
      ).version,
      '20348.1.2',
    );
    assert.strictEqual(
      parseMarketplaceUrn('MicrosoftWindowsServer:WindowsServer:2022-datacenter:windows').osHint,
      'Windows',
    );
    assert.throws(
      () => parseMarketplaceUrn('a:b:c:1.2.3', '4.5.6'),
      /give the version in one place/,
    );
    assert.throws(() => parseMarketplaceUrn('a:b:c:new'), /not a marketplace image version/);
  });
});
