// The simulated AVD agent: VMs made through @azure/arm-compute with the DSC extension and a pool's
// registration token become session hosts (Unavailable, then what `sessionHostBehaviour` says),
// Entra-joined hosts appear in Graph, AD-joined ones are named by FQDN and need the join password,
// bad tokens make no host; power state and deletion show in the host's status. Also the host
// pool's token rules, scaling plans, the preview managementType, and user sessions that end by
// themselves, with the journal of messages and sign-outs.
import * as assert from 'assert';
import type { ComputeManagementClient } from '@azure/arm-compute';
import { DesktopVirtualizationAPIClient } from '@azure/arm-desktopvirtualization';
import { RunningSim, startSimulator } from '../index';
import { armClientOptions, armToken, rawRequest, spCredential } from '../testSupport';
import { clients, IMAGE_WIN, RG, scenario, SUB } from './support';
import { VNET, vmBody } from './vmFixtures';

const HP = `${RG}/providers/Microsoft.DesktopVirtualization/hostPools/hp1`;
const HP_AUTOMATED = `${RG}/providers/Microsoft.DesktopVirtualization/hostPools/hp-auto`;
const OLD_HOST = `${HP}/sessionHosts/old-0`;
const OLD_VM = `${RG}/providers/Microsoft.Compute/virtualMachines/old-0`;
const DV_API = '?api-version=2024-04-03';

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
const userSession = (id: string, upn: string, extra: any = {}) => ({
  id: `${OLD_HOST}/userSessions/${id}`,
  type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions',
  properties: { userPrincipalName: upn, sessionState: 'Active' },
  ...extra,
});

function dsc(token: string, extra: any = {}) {
  return {
    location: 'westeurope',
    publisher: 'Microsoft.Powershell',
    typePropertiesType: 'DSC',
    typeHandlerVersion: '2.73',
    autoUpgradeMinorVersion: true,
    settings: {
      modulesUrl: 'https://example.invalid/Configuration_1.0.02714.342.zip',
      configurationFunction: 'Configuration.ps1\\AddSessionHost',
      properties: {
        hostPoolName: 'hp1',
        registrationInfoTokenCredential: {
          UserName: 'PLACEHOLDER_DO_NOT_USE',
          Password: 'PrivateSettingsRef:RegistrationInfoToken',
        },
        aadJoin: true,
        ...extra,
      },
    },
    protectedSettings: { Items: { RegistrationInfoToken: token } },
  };
}

function adJoin(password?: string) {
  return {
    location: 'westeurope',
    publisher: 'Microsoft.Compute',
    typePropertiesType: 'JsonADDomainExtension',
    typeHandlerVersion: '1.3',
    settings: {
      Name: 'contoso.com',
      OUPath: 'OU=AVD,DC=contoso,DC=com',
      User: 'contoso\\joiner',
      Restart: 'true',
      Options: '3',
    },
    ...(password ? { protectedSettings: { Password: password } } : {}),
  };
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`not reached in time: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('simulator: AVD agent, session host status, scaling plans, user sessions', function () {
  this.timeout(60000);
  let sim: RunningSim;
  let compute: ComputeManagementClient;
  let avd: DesktopVirtualizationAPIClient;
  let token: string;
  let poolToken: string;

  before(async () => {
    sim = await startSimulator({
      scenario: scenario({
        timeScale: 0.001,
        sessionHostBehaviour: [
          { vmName: '^avd-bad', status: 'UpgradeFailed', afterMinutes: 2 },
          { vmName: '^avd-down', status: 'Unavailable', afterMinutes: 1 },
        ],
        resources: [
          {
            id: `${IMAGE_WIN}/versions/1.0.0`,
            type: 'Microsoft.Compute/galleries/images/versions',
            location: 'westeurope',
            properties: { publishingProfile: { targetRegions: [{ name: 'westeurope' }] } },
          },
          {
            id: VNET,
            type: 'Microsoft.Network/virtualNetworks',
            location: 'westeurope',
            properties: {
              addressSpace: { addressPrefixes: ['10.0.0.0/16'] },
              subnets: [{ name: 'hosts', properties: { addressPrefix: '10.0.1.0/24' } }],
            },
          },
          pool(HP),
          pool(HP_AUTOMATED, { managementType: 'Automated' }),
          pool(`${RG}/providers/Microsoft.DesktopVirtualization/hostPools/hp-expired`, {
            registrationInfo: {
              token: 'expired.token.value',
              expirationTime: new Date(Date.now() - 60_000).toISOString(),
            },
          }),
          {
            id: OLD_VM,
            type: 'Microsoft.Compute/virtualMachines',
            location: 'westeurope',
            properties: { osProfile: { computerName: 'old-0' } },
          },
          {
            id: OLD_HOST,
            type: 'Microsoft.DesktopVirtualization/hostPools/sessionHosts',
            properties: { resourceId: OLD_VM },
          },
          userSession('1', 'ana@contoso.com', { endsAfterMinutes: 3 }),
          userSession('2', 'bo@contoso.com', { endsMinutesAfterMessage: 2 }),
          userSession('3', 'cy@contoso.com'),
        ],
      }),
    });
    compute = clients(sim).compute;
    avd = new DesktopVirtualizationAPIClient(
      spCredential(sim.info),
      SUB,
      armClientOptions(sim.info),
    );
    token = await armToken(sim);
    const in1d = new Date(Date.now() + 86400_000);
    await avd.hostPools.update('rg-img', 'hp1', {
      hostPool: {
        registrationInfo: { expirationTime: in1d, registrationTokenOperation: 'Update' },
      },
    });
    poolToken = (await avd.hostPools.retrieveRegistrationToken('rg-img', 'hp1')).token!;
  });
  after(async () => sim?.stop());

  const hostOf = (name: string) => avd.sessionHosts.get('rg-img', 'hp1', name);

  it(
    'an Entra-joined VM with the DSC extension and the pool token becomes a session host: ' +
      'Unavailable, then Available after 4 nominal minutes, and a device in Graph',
    async () => {
      const vm = await compute.virtualMachines.beginCreateOrUpdateAndWait(
        'rg-img',
        'avd-1',
        vmBody(IMAGE_WIN, {
          osProfile: { computerName: 'avd-1', adminUsername: 'a', adminPassword: 'p' },
        }),
      );
      await compute.virtualMachineExtensions.beginCreateOrUpdateAndWait(
        'rg-img',
        'avd-1',
        'AADLoginForWindows',
        {
          location: 'westeurope',
          publisher: 'Microsoft.Azure.ActiveDirectory',
          typePropertiesType: 'AADLoginForWindows',
          typeHandlerVersion: '2.0',
        },
      );
      const poller = await compute.virtualMachineExtensions.beginCreateOrUpdate(
        'rg-img',
        'avd-1',
        'Microsoft.PowerShell.DSC',
        dsc(poolToken),
      );
      await poller.pollUntilDone();
      const first = await hostOf('avd-1');
      assert.strictEqual(first.status, 'Unavailable');
      assert.strictEqual(first.resourceId, vm.id);
      assert.strictEqual(first.virtualMachineId, vm.vmId);
      assert.strictEqual(first.allowNewSession, true);
      assert.strictEqual(first.sessions, 0);
      assert.ok(first.objectId && first.agentVersion && first.osVersion);
      const ready = await waitFor(
        () => hostOf('avd-1'),
        (h) => h.status === 'Available',
      );
      assert.ok(
        ready.sessionHostHealthCheckResults!.every(
          (c) => c.healthCheckResult === 'HealthCheckSucceeded',
        ),
      );
      assert.deepStrictEqual(
        sim
          .state()
          .graph.devices.filter((d) => d.displayName === 'avd-1')
          .map((d) => d.trustType),
        ['AzureAd'],
      );
      const dumped = sim.state().resources.find((r) => r.id === `${HP}/sessionHosts/avd-1`);
      assert.strictEqual(dumped?.properties.status, 'Available');
      assert.ok(
        !JSON.stringify(sim.state().resources).includes(poolToken),
        'no token in documents',
      );

      await compute.virtualMachines.beginDeallocateAndWait('rg-img', 'avd-1');
      assert.strictEqual((await hostOf('avd-1')).status, 'Shutdown');
      await compute.virtualMachines.beginStartAndWait('rg-img', 'avd-1');
      assert.strictEqual((await hostOf('avd-1')).status, 'Available');
      await compute.virtualMachines.beginDeleteAndWait('rg-img', 'avd-1');
      assert.strictEqual((await hostOf('avd-1')).status, 'Unavailable', 'the host stays');
      await avd.sessionHosts.delete('rg-img', 'hp1', 'avd-1');
    },
  );

  it(
    'an AD-joined host is named computer.domain; without the join password the join fails ' +
      'and the host stays NotJoinedToDomain',
    async () => {
      for (const [name, password] of [
        ['avd-2', 'JoinP@ss'],
        ['avd-3', undefined],
      ] as const) {
        await compute.virtualMachines.beginCreateOrUpdateAndWait(
          'rg-img',
          name,
          vmBody(IMAGE_WIN, {
            osProfile: { computerName: name, adminUsername: 'a', adminPassword: 'p' },
          }),
        );
        const join = compute.virtualMachineExtensions.beginCreateOrUpdateAndWait(
          'rg-img',
          name,
          'joindomain',
          adJoin(password),
        );
        if (password) await join;
        else
          await assert.rejects(join, (e: any) => {
            assert.match(e.message, /VMExtensionProvisioningError/);
            assert.match(e.message, /joining Domain 'contoso.com'/);
            return true;
          });
        await compute.virtualMachineExtensions.beginCreateOrUpdateAndWait(
          'rg-img',
          name,
          'dsc',
          dsc(poolToken, { aadJoin: false }),
        );
      }
      const joined = await waitFor(
        () => hostOf('avd-2.contoso.com'),
        (h) => h.status === 'Available',
      );
      assert.match(joined.resourceId!, /\/virtualMachines\/avd-2$/);
      const failed = await hostOf('avd-3.contoso.com');
      assert.strictEqual(failed.status, 'NotJoinedToDomain');
      const check = failed.sessionHostHealthCheckResults!.find(
        (c) => c.healthCheckName === 'DomainJoinedCheck',
      );
      assert.strictEqual(check?.healthCheckResult, 'HealthCheckFailed');
      assert.ok(!sim.state().graph.devices.some((d) => /^avd-[23]$/.test(d.displayName)));
      assert.ok(!JSON.stringify(sim.state().resources).includes('JoinP@ss'));
    },
  );

  it('a bad or expired token fails the DSC extension and makes no host', async () => {
    await compute.virtualMachines.beginCreateOrUpdateAndWait(
      'rg-img',
      'avd-4',
      vmBody(IMAGE_WIN, {
        osProfile: { computerName: 'avd-4', adminUsername: 'a', adminPassword: 'p' },
      }),
    );
    for (const bad of ['nope', 'expired.token.value']) {
      await assert.rejects(
        compute.virtualMachineExtensions.beginCreateOrUpdateAndWait(
          'rg-img',
          'avd-4',
          'dsc',
          dsc(bad),
        ),
        (e: any) => /VMExtensionProvisioningError.*InvalidRegistrationToken/.test(e.message),
      );
    }
    const ext = await compute.virtualMachineExtensions.get('rg-img', 'avd-4', 'dsc');
    assert.strictEqual(ext.provisioningState, 'Failed');
    assert.ok(!sim.state().resources.some((r) => /\/sessionHosts\/avd-4/.test(r.id)));
  });

  it(
    'sessionHostBehaviour decides by VM name: UpgradeFailed and Unavailable with the failing ' +
      'health check',
    async () => {
      for (const name of ['avd-bad-1', 'avd-down-1']) {
        await compute.virtualMachines.beginCreateOrUpdateAndWait(
          'rg-img',
          name,
          vmBody(IMAGE_WIN, {
            osProfile: { computerName: name, adminUsername: 'a', adminPassword: 'p' },
          }),
        );
        await compute.virtualMachineExtensions.beginCreateOrUpdateAndWait(
          'rg-img',
          name,
          'dsc',
          dsc(poolToken),
        );
      }
      const bad = await waitFor(
        () => hostOf('avd-bad-1'),
        (h) => h.status !== 'Unavailable',
      );
      assert.strictEqual(bad.status, 'UpgradeFailed');
      assert.strictEqual(bad.updateState, 'Failed');
      const down = await waitFor(
        () => hostOf('avd-down-1'),
        (h) => (h.sessionHostHealthCheckResults ?? []).length > 0,
      );
      assert.strictEqual(down.status, 'Unavailable');
      assert.deepStrictEqual(
        down
          .sessionHostHealthCheckResults!.filter((c) => c.healthCheckResult === 'HealthCheckFailed')
          .map((c) => c.healthCheckName),
        ['UrlsAccessibleCheck'],
      );
    },
  );

  it('registration tokens must expire between one hour and 30 days from now', async () => {
    for (const ms of [30 * 60_000, 31 * 86400_000]) {
      await assert.rejects(
        avd.hostPools.update('rg-img', 'hp1', {
          hostPool: {
            registrationInfo: {
              expirationTime: new Date(Date.now() + ms),
              registrationTokenOperation: 'Update',
            },
          },
        }),
        (e: any) =>
          e.statusCode === 400 &&
          e.message === 'ExpirationTime value must be between one hour and 30 days from now.',
      );
    }
    assert.strictEqual(
      (await avd.hostPools.retrieveRegistrationToken('rg-img', 'hp1')).token,
      poolToken,
      'a refused update keeps the token',
    );
  });

  it('scaling plans with an exclusion tag, listed by pool; managementType in preview', async () => {
    const plan = await avd.scalingPlans.create('rg-img', 'sp1', {
      location: 'westeurope',
      timeZone: 'W. Europe Standard Time',
      exclusionTag: 'avd-excluded',
      hostPoolReferences: [{ hostPoolArmPath: HP, scalingPlanEnabled: true }],
    });
    assert.strictEqual(plan.exclusionTag, 'avd-excluded');
    assert.strictEqual(plan.hostPoolType, 'Pooled');
    const byPool: string[] = [];
    for await (const p of avd.scalingPlans.listByHostPool('rg-img', 'hp1')) byPool.push(p.name!);
    assert.deepStrictEqual(byPool, ['sp1']);
    for await (const p of avd.scalingPlans.listByHostPool('rg-img', 'hp-auto'))
      byPool.push(p.name!);
    assert.deepStrictEqual(byPool, ['sp1']);

    const get = (id: string, apiVersion: string) =>
      rawRequest(sim, 'GET', `${id}?api-version=${apiVersion}`, { token });
    assert.strictEqual(
      (await get(HP_AUTOMATED, '2024-08-08-preview')).body.properties.managementType,
      'Automated',
    );
    assert.strictEqual(
      (await get(HP_AUTOMATED, '2024-04-03')).body.properties.managementType,
      undefined,
    );
    assert.strictEqual(
      (await get(HP, '2024-08-08-preview')).body.properties.managementType,
      undefined,
    );
  });

  it(
    'user sessions end by themselves (after minutes, or after their first message), the host ' +
      'count follows, and messages, disconnects and sign-outs are journaled',
    async () => {
      const sessions = async () => (await hostOf('old-0')).sessions;
      // ana's session ended 3 nominal minutes after the start (long before this test).
      assert.strictEqual(await sessions(), 2);
      await avd.userSessions.sendMessage('rg-img', 'hp1', 'old-0', '2', {
        sendMessage: { messageTitle: 'Maintenance', messageBody: 'Please sign out.' },
      });
      await avd.userSessions.disconnect('rg-img', 'hp1', 'old-0', '3');
      await waitFor(sessions, (n) => n === 1);
      // By event, not by position: timers fire in any order on a busy machine.
      const early = sim.state().userSessionJournal;
      const at = (event: string) =>
        early.find((e) => e.sessionId === '2' && e.event === event)?.nominalMinutes ?? NaN;
      assert.ok(
        at('ended') - at('message') >= 2,
        'bo signs out 2 nominal minutes after the message',
      );
      await assert.rejects(
        avd.sessionHosts.delete('rg-img', 'hp1', 'old-0'),
        (e: any) => e.statusCode === 400,
      );
      const r = await rawRequest(sim, 'DELETE', `${OLD_HOST}/userSessions/3${DV_API}&force=true`, {
        token,
      });
      assert.strictEqual(r.status, 200);
      assert.strictEqual(await sessions(), 0);
      const journal = sim.state().userSessionJournal;
      // Each session's events in order; sessions' events interleave as timers fire.
      const of = (id: string) =>
        journal.filter((e) => e.sessionId === id).map((e) => [e.userPrincipalName, e.event]);
      assert.deepStrictEqual(of('1'), [['ana@contoso.com', 'ended']]);
      assert.deepStrictEqual(of('2'), [
        ['bo@contoso.com', 'message'],
        ['bo@contoso.com', 'ended'],
      ]);
      assert.deepStrictEqual(of('3'), [
        ['cy@contoso.com', 'disconnect'],
        ['cy@contoso.com', 'signOut'],
      ]);
      assert.strictEqual(journal.length, 5);
      const message = journal.find((e) => e.event === 'message')!;
      assert.strictEqual(message.hostPool, 'hp1');
      assert.strictEqual(message.sessionHost, 'old-0');
      assert.strictEqual(message.messageTitle, 'Maintenance');
      assert.strictEqual(message.messageBody, 'Please sign out.');
      const ended = journal.find((e) => e.sessionId === '1')!;
      assert.ok(ended.nominalMinutes >= 3, `ended at ${ended.nominalMinutes} nominal minutes`);
      assert.ok(ended.nominalMinutes < 30, `ended at ${ended.nominalMinutes} nominal minutes`);
      assert.ok(!Number.isNaN(Date.parse(ended.at)));
    },
  );

  it('the state dump, given back as a scenario, is the same world', async () => {
    const first = sim.state().resources;
    const again = await startSimulator({ scenario: { timeScale: 0.001, resources: first } });
    try {
      // Times of reads (heartbeats, health checks, instance view) are not part of the world.
      const volatile = new Set([
        'lastHeartBeat',
        'statusTimestamp',
        'lastHealthCheckDateTime',
        'time',
      ]);
      const strip = (v: unknown): unknown =>
        JSON.parse(JSON.stringify(v), (k, x: unknown) => (volatile.has(k) ? undefined : x));
      assert.ok(first.some((r) => /\/sessionHosts\/avd-2\.contoso\.com$/.test(r.id)));
      assert.ok(first.some((r) => /\/virtualNetworks\/vnet1\/subnets\/hosts$/.test(r.id)));
      const second = again.state().resources;
      assert.deepStrictEqual(
        second.map((r) => r.id),
        first.map((r) => r.id),
      );
      first.forEach((r, i) => assert.deepStrictEqual(strip(second[i]), strip(r), r.id));
    } finally {
      await again.stop();
    }
  });
});
