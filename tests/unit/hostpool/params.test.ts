import * as assert from 'assert';
import { InputReader } from '../../../tasks/common/core/inputReader';
import { readUpdateHostPoolParams } from '../../../tasks/common/hostpool/params';
import { DEF } from '../gallery/fixtures';
import { POOL_ID, SUBNET } from './fixtures';

const BASE = { hostPool: 'hp-prod', resourceGroup: 'rg-avd', image: `${DEF}/versions/1.0.1` };
function reader(values: Record<string, string>, secrets: string[] = []): InputReader {
  const all: Record<string, string> = { ...BASE, ...values };
  return new InputReader({ get: (n) => all[n] || undefined, secret: (v) => secrets.push(v) });
}
const read = (values: Record<string, string> = {}, secrets: string[] = []) =>
  readUpdateHostPoolParams(reader(values, secrets));
const fails = (values: Record<string, string>, input: string, message: RegExp) =>
  assert.throws(
    () => read(values),
    (err: Error) =>
      err.name === 'InputError' &&
      err.message.startsWith(`Input '${input}'`) &&
      message.test(err.message),
    `expected ${input}: ${message}`,
  );

describe('host pool: task inputs', () => {
  it('defaults as the issue gives them', () => {
    const p = read();
    assert.strictEqual(p.action, 'rollout');
    assert.deepStrictEqual(p.hostPool, { resourceGroup: 'rg-avd', name: 'hp-prod' });
    assert.strictEqual(p.image.version, '1.0.1');
    assert.strictEqual(p.batchSize, 1);
    assert.strictEqual(p.maxUnavailable, 0);
    assert.strictEqual(p.canary, 1);
    assert.strictEqual(p.canaryWaitMs, 0);
    assert.strictEqual(p.healthTimeoutMs, 30 * 60_000);
    assert.strictEqual(p.drainTimeoutMs, 60 * 60_000);
    assert.strictEqual(p.logOffWarningMs, 5 * 60_000);
    assert.strictEqual(p.pollIntervalMs, 30_000);
    assert.strictEqual(p.forceLogOff, 'afterDrainTimeout');
    assert.strictEqual(p.oldHosts, 'delete');
    assert.strictEqual(p.removeDeviceRecords, false);
    assert.strictEqual(p.join.type, 'auto');
    assert.deepStrictEqual(p.overrides.zones, []);
  });

  it('durations in seconds, minutes or hours', () => {
    const p = read({
      canaryWait: '45s',
      healthTimeout: '2h',
      drainTimeout: '30m',
      pollInterval: '5s',
    });
    assert.deepStrictEqual(
      [p.canaryWaitMs, p.healthTimeoutMs, p.drainTimeoutMs, p.pollIntervalMs],
      [45_000, 7_200_000, 1_800_000, 5_000],
    );
    fails({ drainTimeout: 'soon' }, 'drainTimeout', /'soon' is not a duration/);
    fails(
      { drainTimeout: '10m', logOffWarning: '15m' },
      'logOffWarning',
      /longer than drainTimeout/,
    );
  });

  it('hostPool as a resource id; as a name it needs resourceGroup', () => {
    const p = read({ hostPool: POOL_ID, resourceGroup: '' });
    assert.strictEqual(p.hostPool.name, 'hp-prod');
    assert.strictEqual(p.hostPool.resourceGroup, 'rg-avd');
    assert.ok(p.hostPool.subscriptionId);
    fails({ resourceGroup: '' }, 'resourceGroup', /required when hostPool is a name/);
    fails({ hostPool: `${SUBNET}` }, 'hostPool', /is not a host pool resource id/);
  });

  it('image: a version or a definition id, nothing else', () => {
    assert.strictEqual(read({ image: DEF }).image.version, undefined);
    fails({ image: '' }, 'image', /a value is required/);
    fails({ image: SUBNET }, 'image', /not a gallery image version or definition id/);
  });

  it('batchSize and canary at least 1, maxUnavailable at least 0', () => {
    fails({ batchSize: '0' }, 'batchSize', /'0'.*from 1 to/);
    fails({ canary: '0' }, 'canary', /from 1 to/);
    fails({ maxUnavailable: '-1' }, 'maxUnavailable', /from 0 to/);
    assert.strictEqual(read({ maxUnavailable: '2' }).maxUnavailable, 2);
  });

  it('joinType: activeDirectory needs domain, user and a password, marked secret', () => {
    fails({ joinType: 'workgroup' }, 'joinType', /one of auto, entra, activeDirectory/);
    fails({ joinType: 'activeDirectory', domainJoinUser: 'j@corp' }, 'domain', /required/);
    fails(
      { joinType: 'activeDirectory', domain: 'corp.contoso.com', domainJoinUser: 'j@corp' },
      'domainJoinPassword',
      /cannot be read back from a host/,
    );
    const secrets: string[] = [];
    const p = read(
      {
        joinType: 'activeDirectory',
        domain: 'corp.contoso.com',
        domainJoinUser: 'j@corp',
        domainJoinPassword: 'Join-Pa55!',
      },
      secrets,
    );
    assert.strictEqual(p.join.domainJoinPassword, 'Join-Pa55!');
    assert.ok(secrets.includes('Join-Pa55!'));
  });

  it('admin password: given and checked, or random (crypto), marked secret either way', () => {
    const secrets: string[] = [];
    const a = read({}, secrets);
    const b = read({}, secrets);
    assert.ok(a.adminPasswordGenerated);
    assert.notStrictEqual(a.adminPassword, b.adminPassword);
    assert.strictEqual(a.adminPassword.length, 24);
    for (const re of [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/]) assert.match(a.adminPassword, re);
    assert.ok(secrets.includes(a.adminPassword) && secrets.includes(b.adminPassword));
    fails({ adminPassword: 'short' }, 'adminPassword', /Azure’s rules/);
    assert.strictEqual(read({ adminPassword: 'Long-enough-1' }).adminPasswordGenerated, false);
  });

  it('overrides: subnet id, zones, tags, disk type checked', () => {
    const p = read({
      subnetId: SUBNET,
      zones: '1, 3,1',
      vmTags: 'owner=euc\ncost=avd',
      osDiskType: 'premium_lrs',
    });
    assert.deepStrictEqual(p.overrides.zones, ['1', '3']);
    assert.deepStrictEqual(p.overrides.vmTags, { owner: 'euc', cost: 'avd' });
    assert.strictEqual(p.overrides.osDiskType, 'Premium_LRS');
    fails({ subnetId: POOL_ID }, 'subnetId', /not a subnet resource id/);
    fails({ zones: '4' }, 'zones', /not an availability zone/);
    fails({ vmTags: 'nope' }, 'vmTags', /not name=value/);
  });
});
