import * as assert from 'assert';
import {
  ArmExpressionError,
  ArmScope,
  ArmValue,
  evaluateString,
} from '../../../../../tasks/common/imagebuilder/template/templateFile/armExpressions';

const scope: ArmScope = {
  subscriptionId: 'sub1',
  resourceGroup: 'rg1',
  location: 'westeurope',
  parameter: (n) =>
    (({ name: 'Ada', list: ['a', 'b'], obj: { Inner: 'x' } }) as Record<string, ArmValue>)[n] ??
    (() => {
      throw new ArmExpressionError(`no ${n}`);
    })(),
  variable: (n) => (({ v: 'vee' }) as Record<string, ArmValue>)[n],
};
const ev = (s: string) => evaluateString(s, scope);

describe('templateFile: ARM expressions', () => {
  it('literals, escapes and plain strings', () => {
    assert.strictEqual(ev('plain'), 'plain');
    assert.strictEqual(ev('[[not an expression]'), '[not an expression]');
    assert.strictEqual(ev("['it''s']"), "it's");
    assert.strictEqual(ev('[true]'), true);
    assert.strictEqual(ev('[42]'), 42);
  });
  it('parameters, variables, concat, format, nested calls, member and index access', () => {
    assert.strictEqual(
      ev("[concat('Hi ', parameters('name'), '/', variables('v'))]"),
      'Hi Ada/vee',
    );
    assert.deepStrictEqual(ev("[concat(parameters('list'), parameters('list'))]"), [
      'a',
      'b',
      'a',
      'b',
    ]);
    assert.strictEqual(ev("[format('{0}-{1}', parameters('name'), 7)]"), 'Ada-7');
    assert.strictEqual(ev("[parameters('obj').inner]"), 'x');
    assert.strictEqual(ev("[parameters('list')[1]]"), 'b');
    assert.strictEqual(ev("[parameters('obj')['Inner']]"), 'x');
  });
  it('resourceGroup(), subscription(), resourceId() with 0, 1 or 2 scope arguments', () => {
    assert.strictEqual(ev('[resourceGroup().id]'), '/subscriptions/sub1/resourceGroups/rg1');
    assert.strictEqual(ev('[resourceGroup().location]'), 'westeurope');
    assert.strictEqual(ev('[subscription().subscriptionId]'), 'sub1');
    assert.strictEqual(
      ev("[resourceId('Microsoft.Compute/images', 'img')]"),
      '/subscriptions/sub1/resourceGroups/rg1/providers/Microsoft.Compute/images/img',
    );
    assert.strictEqual(
      ev("[resourceId('rg2', 'Microsoft.Network/virtualNetworks/subnets', 'vn', 'sn')]"),
      '/subscriptions/sub1/resourceGroups/rg2/providers/Microsoft.Network/virtualNetworks' +
        '/vn/subnets/sn',
    );
    assert.strictEqual(
      ev("[resourceId('s2', 'rg2', 'Microsoft.Compute/galleries/images', 'g', 'd')]"),
      '/subscriptions/s2/resourceGroups/rg2/providers/Microsoft.Compute/galleries/g/images/d',
    );
    assert.throws(
      () => ev("[resourceId('Microsoft.Compute/galleries/images', 'g')]"),
      /needs 2 names, got 1/,
    );
  });
  it("evaluates uniqueString() and guid() as ARM does (ARM's own outputs for uniqueString)", () => {
    // Values ARM returned, recorded in KingslandConsulting/Kingsland.ArmLinter
    // (src/Kingsland.ArmLinter/Functions/ArmFunctions_UniqueString.cs).
    assert.strictEqual(ev("[uniqueString('aaa')]"), 'zavj67f3en4hc');
    assert.strictEqual(ev("[uniqueString('bbb')]"), 'w5eragfxe33cy');
    assert.strictEqual(ev("[uniqueString('zzz')]"), 'cryksdzzzawae');
    assert.strictEqual(ev("[uniqueString('xxx', 'yyy', 'zzz')]"), 'lghi7k5js7itq');
    // RFC 4122 version-5 UUID of 'abc' in ARM's namespace (Python's uuid.uuid5 gives the same).
    assert.strictEqual(ev("[guid('abc')]"), 'a9b46cc2-65a6-5559-9f14-7091827ab32f');
    assert.throws(() => ev('[uniqueString(1)]'), /uniqueString\(\): argument 1 is not a string/);
    assert.throws(() => ev('[guid()]'), /guid\(\) needs at least one argument/);
  });
  it('refuses other functions by name, and malformed expressions with the place', () => {
    assert.throws(
      () => ev("[reference('x').principalId]"),
      /the ARM function 'reference\(\)' can't be evaluated by the task/,
    );
    // newGuid() differs on every deployment: nothing to evaluate it to.
    assert.throws(() => ev("[concat('a', newGuid())]"), /'newGuid\(\)'/);
    assert.throws(() => ev("[concat('a']"), /expected '\)'/);
    assert.strictEqual(
      ev("[concat('a'"),
      "[concat('a'",
      'not ending in ] : a plain string, as ARM reads it',
    );
    assert.throws(() => ev("[concat('a)]"), /unterminated string/);
    assert.throws(() => ev('[parameters("x")]'), /unexpected '"'/);
  });
});
