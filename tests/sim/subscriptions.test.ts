// Several subscriptions in one tenant: the scenario declares them, resources live in any of them,
// the subscription list shows those the caller holds a role in, providers register per
// subscription, and the first declared is the one SimInfo names.
import * as assert from 'assert';
import { ResourceManagementClient } from '@azure/arm-resources';
import { ClientSecretCredential } from '@azure/identity';
import { RunningSim, SIM_IDS, startSimulator } from './index';
import { roleAssignmentResource } from './resources/authorization';
import {
  armClientOptions,
  armToken,
  credentialOptions,
  rawRequest,
  spCredential,
} from './testSupport';

const A = { subscriptionId: SIM_IDS.subscriptionId, displayName: 'Images (A)' };
const B = { subscriptionId: 'b0b0b0b0-1111-4222-8333-444455556666', displayName: 'Galleries (B)' };
const C = { subscriptionId: 'c0c0c0c0-1111-4222-8333-444455556666', displayName: 'Hosts (C)' };
const UNDECLARED = 'd0d0d0d0-1111-4222-8333-444455556666';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const rg = (sub: string, name: string) => ({
  id: `/subscriptions/${sub}/resourceGroups/${name}`,
  type: 'Microsoft.Resources/resourceGroups',
  location: 'westeurope',
});

describe('simulator: several subscriptions', function () {
  this.timeout(20000);
  let sim: RunningSim;
  let token: string;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        subscriptions: [A, { ...B, providers: { 'Microsoft.Compute': 'Registered' } }, C],
        // Not registered anywhere but in B, which says otherwise.
        providers: { 'Microsoft.Compute': 'NotRegistered' },
        resources: [
          rg(A.subscriptionId, 'rg-a'),
          rg(B.subscriptionId, 'rg-b'),
          rg(C.subscriptionId, 'rg-c'),
        ],
      },
    });
    token = await armToken(sim);
  });
  after(async () => sim?.stop());

  it('SimInfo names the first subscription and lists them all', () => {
    assert.strictEqual(sim.info.subscriptionId, A.subscriptionId);
    assert.strictEqual(sim.info.subscriptionName, A.displayName);
    assert.deepStrictEqual(sim.info.subscriptions, [A, B, C]);
  });

  it(
    'GET /subscriptions lists every declared one (no rbac); GET /subscriptions/{id} gives ' +
      'its display name; an undeclared one is SubscriptionNotFound',
    async () => {
      const list = await rawRequest(sim, 'GET', '/subscriptions?api-version=2022-12-01', { token });
      assert.deepStrictEqual(
        list.body.value.map((s: any) => [s.subscriptionId, s.displayName, s.state, s.tenantId]),
        [A, B, C].map((s) => [s.subscriptionId, s.displayName, 'Enabled', sim.info.tenantId]),
      );
      const one = await rawRequest(
        sim,
        'GET',
        `/subscriptions/${B.subscriptionId}?api-version=2022-12-01`,
        { token },
      );
      assert.deepStrictEqual(
        [one.status, one.body.id, one.body.displayName],
        [200, `/subscriptions/${B.subscriptionId}`, B.displayName],
      );
      const missing = await rawRequest(
        sim,
        'GET',
        `/subscriptions/${UNDECLARED}/resourcegroups?api-version=2021-04-01`,
        { token },
      );
      assert.deepStrictEqual(
        [missing.status, missing.body.error.code, missing.body.error.message],
        [404, 'SubscriptionNotFound', `The subscription '${UNDECLARED}' could not be found.`],
      );
    },
  );

  it(
    'resources live in each subscription: lists, locations and created resources stay in ' +
      'theirs',
    async () => {
      const inB = new ResourceManagementClient(
        spCredential(sim.info),
        B.subscriptionId,
        armClientOptions(sim.info),
      );
      await inB.resourceGroups.createOrUpdate('rg-b2', { location: 'northeurope' });
      const names = async (sub: string) => {
        const out: string[] = [];
        for await (const g of new ResourceManagementClient(
          spCredential(sim.info),
          sub,
          armClientOptions(sim.info),
        ).resourceGroups.list())
          out.push(g.name!);
        return out;
      };
      assert.deepStrictEqual(await names(A.subscriptionId), ['rg-a']);
      assert.deepStrictEqual(await names(B.subscriptionId), ['rg-b', 'rg-b2']);
      assert.ok(
        sim
          .state()
          .resources.some(
            (r) => r.id.toLowerCase() === `/subscriptions/${B.subscriptionId}/resourcegroups/rg-b2`,
          ),
      );
      const locations = await rawRequest(
        sim,
        'GET',
        `/subscriptions/${C.subscriptionId}/locations?api-version=2022-12-01`,
        { token },
      );
      assert.strictEqual(
        locations.body.value.find((l: any) => l.name === 'westeurope').id,
        `/subscriptions/${C.subscriptionId}/locations/westeurope`,
      );
    },
  );

  it(
    'providers register per subscription: the scenario setting applies to all, a ' +
      "subscription's own over it",
    async () => {
      const state = async (sub: string) =>
        (
          await rawRequest(
            sim,
            'GET',
            `/subscriptions/${sub}/providers/Microsoft.Compute?api-version=2021-04-01`,
            { token },
          )
        ).body;
      assert.deepStrictEqual(
        [
          (await state(A.subscriptionId)).registrationState,
          (await state(B.subscriptionId)).registrationState,
        ],
        ['NotRegistered', 'Registered'],
      );
      assert.strictEqual(
        (await state(C.subscriptionId)).id,
        `/subscriptions/${C.subscriptionId}/providers/Microsoft.Compute`,
      );
      const image = (sub: string, g: string) =>
        rawRequest(
          sim,
          'PUT',
          `/subscriptions/${sub}/resourceGroups/${g}/providers/Microsoft.Compute/images` +
            `/img?api-version=2024-07-01`,
          {
            token,
            body: {
              location: 'westeurope',
              properties: {
                storageProfile: {
                  osDisk: {
                    osType: 'Windows',
                    osState: 'Generalized',
                    blobUri: 'https://x.blob.core.windows.net/v/os.vhd',
                  },
                },
              },
            },
          },
        );
      assert.strictEqual(
        (await image(A.subscriptionId, 'rg-a')).body.error?.code,
        'MissingSubscriptionRegistration',
      );
      assert.notStrictEqual(
        (await image(B.subscriptionId, 'rg-b')).body.error?.code,
        'MissingSubscriptionRegistration',
      );
      await rawRequest(
        sim,
        'POST',
        `/subscriptions/${C.subscriptionId}/providers/Microsoft.Compute` +
          `/register?api-version=2021-04-01`,
        { token },
      );
      assert.strictEqual((await state(C.subscriptionId)).registrationState, 'Registering');
      assert.strictEqual(
        (await state(A.subscriptionId)).registrationState,
        'NotRegistered',
        'registering in C leaves A alone',
      );
    },
  );

  it('refuses a scenario resource in a subscription it does not declare', async () => {
    await assert.rejects(
      startSimulator({
        scenario: { subscriptions: [A], resources: [rg(B.subscriptionId, 'rg-b')] },
      }),
      new RegExp(
        `scenario resource /subscriptions/${B.subscriptionId}/resourceGroups/rg-b is in ` +
          `subscription ${B.subscriptionId}, which the scenario does not declare`,
      ),
    );
  });
});

describe('simulator: several subscriptions with RBAC', function () {
  this.timeout(20000);
  let sim: RunningSim;
  const narrow = {
    clientId: 'e1e1e1e1-1111-4222-8333-444455556666',
    objectId: 'f1f1f1f1-1111-4222-8333-444455556666',
    secret: 'narrow~secret.0123456789',
  };

  before(async () => {
    sim = await startSimulator({
      scenario: {
        rbac: true,
        subscriptions: [A, B, C],
        clients: [narrow],
        resources: [
          rg(C.subscriptionId, 'rg-c'),
          roleAssignmentResource(
            `/subscriptions/${A.subscriptionId}`,
            OWNER,
            SIM_IDS.sp.objectId,
            A.subscriptionId,
          ),
          roleAssignmentResource(
            `/subscriptions/${B.subscriptionId}`,
            OWNER,
            SIM_IDS.sp.objectId,
            B.subscriptionId,
          ),
          // A role on a resource group is enough to see its subscription.
          roleAssignmentResource(
            `/subscriptions/${C.subscriptionId}/resourceGroups/rg-c`,
            READER,
            narrow.objectId,
            C.subscriptionId,
          ),
        ],
      },
    });
  });
  after(async () => sim?.stop());

  it(
    'GET /subscriptions lists those where the caller holds a role; another answers ' +
      'AuthorizationFailed',
    async () => {
      const token = await armToken(sim);
      const listed = await rawRequest(sim, 'GET', '/subscriptions?api-version=2022-12-01', {
        token,
      });
      assert.deepStrictEqual(
        listed.body.value.map((s: any) => s.displayName),
        [A.displayName, B.displayName],
      );
      const c = await rawRequest(
        sim,
        'GET',
        `/subscriptions/${C.subscriptionId}?api-version=2022-12-01`,
        { token },
      );
      assert.deepStrictEqual([c.status, c.body.error.code], [403, 'AuthorizationFailed']);

      const narrowToken = await armToken(
        sim,
        new ClientSecretCredential(
          sim.info.tenantId,
          narrow.clientId,
          narrow.secret,
          credentialOptions(sim.info),
        ),
      );
      const mine = await rawRequest(sim, 'GET', '/subscriptions?api-version=2022-12-01', {
        token: narrowToken,
      });
      assert.deepStrictEqual(
        mine.body.value.map((s: any) => s.subscriptionId),
        [C.subscriptionId],
      );
      const rgInC = await rawRequest(
        sim,
        'GET',
        `/subscriptions/${C.subscriptionId}/resourcegroups/rg-c?api-version=2021-04-01`,
        { token: narrowToken },
      );
      assert.strictEqual(rgInC.status, 200);
    },
  );
});
