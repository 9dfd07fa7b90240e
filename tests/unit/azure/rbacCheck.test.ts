import * as assert from 'assert';
import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import {
  actionMatches,
  allows,
  CallerPermissions,
  RbacReader,
} from '../../../tasks/common/azure/rbacCheck';

const SUB = '00000000-0000-0000-0000-000000000001';
const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
const UAI = `${rg('rg')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib`;
const DEF = `${rg('rg-gal')}/providers/Microsoft.Compute/galleries/gal/images/win11`;

/** An AuthorizationManagementClient that answers from tables and records what it was asked. */
function fakeAuth(
  opts: {
    assignments?: Record<string, { roleDefinitionId: string; scope: string }[]>;
    definitions?: Record<string, string[]>;
    permissions?: string[];
  } = {},
) {
  const calls: string[] = [];
  // Read with `for await`, which takes a plain iterator as well.
  const pages = <T>(items: T[]) => items.values();
  const auth = {
    roleAssignments: {
      listForScope: (scope: string, o: { filter: string }) => {
        calls.push(`assignments ${scope} ${o.filter}`);
        return pages(opts.assignments?.[scope] ?? []);
      },
    },
    roleDefinitions: {
      getById: (id: string) => {
        calls.push(`definition ${id}`);
        return Promise.resolve({ permissions: [{ actions: opts.definitions?.[id] ?? [] }] });
      },
    },
    permissions: {
      listForResourceGroup: (group: string) => {
        calls.push(`permissions group ${group}`);
        return pages([{ actions: opts.permissions ?? [], notActions: [] }]);
      },
      listForResource: (group: string, ns: string, parent: string, type: string, name: string) => {
        calls.push(`permissions resource ${group} ${ns} [${parent}] ${type} ${name}`);
        return pages([{ actions: opts.permissions ?? [], notActions: [] }]);
      },
    },
  } as unknown as AuthorizationManagementClient;
  return { auth, calls };
}
describe('azure: RBAC as Resource Manager evaluates it', () => {
  it(
    'matches actions as Azure RBAC does: wildcards, case, notActions of the same block, data ' +
      'actions apart',
    () => {
      assert.ok(
        actionMatches('Microsoft.Compute/*', 'microsoft.compute/galleries/images/versions/write'),
      );
      assert.ok(actionMatches('*/read', 'Microsoft.Compute/galleries/read'));
      assert.ok(!actionMatches('*/read', 'Microsoft.Compute/galleries/write'));
      // A whole `/*/` segment also matches nothing: Managed Identity Operator's pattern grants
      // assigning the identity itself.
      assert.ok(
        actionMatches(
          'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action',
          'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action',
        ),
      );
      assert.ok(
        actionMatches(
          'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action',
          'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials' +
            '/assign/action',
        ),
      );
      assert.ok(
        !actionMatches(
          'Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action',
          'Microsoft.ManagedIdentity/userAssignedIdentities/write',
        ),
      );
      const contributor = [
        {
          actions: ['*'],
          notActions: ['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/*/Delete'],
        },
      ];
      assert.ok(allows(contributor, 'Microsoft.VirtualMachineImages/imageTemplates/write'));
      assert.ok(!allows(contributor, 'Microsoft.Authorization/roleAssignments/write'));
      // A notAction of one block does not take away what another block (another role) allows.
      assert.ok(
        allows(
          [...contributor, { actions: ['Microsoft.Authorization/roleAssignments/write'] }],
          'Microsoft.Authorization/roleAssignments/write',
        ),
      );
      const blobReader = [
        {
          actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/read'],
          dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
        },
      ];
      assert.ok(
        allows(
          blobReader,
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
          true,
        ),
      );
      assert.ok(
        !allows(blobReader, 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'),
      );
      assert.ok(
        !allows(
          [{ actions: ['*'] }],
          'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write',
          true,
        ),
        'Owner holds no data actions',
      );
    },
  );

  it('asks the permissions API at the right level, once a scope; each role read once', async () => {
    const { auth, calls } = fakeAuth({ permissions: ['*/read'] });
    const perms = new CallerPermissions(auth);
    await perms.at(rg('rg'));
    await perms.at(UAI);
    await perms.at(DEF);
    await perms.at(
      DEF.toUpperCase()
        .replace('/SUBSCRIPTIONS/', '/subscriptions/')
        .replace('/RESOURCEGROUPS/', '/resourceGroups/'),
    );
    assert.strictEqual(
      await perms.at(`/subscriptions/${SUB}`),
      undefined,
      'no permissions API for a subscription',
    );
    assert.deepStrictEqual(calls, [
      'permissions group rg',
      'permissions resource rg Microsoft.ManagedIdentity [] userAssignedIdentities aib',
      'permissions resource rg-gal Microsoft.Compute [galleries/gal] images win11',
    ]);

    const role = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/r1`;
    const reader = fakeAuth({
      assignments: { [DEF]: [{ roleDefinitionId: role, scope: rg('rg-gal') }] },
      definitions: { [role]: ['Microsoft.Compute/galleries/images/versions/*'] },
    });
    const rbac = new RbacReader(reader.auth);
    assert.ok(await rbac.holds('p1', 'Microsoft.Compute/galleries/images/versions/write', DEF));
    assert.ok(!(await rbac.holds('p1', 'Microsoft.Compute/images/write', DEF)));
    assert.deepStrictEqual(
      reader.calls.filter((c) => c.startsWith('definition')),
      [`definition ${role}`],
    );
    assert.ok(reader.calls.includes(`assignments ${DEF} atScope() and principalId eq 'p1'`));
  });
});
