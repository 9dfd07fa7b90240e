import * as assert from 'assert';
import { randomUUID } from 'crypto';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { createHttpHeaders, PipelinePolicy } from '@azure/core-rest-pipeline';
import {
  assignCommand,
  ensureRoleAssignment,
  objectIdAssignee,
  RoleAssignmentOptions,
} from '../../../tasks/common/azure/roleAssignments';
import { derivedGuid } from '../../../tasks/common/core/derivedGuid';
import { MemoryLogger } from '../../../tasks/common/core/logger';
import { simAzureContext } from '../../e2e/simConnection';
import { RunningSim, SIM_IDS, startSimulator } from '../../sim';
import { drivenClock } from '../../support/drivenClock';

const SUB = `/subscriptions/${SIM_IDS.subscriptionId}`;
const RG = `${SUB}/resourceGroups/rg`;
const ACCOUNT = `${RG}/providers/Microsoft.Storage/storageAccounts/rolesacct`;
const role = (guid: string) => `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const READER = role('acdd72a7-3385-48ef-bd42-f606fba81ae7');
const BLOB_READER = role('2a2b9908-6ea1-4ae2-8e65-a410df84e7d1');

/**
 * Sits next to the wire: sees each request after the SDK's own policies, and may answer it instead
 * of the simulator.
 */
function onTheWire(
  client: AuthorizationManagementClient,
  sendRequest: PipelinePolicy['sendRequest'],
): void {
  client.pipeline.addPolicy({ name: 'onTheWire', sendRequest }, { afterPhase: 'Sign' });
}

describe('azure: role assignments', function () {
  this.timeout(30_000);

  describe('assignCommand: the one az role assignment create', () => {
    it('a service principal by object id, with its type', () => {
      assert.strictEqual(
        assignCommand(objectIdAssignee('o1'), 'Storage Blob Data Reader', RG),
        `az role assignment create --assignee-object-id o1 --assignee-principal-type ` +
          `ServicePrincipal --role "Storage Blob Data Reader" --scope ${RG}`,
      );
    });

    it(
      'an object id of a principal whose type is unknown: no type (a wrong one would fail ' +
        'the command)',
      () => {
        assert.strictEqual(
          assignCommand({ objectId: 'o1' }, 'Contributor', RG),
          `az role assignment create --assignee-object-id o1 --role "Contributor" --scope ${RG}`,
        );
        assert.strictEqual(
          assignCommand({ objectId: 'o1', principalType: 'Group' }, 'Reader', RG),
          `az role assignment create --assignee-object-id o1 --assignee-principal-type Group ` +
            `--role "Reader" --scope ${RG}`,
        );
      },
    );

    it(
      'a client id when the object id is unknown, and a shell expression for an identity the ' +
        'commands create first',
      () => {
        assert.strictEqual(
          assignCommand({ clientId: 'c1' }, 'Reader', RG),
          `az role assignment create --assignee c1 --role "Reader" --scope ${RG}`,
        );
        const made = '$(az identity show --ids /x/aib --query principalId -o tsv)';
        assert.strictEqual(
          assignCommand(objectIdAssignee(made), 'Reader', RG),
          `az role assignment create --assignee-object-id ${made} --assignee-principal-type ` +
            `ServicePrincipal --role "Reader" --scope ${RG}`,
        );
      },
    );

    it('derived names stay what they were (names made by earlier versions are found again)', () => {
      assert.strictEqual(
        derivedGuid(
          RG.replace(SIM_IDS.subscriptionId, '00000000-0000-0000-0000-000000000001'),
          '11111111-2222-4333-8444-555555555555',
          '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
        ),
        '0f2c7bd2-1da0-43be-aaa3-1f242f3fb3ea',
      );
    });
  });

  describe('ensureRoleAssignment against the simulator', () => {
    let sim: RunningSim;
    const signal = new AbortController().signal;

    before(async () => {
      sim = await startSimulator({
        scenario: {
          resources: [
            {
              id: RG,
              type: 'Microsoft.Resources/resourceGroups',
              name: 'rg',
              location: 'westeurope',
            },
            {
              id: ACCOUNT,
              type: 'Microsoft.Storage/storageAccounts',
              name: 'rolesacct',
              location: 'westeurope',
              kind: 'StorageV2',
              sku: { name: 'Standard_LRS' },
            },
          ],
        },
      });
    });
    after(async () => {
      await sim?.stop();
    });

    const client = () => {
      const azure = simAzureContext(sim.info);
      return new AuthorizationManagementClient(
        azure.credential,
        azure.subscriptionId,
        azure.clientOptions,
      );
    };
    const options = (
      o: Partial<RoleAssignmentOptions> & Pick<RoleAssignmentOptions, 'principalId'>,
    ): RoleAssignmentOptions => ({
      auth: client(),
      scope: ACCOUNT,
      roleDefinitionId: BLOB_READER,
      signal,
      ...o,
    });
    const assignmentsTo = (principalId: string) =>
      sim
        .state()
        .resources.filter(
          (r) =>
            r.type === 'Microsoft.Authorization/roleAssignments' &&
            r.properties.principalId === principalId,
        );
    const requestsSince = (n: number) => sim.state().requests.slice(n);

    it(
      'creates the assignment under the derived name once; a second call reads and writes ' +
        'nothing',
      async () => {
        const principalId = randomUUID();
        const first = await ensureRoleAssignment(
          options({ principalId, description: 'BuildImage: test' }),
        );
        const name = derivedGuid(ACCOUNT, principalId, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1');
        assert.deepStrictEqual(first, {
          created: true,
          name,
          id: `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        });
        const [made] = assignmentsTo(principalId);
        assert.strictEqual(made.properties.principalType, 'ServicePrincipal');
        assert.strictEqual(made.properties.description, 'BuildImage: test');

        const before = sim.state().requests.length;
        const again = await ensureRoleAssignment(options({ principalId }));
        assert.deepStrictEqual(again, { ...first, created: false });
        assert.deepStrictEqual(
          requestsSince(before).map((q) => q.method),
          ['GET'],
          'one read, no write',
        );
        assert.strictEqual(assignmentsTo(principalId).length, 1);
      },
    );

    it(
      'an assignment made under another name (az role assignment create: a random GUID) is ' +
        'recognised',
      async () => {
        const principalId = randomUUID();
        const other = randomUUID();
        await client().roleAssignments.create(ACCOUNT, other, {
          roleDefinitionId: BLOB_READER,
          principalId,
          principalType: 'ServicePrincipal',
        });
        const before = sim.state().requests.length;
        const r = await ensureRoleAssignment(options({ principalId }));
        assert.deepStrictEqual(r, {
          created: false,
          name: other,
          id: `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/${other}`,
        });
        assert.ok(
          requestsSince(before).every((q) => q.method === 'GET'),
          'nothing written',
        );
      },
    );

    it('the role inherited from above, or another role at the scope, does not count', async () => {
      const principalId = randomUUID();
      await client().roleAssignments.create(RG, randomUUID(), {
        roleDefinitionId: BLOB_READER,
        principalId,
        principalType: 'ServicePrincipal',
      });
      await client().roleAssignments.create(ACCOUNT, randomUUID(), {
        roleDefinitionId: READER,
        principalId,
        principalType: 'ServicePrincipal',
      });
      const r = await ensureRoleAssignment(options({ principalId }));
      assert.strictEqual(r.created, true);
      assert.deepStrictEqual(
        assignmentsTo(principalId)
          .map((a) => [a.properties.scope, a.properties.roleDefinitionId.split('/').pop()])
          .sort(),
        [
          [RG, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'],
          [ACCOUNT, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'],
          [ACCOUNT, 'acdd72a7-3385-48ef-bd42-f606fba81ae7'],
        ],
      );
    });

    it(
      'another run making it between the read and the write (409 RoleAssignmentExists) is ' +
        'success, naming that one',
      async () => {
        const principalId = randomUUID();
        const theirs = randomUUID();
        const auth = client();
        let raced = false;
        onTheWire(auth, async (req, next) => {
          if (req.method === 'PUT' && !raced) {
            raced = true;
            await client().roleAssignments.create(ACCOUNT, theirs, {
              roleDefinitionId: BLOB_READER,
              principalId,
              principalType: 'ServicePrincipal',
            });
          }
          return next(req);
        });
        const before = sim.state().requests.length;
        const r = await ensureRoleAssignment(options({ auth, principalId }));
        assert.deepStrictEqual(r, {
          created: false,
          name: theirs,
          id: `${ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/${theirs}`,
        });
        const ours = requestsSince(before).filter(
          (q) =>
            q.method === 'PUT' &&
            q.path.includes(
              derivedGuid(ACCOUNT, principalId, '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'),
            ),
        );
        assert.deepStrictEqual(
          ours.map((q) => q.status),
          [409],
          'the simulator refused the duplicate',
        );
        assert.strictEqual(assignmentsTo(principalId).length, 1);
      },
    );

    it(
      'a custom role just written (RoleDefinitionDoesNotExist, from the simulator) is waited ' +
        'for, then assigned',
      async () => {
        const principalId = randomUUID();
        const guid = randomUUID();
        const log = new MemoryLogger();
        const clock = drivenClock({
          2: async () => {
            await client().roleDefinitions.createOrUpdate(RG, guid, {
              roleName: `test role ${guid}`,
              permissions: [{ actions: ['Microsoft.Storage/storageAccounts/read'] }],
              assignableScopes: [RG],
            });
          },
        });
        const r = await ensureRoleAssignment(
          options({ principalId, scope: RG, roleDefinitionId: role(guid), log, clock }),
        );
        assert.strictEqual(r.created, true);
        assert.deepStrictEqual(clock.waits, [2_000, 4_000]);
        assert.match(
          log.lines[0],
          new RegExp(
            `Azure does not know the role ${guid} yet where role assignments are checked .*; ` +
              `trying again in 2s\\.`,
          ),
        );
        assert.strictEqual(assignmentsTo(principalId).length, 1);
      },
    );

    // The simulator's faults answer a status with a generic code and it answers PrincipalNotFound
    // only for a principal it does not know when no type is given: the code is put on the wire in
    // front of it instead.
    const refusePuts = (
      times: number,
      status: number,
      code: string,
      message: string,
    ): PipelinePolicy['sendRequest'] => {
      let left = times;
      return async (req, next) => {
        if (req.method !== 'PUT' || left-- <= 0) return next(req);
        return {
          request: req,
          status,
          headers: createHttpHeaders({ 'content-type': 'application/json; charset=utf-8' }),
          bodyAsText: JSON.stringify({ error: { code, message } }),
        };
      };
    };
    const principalNotFound = (times: number) =>
      refusePuts(
        times,
        400,
        'PrincipalNotFound',
        'Principal 0123 does not exist in the directory. If you are creating this ' +
          'principal and then immediately assigning a role, this error might be related to a ' +
          'replication delay.',
      );

    it(
      'a principal not yet replicated (PrincipalNotFound twice) is retried on the clock, ' +
        'then assigned',
      async () => {
        const principalId = randomUUID();
        const auth = client();
        onTheWire(auth, principalNotFound(2));
        const clock = drivenClock();
        const log = new MemoryLogger();
        const r = await ensureRoleAssignment(options({ auth, principalId, log, clock }));
        assert.strictEqual(r.created, true);
        assert.deepStrictEqual(clock.waits, [2_000, 4_000]);
        assert.deepStrictEqual(
          log.lines.filter((l) => l.includes(`the principal ${principalId}`)).length,
          2,
        );
        assert.strictEqual(assignmentsTo(principalId).length, 1);
      },
    );

    it(
      "gives up after six attempts (30 s of waits) with Azure's error; other errors are not " +
        'retried',
      async () => {
        const auth = client();
        onTheWire(auth, principalNotFound(99));
        const clock = drivenClock();
        await assert.rejects(
          ensureRoleAssignment(options({ auth, principalId: randomUUID(), clock })),
          (err: { code?: string }) => err.code === 'PrincipalNotFound',
        );
        assert.deepStrictEqual(clock.waits, [2_000, 4_000, 6_000, 8_000, 10_000]);

        const refused = client();
        onTheWire(
          refused,
          refusePuts(
            1,
            403,
            'AuthorizationFailed',
            'The client does not have authorization to perform action ' +
              "'Microsoft.Authorization/roleAssignments/write'.",
          ),
        );
        const noWait = drivenClock();
        await assert.rejects(
          ensureRoleAssignment(
            options({ auth: refused, principalId: randomUUID(), clock: noWait }),
          ),
          (err: { code?: string }) => err.code === 'AuthorizationFailed',
        );
        assert.deepStrictEqual(noWait.waits, []);
      },
    );
  });
});
