// The simulated AVD session host update (preview): configurations and managements as the preview
// contract and the service's rules allow them, an update that replaces an Automated pool's hosts
// batch by batch (first one host, then maxVmsRemoved), users messaged and signed out through the
// journal, old VMs deleted or deallocated, the service's own calls kept out of `requests`; a
// failing batch (Error, Retry), a pause (Paused, Resume), Pause and Cancel from clients.
import * as assert from 'assert';
import { RunningSim, startSimulator } from '../index';
import { armToken, rawRequest } from '../testSupport';
import {
  automatedPool,
  configurationProperties,
  PoolCalls,
  poolId,
  PREVIEW,
  sharedResources,
  V101,
} from './sessionHostUpdateFixtures';
import { RG, scenario } from './support';

const TIME_SCALE = 0.001;
const nominalMinutes = (ms: number) => Math.round((ms / TIME_SCALE / 60_000) * 10) / 10;

describe('simulator: AVD session host update (preview)', function () {
  this.timeout(60000);
  let sim: RunningSim;
  let token: string;
  const calls = (name: string) => new PoolCalls(sim, token, poolId(name));
  const vmsOf = (prefix: string) =>
    sim
      .state()
      .resources.filter(
        (r) =>
          r.type === 'Microsoft.Compute/virtualMachines' &&
          r.name.startsWith(`${prefix}-`) &&
          r.id.startsWith(RG),
      );
  const hostsOf = (name: string) =>
    sim
      .state()
      .resources.filter(
        (r) =>
          r.type === 'Microsoft.DesktopVirtualization/hostPools/sessionHosts' &&
          r.id.startsWith(`${poolId(name)}/`),
      );
  const toV101 = async (c: PoolCalls) => {
    const r = await c.request('PATCH', '/sessionHostConfigurations/default', {
      properties: { imageInfo: { type: 'Custom', customInfo: { resourceId: V101 } } },
    });
    assert.strictEqual(r.status, 202, JSON.stringify(r.body));
    return r;
  };
  const configured = async (c: PoolCalls) => {
    for (;;) {
      const r = await c.request('GET', '/sessionHostConfigurations/default');
      if (r.body.properties.provisioningState === 'Succeeded') return r.body;
      await new Promise((res) => setTimeout(res, 10));
    }
  };

  before(async () => {
    sim = await startSimulator({
      scenario: scenario({
        timeScale: TIME_SCALE,
        sessionHostUpdateBehaviour: [
          { hostPool: '^hp-fail$', failBatch: 2 },
          { hostPool: '^hp-pause$', pauseAfterBatch: 1 },
        ],
        resources: [
          ...sharedResources(),
          ...automatedPool('hp-auto', 3, { sessions: { 1: ['ana@contoso.com'] } }),
          ...automatedPool('hp-fail', 3, {
            management: {
              scheduledDateTimeZone: 'UTC',
              update: { maxVmsRemoved: 2, logOffDelayMinutes: 0, deleteOriginalVm: false },
            },
          }),
          ...automatedPool('hp-pause', 2),
          ...automatedPool('hp-ctl', 3),
          {
            id: poolId('hp-std'),
            type: 'Microsoft.DesktopVirtualization/hostPools',
            location: 'westeurope',
            properties: {
              hostPoolType: 'Pooled',
              loadBalancerType: 'BreadthFirst',
              preferredAppGroupType: 'Desktop',
            },
          },
        ],
      }),
    });
    token = await armToken(sim);
  });
  after(async () => sim?.stop());

  it('the preview api-version shows managementType; the stable one does not', async () => {
    const c = calls('hp-auto');
    assert.strictEqual((await c.request('GET', '')).body.properties.managementType, 'Automated');
    const stable = await c.request('GET', '', undefined, '?api-version=2024-04-03');
    assert.strictEqual(stable.body.properties.managementType, undefined);
  });

  it(
    'configurations: GET, PATCH long-running (Location; Succeeded with a new ' +
      'version), the preview contract checked, refused on a Standard pool; default ' +
      'management; the active configuration',
    async () => {
      const c = calls('hp-ctl');
      const before = (await c.request('GET', '/sessionHostConfigurations/default')).body;
      assert.strictEqual(before.properties.provisioningState, 'Succeeded');
      assert.strictEqual(
        (await c.request('GET', '/sessionHostConfigurations')).body.value.length,
        1,
      );
      const tooLong = await c.request('PATCH', '/sessionHostConfigurations/default', {
        properties: { vmNamePrefix: 'much-too-long-prefix' },
      });
      assert.strictEqual(tooLong.status, 400);
      assert.match(JSON.stringify(tooLong.body), /vmNamePrefix/);
      const unknown = await c.request('PATCH', '/sessionHostConfigurations/default', {
        properties: { imageId: V101 },
      });
      assert.strictEqual(unknown.status, 400, 'a member the preview spec does not have');
      const patched = await toV101(c);
      assert.ok(patched.headers.location, 'PATCH answers 202 with Location');
      const after = await configured(c);
      assert.strictEqual(after.properties.imageInfo.customInfo.resourceId, V101);
      assert.notStrictEqual(after.properties.version, before.properties.version);
      const active = (await c.request('GET', '/activeSessionHostConfigurations/default')).body;
      assert.notStrictEqual(active.properties.imageInfo.customInfo.resourceId, V101);
      assert.strictEqual(active.properties.provisioningState, undefined);
      const mgmt = (await c.request('GET', '/sessionHostManagements/default')).body;
      assert.deepStrictEqual(Object.keys(mgmt.properties.update).sort(), [
        'deleteOriginalVm',
        'logOffDelayMinutes',
        'logOffMessage',
        'maxVmsRemoved',
      ]);
      const std = await calls('hp-std').request('PUT', '/sessionHostConfigurations/default', {
        properties: configurationProperties(),
      });
      assert.strictEqual(std.status, 400);
      assert.match(std.body.error.message, /managementType 'Automated'/);
      const none = await calls('hp-std').request(
        'GET',
        '/sessionHostManagements/default/sessionHostUpdateStatuses/default',
      );
      assert.strictEqual(none.status, 404, 'no update has run on the pool');
      const delay = await c.request(
        'POST',
        '/sessionHostManagements/default/initiateSessionHostUpdate',
        { update: { logOffDelayMinutes: 61 } },
      );
      assert.strictEqual(delay.status, 400);
      assert.match(delay.body.error.message, /between 0 and 60/);
    },
  );

  it(
    'an update replaces 3 hosts on 1.0.0 by hosts on 1.0.1 (1, then 2), messages and signs ' +
      'out users after the delay, deletes the old VMs, and records none of its own calls',
    async () => {
      const c = calls('hp-auto');
      await toV101(c);
      await configured(c);
      const requestsBefore = sim.state().requests.length;
      const started = Date.now();
      await c.initiate({
        update: {
          maxVmsRemoved: 2,
          logOffDelayMinutes: 3,
          logOffMessage: 'Back in 10 minutes',
          deleteOriginalVm: true,
        },
      });
      const again = await c.request(
        'POST',
        '/sessionHostManagements/default/initiateSessionHostUpdate',
        {},
      );
      assert.strictEqual(again.status, 409, 'one update per pool at a time');
      const edit = await toV101(c).catch((e: Error) => e);
      assert.ok(edit instanceof Error, 'the configuration is locked during the update');
      const { last, seen } = await c.waitFor((s) => s.status === 'Succeeded');
      const minutes = nominalMinutes(Date.now() - started);
      console.log(`      3 hosts (batches 1+2) updated in ${minutes} nominal minutes`);
      // Polling may miss the short Scheduled and Validating phases, never their order.
      assert.deepStrictEqual(
        seen.filter((s) => s !== 'Scheduled' && s !== 'ValidatingSessionHostUpdate'),
        ['UpdatingSessionHosts', 'Succeeded'],
      );
      assert.strictEqual(last.percentComplete, 100);
      assert.deepStrictEqual(last.properties.progress.totalSessionHosts, 3);
      assert.deepStrictEqual(last.properties.progress.sessionHostsCompleted, 3);
      assert.deepStrictEqual(last.properties.sessionHostManagement.properties.update, {
        deleteOriginalVm: true,
        maxVmsRemoved: 2,
        logOffDelayMinutes: 3,
        logOffMessage: 'Back in 10 minutes',
      });
      const vms = vmsOf('hp-auto');
      assert.strictEqual(vms.length, 3, vms.map((v) => v.name).join());
      for (const vm of vms) {
        assert.match(vm.name, /^hp-auto-[0-2]-\d{14}$/);
        assert.strictEqual(vm.properties.storageProfile.imageReference.id, V101);
        assert.strictEqual(vm.properties.hardwareProfile.vmSize, 'Standard_D4s_v5');
        assert.deepStrictEqual(vm.zones, ['1'], 'zones of the old VM');
      }
      const hosts = hostsOf('hp-auto');
      assert.deepStrictEqual(hosts.map((h) => h.name).sort(), vms.map((v) => v.name).sort());
      for (const h of hosts) assert.strictEqual(h.properties.status, 'Available');
      const journal = sim.state().userSessionJournal.filter((e) => e.hostPool === 'hp-auto');
      assert.deepStrictEqual(
        journal.map((e) => [e.sessionHost, e.event, e.messageBody]),
        [
          ['hp-auto-1', 'message', 'Back in 10 minutes'],
          ['hp-auto-1', 'signOut', undefined],
        ],
      );
      const waited = journal[1].nominalMinutes - journal[0].nominalMinutes;
      assert.ok(waited >= 3 && waited < 4.5, `signed out ${waited} minutes after the message`);
      const own = sim
        .state()
        .requests.slice(requestsBefore)
        .filter((r) => !r.path.includes('/hostPools/hp-auto'));
      assert.deepStrictEqual(own, [], 'the service made no recorded request');
      const active = (await c.request('GET', '/activeSessionHostConfigurations/default')).body;
      assert.strictEqual(active.properties.imageInfo.customInfo.resourceId, V101);
      // Every host is made from this configuration now: a second update has nothing to do.
      await c.initiate();
      const second = await c.waitFor((s) => s.status === 'Succeeded' && s.name !== last.name);
      assert.strictEqual(second.last.properties.progress.totalSessionHosts, 0);
    },
  );

  it(
    'a failing batch reads Error with its error until Retry; with deleteOriginalVm false the ' +
      'old VMs are deallocated',
    async () => {
      const c = calls('hp-fail');
      await toV101(c);
      await configured(c);
      await c.initiate();
      const failed = await c.waitFor((s) => s.status === 'Error');
      assert.strictEqual(failed.last.error.code, 'AllocationFailed');
      assert.match(failed.last.error.message, /Allocation failed for virtual machine 'hp-fail-/);
      assert.strictEqual(failed.last.properties.progress.sessionHostsCompleted, 1);
      assert.strictEqual((await c.control('Resume')).status, 400, 'Resume is for Paused');
      const retried = await c.control('Retry');
      assert.ok(retried.status < 300, JSON.stringify(retried));
      const { last } = await c.waitFor((s) => s.status === 'Succeeded');
      assert.strictEqual(last.error, undefined);
      assert.strictEqual(last.properties.progress.sessionHostsCompleted, 3);
      const old = vmsOf('hp-fail').filter((v) => /^hp-fail-\d$/.test(v.name));
      assert.strictEqual(old.length, 3, 'kept');
      for (const vm of old)
        assert.ok(
          vm.properties.instanceView.statuses.some((s: any) => s.code === 'PowerState/deallocated'),
        );
      assert.strictEqual(hostsOf('hp-fail').length, 3);
    },
  );

  it('the scenario pauses an update after its first batch; Resume continues it', async () => {
    const c = calls('hp-pause');
    await toV101(c);
    await configured(c);
    await c.initiate();
    const paused = await c.waitFor((s) => s.status === 'Paused');
    assert.strictEqual(paused.last.properties.progress.sessionHostsCompleted, 1);
    const resumed = await c.control('Resume');
    assert.ok(resumed.status < 300, JSON.stringify(resumed));
    await c.waitFor((s) => s.status === 'Succeeded');
  });

  it('Pause (Pausing, then Paused at the batch end) and Cancel (Canceled)', async () => {
    const c = calls('hp-ctl');
    await configured(c);
    await c.initiate({ update: { maxVmsRemoved: 1, logOffDelayMinutes: 0 } });
    await c.waitFor((s) => s.status === 'UpdatingSessionHosts');
    const pausing = c.control('Pause');
    const { seen } = await c.waitFor((s) => s.status === 'Paused');
    assert.ok((await pausing).status < 300);
    assert.ok(seen.includes('Pausing'), seen.join());
    const canceled = await c.control('Cancel', { cancelMessage: 'Update canceled' });
    assert.ok(canceled.status < 300, JSON.stringify(canceled));
    const { last } = await c.waitFor((s) => s.status === 'Canceled');
    assert.ok(last.endTime);
    assert.strictEqual((await c.control('Retry')).status, 400, 'a Canceled update is over');
    const status = await rawRequest(
      sim,
      'GET',
      `${poolId('hp-ctl')}/sessionHostManagements/default/sessionHostUpdateStatuses/default` +
        PREVIEW,
      { token },
    );
    assert.strictEqual(status.body.status, 'Canceled');
  });
});
