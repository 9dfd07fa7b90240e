// Role assignments take effect after the scenario's propagation delay, as Azure's do: until then
// the principal is refused with AuthorizationFailed, and the permissions API and the subscription
// list agree.
import * as assert from 'assert';
import { ClientSecretCredential } from '@azure/identity';
import { RunningSim, SIM_IDS, startSimulator } from './index';
import { roleAssignmentResource } from './resources/authorization';
import { armToken, credentialOptions, rawRequest } from './testSupport';

const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const LATE = {
  clientId: 'a2a2a2a2-1111-4222-8333-444455556666',
  objectId: 'b2b2b2b2-1111-4222-8333-444455556666',
  secret: 'late~secret.0123456789',
};
const SUB = SIM_IDS.subscriptionId;
const RG = `/subscriptions/${SUB}/resourceGroups/rg-prop`;

/** PUT of an assignment of Reader on RG to LATE, as `token`'s principal. */
function assignReaderToLate(sim: RunningSim, token: string, name: string) {
  return rawRequest(
    sim,
    'PUT',
    `${RG}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=2022-04-01`,
    {
      token,
      body: {
        properties: {
          roleDefinitionId:
            `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/` + READER,
          principalId: LATE.objectId,
        },
      },
    },
  );
}

describe('simulator: role assignment propagation', function () {
  this.timeout(20000);
  let sim: RunningSim;

  before(async () => {
    sim = await startSimulator({
      scenario: {
        rbac: true,
        // 60 s nominal at timeScale 0.01: 600 ms.
        rbacPropagationSeconds: 60,
        timeScale: 0.01,
        clients: [LATE],
        resources: [
          { id: RG, type: 'Microsoft.Resources/resourceGroups', location: 'westeurope' },
          // Scenario assignments count from the start.
          roleAssignmentResource(`/subscriptions/${SUB}`, OWNER, SIM_IDS.sp.objectId, SUB),
        ],
      },
    });
  });
  after(async () => sim?.stop());

  it(
    'an assignment made through the API counts only after rbacPropagationSeconds (scaled): ' +
      'AuthorizationFailed, no permissions, no subscription until then',
    async () => {
      const owner = await armToken(sim);
      const late = await armToken(
        sim,
        new ClientSecretCredential(
          sim.info.tenantId,
          LATE.clientId,
          LATE.secret,
          credentialOptions(sim.info),
        ),
      );
      const name = '7c7c7c7c-1111-4222-8333-444455556666';
      const put = await assignReaderToLate(sim, owner, name);
      const madeAt = Date.now();
      assert.strictEqual(put.status, 201);

      const read = () => rawRequest(sim, 'GET', `${RG}?api-version=2021-04-01`, { token: late });
      const permissions = async () =>
        (
          await rawRequest(
            sim,
            'GET',
            `${RG}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`,
            { token: late },
          )
        ).body.value;
      const subscriptions = async () =>
        (await rawRequest(sim, 'GET', '/subscriptions?api-version=2022-12-01', { token: late }))
          .body.value;
      const refused = await read();
      assert.deepStrictEqual(
        [refused.status, refused.body.error.code],
        [403, 'AuthorizationFailed'],
      );
      assert.deepStrictEqual(await permissions(), []);
      assert.deepStrictEqual(await subscriptions(), []);
      // The assignment itself is there to read at once, as in Azure.
      const listed = await rawRequest(
        sim,
        'GET',
        `${RG}/providers/Microsoft.Authorization` +
          `/roleAssignments?api-version=2022-04-01&$filter=` +
          `${encodeURIComponent(`principalId eq '${LATE.objectId}'`)}`,
        { token: owner },
      );
      assert.deepStrictEqual(
        listed.body.value.map((a: any) => a.name),
        [name],
      );

      let allowed = await read();
      while (allowed.status === 403 && Date.now() - madeAt < 5000) {
        await new Promise((r) => setTimeout(r, 50));
        allowed = await read();
      }
      assert.strictEqual(allowed.status, 200);
      const waited = Date.now() - madeAt;
      assert.ok(waited >= 550 && waited < 2000, `took effect after ${waited} ms (600 expected)`);
      assert.deepStrictEqual(
        (await permissions()).map((p: any) => p.actions),
        [['*/read']],
      );
      assert.deepStrictEqual(
        (await subscriptions()).map((s: any) => s.subscriptionId),
        [SUB],
      );
    },
  );

  it(
    'a scenario assignment counts at once, and re-putting one that took effect does not ' +
      'delay it again',
    async () => {
      const owner = await armToken(sim);
      assert.strictEqual(
        (await rawRequest(sim, 'GET', `${RG}?api-version=2021-04-01`, { token: owner })).status,
        200,
      );
      const name = '7c7c7c7c-1111-4222-8333-444455556666';
      const again = await assignReaderToLate(sim, owner, name);
      assert.strictEqual(again.status, 200);
      const late = await armToken(
        sim,
        new ClientSecretCredential(
          sim.info.tenantId,
          LATE.clientId,
          LATE.secret,
          credentialOptions(sim.info),
        ),
      );
      assert.strictEqual(
        (await rawRequest(sim, 'GET', `${RG}?api-version=2021-04-01`, { token: late })).status,
        200,
      );
    },
  );
});
