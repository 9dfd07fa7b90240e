// The simulated AVD session host update's other paths: an AD-joined configuration (hosts named by
// FQDN), a scheduled update started early, validation failures (image in another subscription,
// not replicated to the region) and a new host that never becomes healthy.
import * as assert from 'assert';
import { RunningSim, startSimulator } from '../index';
import { ClientSecretCredential } from '@azure/identity';
import { SIM_IDS } from '../sim';
import { armToken, credentialOptions } from '../testSupport';
import {
  automatedPool,
  PoolCalls,
  poolId,
  sharedResources,
  V101,
} from './sessionHostUpdateFixtures';
import { IMAGE_WIN, RG, scenario } from './support';

const V102_NORTH = `${IMAGE_WIN}/versions/1.0.2`;
const OTHER_SUB_IMAGE =
  '/subscriptions/b0b0b0b0-1111-4222-8333-444455556666/resourceGroups/images/providers/' +
  'Microsoft.Compute/galleries/g/images/win11/versions/1.0.1';

describe('simulator: AVD session host update (preview), other paths', function () {
  this.timeout(60000);
  let sim: RunningSim;
  let token: string;
  const calls = (name: string) => new PoolCalls(sim, token, poolId(name));
  const setImage = async (c: PoolCalls, imageId: string) => {
    const r = await c.request('PATCH', '/sessionHostConfigurations/default', {
      properties: { imageInfo: { type: 'Custom', customInfo: { resourceId: imageId } } },
    });
    assert.strictEqual(r.status, 202, JSON.stringify(r.body));
    for (;;) {
      const g = await c.request('GET', '/sessionHostConfigurations/default');
      if (g.body.properties.provisioningState === 'Succeeded') return;
      await new Promise((res) => setTimeout(res, 10));
    }
  };

  before(async () => {
    sim = await startSimulator({
      scenario: scenario({
        timeScale: 0.0005,
        sessionHostBehaviour: [{ vmName: '^hp-sick-', status: 'UpgradeFailed', afterMinutes: 1 }],
        resources: [
          ...sharedResources(),
          {
            id: V102_NORTH,
            type: 'Microsoft.Compute/galleries/images/versions',
            location: 'westeurope',
            properties: { publishingProfile: { targetRegions: [{ name: 'northeurope' }] } },
          },
          ...automatedPool('hp-ad', 1, {
            configuration: {
              domainInfo: {
                joinType: 'ActiveDirectory',
                activeDirectoryInfo: {
                  domainCredentials: {
                    usernameKeyVaultSecretUri: 'https://kv1.vault.azure.net/secrets/joiner',
                    passwordKeyVaultSecretUri: 'https://kv1.vault.azure.net/secrets/joinpass',
                  },
                  ouPath: 'OU=AVD,DC=contoso,DC=com',
                  domainName: 'contoso.com',
                },
              },
            },
          }),
          ...automatedPool('hp-sched', 1),
          ...automatedPool('hp-check', 1),
          ...automatedPool('hp-sick', 1),
        ],
      }),
    });
    token = await armToken(sim);
  });
  after(async () => sim?.stop());

  it('an AD-joined configuration makes hosts named <vm>.<domain>, joined to it', async () => {
    const c = calls('hp-ad');
    await setImage(c, V101);
    await c.initiate();
    await c.waitFor((s) => s.status === 'Succeeded');
    const state = sim.state();
    const host = state.resources.find((r) => r.id.startsWith(`${poolId('hp-ad')}/sessionHosts/`))!;
    assert.match(host.name, /^hp-ad-0-\d{14}\.contoso\.com$/);
    const join = state.resources.find(
      (r) => r.type === 'Microsoft.Compute/virtualMachines/extensions' && r.name === 'JoinDomain',
    )!;
    assert.strictEqual(join.properties.settings.Name, 'contoso.com');
    assert.strictEqual(join.properties.settings.User, 'contoso.com\\joiner');
    assert.strictEqual(join.properties.protectedSettings, undefined, 'never shown');
    assert.ok(!JSON.stringify(state.resources).includes('Kv!'), 'no made-up password shown');
    // Given back as a scenario, the dump is the same configuration world (an update's state
    // is not a resource: the status is not carried).
    const mine = (resources: any[]) =>
      resources.filter((r) => /\/(activeS|s)essionHost(Configurations|Managements)\//i.test(r.id));
    const again = await startSimulator({ scenario: { resources: state.resources } });
    try {
      assert.deepStrictEqual(mine(again.state().resources), mine(state.resources));
      assert.strictEqual(mine(state.resources).length, 4 * 3, 'three of each of four pools');
    } finally {
      await again.stop();
    }
  });

  it('a scheduled update stays Scheduled until Start', async () => {
    const c = calls('hp-sched');
    await setImage(c, V101);
    const at = new Date(Date.now() + 3600_000).toISOString();
    await c.initiate({ scheduledDateTime: at, scheduledDateTimeZone: 'UTC' });
    const s = await c.status();
    assert.strictEqual(s.status, 'Scheduled');
    assert.strictEqual(s.properties.scheduledDateTime, at);
    assert.ok((await c.control('Start')).status < 300);
    await c.waitFor((x) => x.status === 'Succeeded');
  });

  it(
    'validation fails the update (Failed, nothing touched) for an image in another ' +
      'subscription and for one not replicated to the hosts region',
    async () => {
      const c = calls('hp-check');
      await setImage(c, OTHER_SUB_IMAGE);
      await c.initiate();
      const other = await c.waitFor((s) => s.status === 'Failed');
      assert.strictEqual(other.last.error.code, 'InvalidParameter');
      assert.match(other.last.error.message, /must be in the subscription of the host pool/);
      await setImage(c, V102_NORTH);
      await c.initiate();
      const north = await c.waitFor((s) => s.status === 'Failed' && s.name !== other.last.name);
      assert.strictEqual(north.last.error.code, 'GalleryImageNotFound');
      assert.match(north.last.error.message, /not available in westeurope region/);
      const vms = sim
        .state()
        .resources.filter(
          (r) => r.type === 'Microsoft.Compute/virtualMachines' && r.name.startsWith('hp-check'),
        );
      assert.deepStrictEqual(
        vms.map((v) => v.name),
        ['hp-check-0'],
        'the old VM is untouched',
      );
    },
  );

  it(
    'a new host that turns UpgradeFailed fails its batch (Error naming the failed health ' +
      'check); Retry makes a fresh VM; Cancel ends it Canceled',
    async () => {
      const c = calls('hp-sick');
      await setImage(c, V101);
      await c.initiate();
      const first = await c.waitFor((s) => s.status === 'Error');
      assert.strictEqual(first.last.error.code, 'SessionHostUnhealthy');
      assert.match(
        first.last.error.message,
        /UpgradeFailed after its update: SxSStackListenerCheck/,
      );
      const vmsOf = () =>
        sim
          .state()
          .resources.filter(
            (r) =>
              r.type === 'Microsoft.Compute/virtualMachines' &&
              r.name.startsWith('hp-sick-0-') &&
              r.id.startsWith(RG),
          )
          .map((r) => r.name);
      const failedVm = vmsOf();
      assert.strictEqual(failedVm.length, 1);
      assert.ok((await c.control('Retry')).status < 300);
      await c.waitFor((s) => s.status === 'Error' && s.error.message !== first.last.error.message);
      assert.strictEqual(vmsOf().length, 1);
      assert.notDeepStrictEqual(vmsOf(), failedVm, 'the failed VM was replaced by a new one');
      assert.ok((await c.control('Cancel')).status < 300);
      assert.strictEqual((await c.status()).status, 'Canceled');
    },
  );
});

describe('simulator: AVD session host update (preview) with RBAC', function () {
  this.timeout(60000);
  const DV_CONTRIBUTOR = '082f0a83-3be5-4ba1-904c-961cca79b387';
  const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
  const READER_APP = { clientId: 'c0ffee00-0000-4000-8000-00000000000a', secret: 'reader~secret' };
  const assignment = (scope: string, n: number, role: string, principalId: string) => ({
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/0000000${n}-0000-4000-8000-0`,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId:
        `/subscriptions/${RG.split('/')[2]}/providers/Microsoft.Authorization/` +
        `roleDefinitions/${role}`,
      principalId,
      scope,
    },
  });
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({
      scenario: scenario({
        timeScale: 0.0005,
        rbac: true,
        clients: [READER_APP],
        resources: [
          ...sharedResources(),
          ...automatedPool('hp-rbac', 1),
          assignment(poolId('hp-rbac'), 1, DV_CONTRIBUTOR, SIM_IDS.sp.objectId),
          assignment(poolId('hp-rbac'), 2, READER, READER_APP.clientId),
        ],
      }),
    });
  });
  after(async () => sim?.stop());

  it(
    'a caller with Desktop Virtualization Contributor on the pool alone updates it (the ' +
      "service's own VM writes need no role of the caller); Reader can't initiate",
    async () => {
      const reader = await armToken(
        sim,
        new ClientSecretCredential(
          sim.info.tenantId,
          READER_APP.clientId,
          READER_APP.secret,
          credentialOptions(sim.info),
        ),
      );
      const refused = await new PoolCalls(sim, reader, poolId('hp-rbac')).request(
        'POST',
        '/sessionHostManagements/default/initiateSessionHostUpdate',
        {},
      );
      assert.strictEqual(refused.status, 403);
      assert.strictEqual(refused.body.error.code, 'AuthorizationFailed');
      const c = new PoolCalls(sim, await armToken(sim), poolId('hp-rbac'));
      const r = await c.request('PATCH', '/sessionHostConfigurations/default', {
        properties: { imageInfo: { type: 'Custom', customInfo: { resourceId: V101 } } },
      });
      assert.strictEqual(r.status, 202, JSON.stringify(r.body));
      for (;;) {
        const g = await c.request('GET', '/sessionHostConfigurations/default');
        if (g.body.properties.provisioningState === 'Succeeded') break;
        await new Promise((res) => setTimeout(res, 10));
      }
      await c.initiate();
      await c.waitFor((s) => s.status === 'Succeeded');
    },
  );
});
