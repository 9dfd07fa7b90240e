// Azure Virtual Desktop through @azure/arm-desktopvirtualization: host pools listed by subscription
// and group, registration tokens (update, retrieve, list, delete; never on GET), draining a session
// host, messaging and signing out users, and the force rules of deletes.
import { DesktopVirtualizationAPIClient } from '@azure/arm-desktopvirtualization';
import * as assert from 'assert';
import { RunningSim, startSimulator } from '../index';
import { armClientOptions, armToken, rawRequest, spCredential } from '../testSupport';
import { RG, SUB } from './support';

const OTHER_RG = `/subscriptions/${SUB}/resourceGroups/rg-avd2`;
const HP = `${RG}/providers/Microsoft.DesktopVirtualization/hostPools/hp1`;
const pool = (id: string, extra: any = {}) => ({
  id,
  type: 'Microsoft.DesktopVirtualization/hostPools',
  location: 'westeurope',
  properties: {
    hostPoolType: 'Pooled',
    loadBalancerType: 'BreadthFirst',
    preferredAppGroupType: 'Desktop',
    ...extra,
  },
});
const host = (name: string) => ({
  id: `${HP}/sessionHosts/${name}`,
  type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
  properties: {
    resourceId: `${RG}/providers/Microsoft.Compute/virtualMachines/${name.split('.')[0]}`,
  },
});
const session = (hostName: string, id: string, upn: string) => ({
  id: `${HP}/sessionHosts/${hostName}/userSessions/${id}`,
  type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions',
  properties: { userPrincipalName: upn },
});

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('simulator: Azure Virtual Desktop', function () {
  this.timeout(30000);
  let sim: RunningSim;
  let avd: DesktopVirtualizationAPIClient;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        resources: [
          { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          { id: OTHER_RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          pool(HP, {
            vmTemplate: JSON.stringify({
              imageType: 'CustomImage',
              customImageId:
                `${RG}/providers/Microsoft.Compute/galleries/gal/images/win11` + `/versions/1.0.0`,
            }),
          }),
          pool(`${OTHER_RG}/providers/Microsoft.DesktopVirtualization/hostPools/hp2`),
          host('sh-0.contoso.com'),
          host('sh-1.contoso.com'),
          session('sh-0.contoso.com', '1', 'ana@contoso.com'),
          session('sh-0.contoso.com', '2', 'bo@contoso.com'),
        ],
      },
    });
    avd = new DesktopVirtualizationAPIClient(
      spCredential(sim.info),
      SUB,
      armClientOptions(sim.info),
    );
  });
  after(async () => sim?.stop());

  it('lists host pools by subscription and group; the vmTemplate is kept as written', async () => {
    assert.deepStrictEqual((await all(avd.hostPools.list())).map((p) => p.name).sort(), [
      'hp1',
      'hp2',
    ]);
    const inGroup = await all(avd.hostPools.listByResourceGroup('rg-img'));
    assert.deepStrictEqual(
      inGroup.map((p) => p.name),
      ['hp1'],
    );
    assert.match(inGroup[0].vmTemplate!, /"customImageId":".*\/versions\/1\.0\.0"/);
  });

  it(
    'registration token: made by Update with an expiration, retrieved by POST (not shown by ' +
      'GET), replaced, deleted',
    async () => {
      const in2h = new Date(Date.now() + 2 * 3600_000);
      const created = await avd.hostPools.createOrUpdate('rg-img', 'hp-new', {
        location: 'westeurope',
        hostPoolType: 'Pooled',
        loadBalancerType: 'DepthFirst',
        preferredAppGroupType: 'Desktop',
        registrationInfo: { expirationTime: in2h, registrationTokenOperation: 'Update' },
      });
      assert.ok(created.objectId);
      assert.strictEqual(created.registrationInfo?.token, undefined);
      const first = await avd.hostPools.retrieveRegistrationToken('rg-img', 'hp-new');
      assert.strictEqual(first.expirationTime?.toISOString(), in2h.toISOString());
      assert.ok(first.token && first.token.length > 40);
      assert.strictEqual(
        (await avd.hostPools.get('rg-img', 'hp-new')).registrationInfo?.token,
        undefined,
      );

      const in1d = new Date(Date.now() + 24 * 3600_000);
      await avd.hostPools.update('rg-img', 'hp-new', {
        hostPool: {
          registrationInfo: { expirationTime: in1d, registrationTokenOperation: 'Update' },
        },
      });
      const second = await avd.hostPools.retrieveRegistrationToken('rg-img', 'hp-new');
      assert.notStrictEqual(second.token, first.token);
      assert.deepStrictEqual(
        (await avd.hostPools.listRegistrationTokens('rg-img', 'hp-new')).value?.map((t) => t.token),
        [second.token],
      );
      // A PATCH of other properties keeps the token.
      await avd.hostPools.update('rg-img', 'hp-new', { hostPool: { friendlyName: 'New pool' } });
      assert.strictEqual(
        (await avd.hostPools.retrieveRegistrationToken('rg-img', 'hp-new')).token,
        second.token,
      );

      await avd.hostPools.update('rg-img', 'hp-new', {
        hostPool: { registrationInfo: { registrationTokenOperation: 'Delete' } },
      });
      assert.strictEqual(
        (await avd.hostPools.retrieveRegistrationToken('rg-img', 'hp-new')).token,
        undefined,
      );
      assert.deepStrictEqual(
        (await avd.hostPools.listRegistrationTokens('rg-img', 'hp-new')).value,
        [],
      );
      await avd.hostPools.delete('rg-img', 'hp-new');
    },
  );

  it(
    'drains a session host, messages and signs out its users, then removes it (force needed ' +
      'while users are signed in)',
    async () => {
      const hosts = await all(avd.sessionHosts.list('rg-img', 'hp1'));
      assert.deepStrictEqual(
        hosts.map((h) => [h.name, h.status, h.allowNewSession, h.sessions]),
        [
          ['sh-0.contoso.com', 'Available', true, 2],
          ['sh-1.contoso.com', 'Available', true, 0],
        ],
      );
      const drained = await avd.sessionHosts.update('rg-img', 'hp1', 'sh-0.contoso.com', {
        sessionHost: { allowNewSession: false },
      });
      assert.strictEqual(drained.allowNewSession, false);
      assert.strictEqual(
        (await avd.sessionHosts.get('rg-img', 'hp1', 'sh-0.contoso.com')).allowNewSession,
        false,
      );

      assert.strictEqual((await all(avd.userSessions.listByHostPool('rg-img', 'hp1'))).length, 2);
      const ana = await all(
        avd.userSessions.listByHostPool('rg-img', 'hp1', {
          filter: "userPrincipalName eq 'ana@contoso.com'",
        }),
      );
      assert.deepStrictEqual(
        ana.map((s) => s.id!.split('/').pop()),
        ['1'],
      );
      await avd.userSessions.sendMessage('rg-img', 'hp1', 'sh-0.contoso.com', '1', {
        sendMessage: {
          messageTitle: 'Maintenance',
          messageBody: 'Please save your work and sign out.',
        },
      });

      await assert.rejects(
        avd.sessionHosts.delete('rg-img', 'hp1', 'sh-0.contoso.com'),
        (e: any) => e.statusCode === 400 && /2 user session/.test(e.message),
      );
      await avd.userSessions.delete('rg-img', 'hp1', 'sh-0.contoso.com', '1');
      assert.deepStrictEqual(
        (await all(avd.userSessions.list('rg-img', 'hp1', 'sh-0.contoso.com'))).map(
          (s) => s.userPrincipalName,
        ),
        ['bo@contoso.com'],
      );
      await avd.sessionHosts.delete('rg-img', 'hp1', 'sh-0.contoso.com', { force: true });
      assert.deepStrictEqual(
        (await all(avd.sessionHosts.list('rg-img', 'hp1'))).map((h) => h.name),
        ['sh-1.contoso.com'],
      );
      assert.deepStrictEqual(
        sim.state().resources.filter((r) => /userSessions$/i.test(r.type)),
        [],
      );
    },
  );

  it(
    'session hosts are not created through the API; a host pool with hosts is deleted only ' +
      'with force',
    async () => {
      const put = await rawRequest(
        sim,
        'PUT',
        `${HP}/sessionHosts/sh-9.contoso.com?api-version=2024-04-03`,
        { token: await armToken(sim), body: { properties: {} } },
      );
      assert.strictEqual(put.status, 405);
      await assert.rejects(
        avd.hostPools.delete('rg-img', 'hp1'),
        (e: any) => e.statusCode === 400 && /has session hosts/.test(e.message),
      );
      await avd.hostPools.delete('rg-img', 'hp1', { force: true });
      assert.deepStrictEqual(
        sim.state().resources.filter((r) => r.id.startsWith(HP)),
        [],
      );
    },
  );
});
