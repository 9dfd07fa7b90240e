import * as assert from 'assert';
import { readAttachParams } from '../../../tasks/common/devcenter/params';
import { InputReader } from '../../../tasks/common/core/inputReader';

const SUB = '1f3e5d7c-9b2a-4c6e-8d0f-2a4b6c8d0e1f';
const GALLERY =
  `/subscriptions/${SUB}/resourceGroups/rg-img/providers/Microsoft.Compute` + '/galleries/golden';
const BASE = { devCenter: 'dc-main', resourceGroup: 'rg-devbox', gallery: GALLERY };

const read = (values: Record<string, string>) =>
  readAttachParams(
    new InputReader({ get: (n) => ({ ...BASE, ...values })[n] || undefined, secret: () => {} }),
  );
const fails = (values: Record<string, string>, message: RegExp) =>
  assert.throws(
    () => read(values),
    (err: Error) => err.name === 'InputError' && message.test(err.message),
    `expected ${message}`,
  );

describe('devcenter: task inputs', () => {
  it('defaults: attach, every image, fail on requirements, 30s polls, 1h validation', () => {
    assert.deepStrictEqual(read({}), {
      action: 'attach',
      devCenter: { resourceGroup: 'rg-devbox', name: 'dc-main' },
      gallery: { subscriptionId: SUB, resourceGroup: 'rg-img', gallery: 'golden' },
      galleryName: undefined,
      image: undefined,
      imageVersion: undefined,
      identity: undefined,
      windows365PrincipalId: undefined,
      definition: undefined,
      onRequirementFailure: 'fail',
      pollIntervalMs: 30_000,
      validationTimeoutMs: 3_600_000,
    });
  });

  it('a dev center id, an image id of the gallery and a definition with its sku', () => {
    const p = read({
      devCenter:
        `/subscriptions/${SUB}/resourceGroups/rg-dc/providers/Microsoft.DevCenter` +
        '/devcenters/dc-2',
      resourceGroup: '',
      image: `${GALLERY}/images/win11`,
      imageVersion: '1.2.3',
      devBoxDefinition: 'win11-8c32gb',
      sku: 'general_i_8c32gb256ssd_v2',
      osStorageType: 'ssd_256gb',
      hibernateSupport: 'enabled',
      validationTimeout: '90',
      pollInterval: '10',
    });
    assert.deepStrictEqual(p.devCenter, {
      subscriptionId: SUB,
      resourceGroup: 'rg-dc',
      name: 'dc-2',
    });
    assert.strictEqual(p.image, 'win11');
    assert.strictEqual(p.imageVersion, '1.2.3');
    assert.deepStrictEqual(p.definition, {
      name: 'win11-8c32gb',
      sku: 'general_i_8c32gb256ssd_v2',
      osStorageType: 'ssd_256gb',
      hibernateSupport: 'Enabled',
    });
    assert.deepStrictEqual([p.validationTimeoutMs, p.pollIntervalMs], [5_400_000, 10_000]);
  });

  it('each bad input fails naming it', () => {
    fails({ devCenter: '' }, /^Input 'devCenter': a value is required/);
    fails({ resourceGroup: '' }, /^Input 'resourceGroup': a value is required/);
    fails({ devCenter: 'dc_main' }, /^Input 'devCenter': 'dc_main' is not a dev center name/);
    fails(
      { gallery: `${GALLERY}/images/win11` },
      /^Input 'gallery': .* is not the resource id of an Azure Compute Gallery/,
    );
    fails({ gallery: 'golden' }, /^Input 'gallery'/);
    fails({ galleryName: 'ab' }, /^Input 'galleryName': 'ab' is not valid/);
    fails(
      { gallery: GALLERY.replace('golden', 'g1') },
      /^Input 'galleryName': the gallery's own name 'g1' is not a name Dev Box accepts/,
    );
    fails(
      { image: GALLERY.replace('golden', 'other') + '/images/win11' },
      /^Input 'image': .* is an image of gallery 'other', not of the gallery input's 'golden'/,
    );
    fails({ imageVersion: '1.0.0' }, /^Input 'imageVersion': a version needs an image/);
    fails(
      { image: 'win11', imageVersion: 'latest' },
      /^Input 'imageVersion': 'latest' is not valid/,
    );
    fails(
      { identity: '/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d' },
      /^Input 'identity'/,
    );
    fails(
      { windows365PrincipalId: 'windows365' },
      /^Input 'windows365PrincipalId': .*az ad sp show --id 0af06dc6/,
    );
    fails({ devBoxDefinition: 'a b' }, /^Input 'devBoxDefinition': 'a b' is not valid/);
    fails(
      { devBoxDefinition: 'dev-box', osStorageType: 'ssd_256gb' },
      /^Input 'sku': a value is required/,
    );
    fails(
      { devBoxDefinition: 'dev-box', sku: 'general_i_8c32gb256ssd_v2', osStorageType: '256' },
      /^Input 'osStorageType'/,
    );
    fails({ action: 'detach' }, /^Input 'action': 'detach' is not one of the allowed values/);
    fails({ onRequirementFailure: 'ignore' }, /^Input 'onRequirementFailure'/);
  });
});
