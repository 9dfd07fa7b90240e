import * as assert from 'assert';
import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import { refusal } from '../../../../tasks/common/azure/callerCheck';
import {
  actionMatches,
  allows,
  CallerPermissions,
  RbacReader,
} from '../../../../tasks/common/azure/rbacCheck';
import { aibNeeds } from '../../../../tasks/common/imagebuilder/access/aibNeeds';
import { identityGapMessage } from '../../../../tasks/common/imagebuilder/access/preflight';
import { outline, rg, SUB, UAI } from '../support';

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

describe('imagebuilder: pre-flight: what the connection and the identity may do', () => {
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

  it(
    'messages: a refusal names the principal, the actions, the scope, the role and the ' +
      'command; a gap of the identity names its fix',
    () => {
      assert.strictEqual(
        refusal(
          { clientId: 'c1', objectId: 'o1' },
          [
            'Microsoft.VirtualMachineImages/imageTemplates/write',
            'Microsoft.VirtualMachineImages/imageTemplates/delete',
          ],
          rg('rg'),
          'Contributor',
          'create, run and delete the image template',
        ),
        `The service connection's principal (client id c1, object id o1) may not ` +
          `'Microsoft.VirtualMachineImages/imageTemplates/write', ` +
          `'Microsoft.VirtualMachineImages/imageTemplates/delete' on ${rg('rg')} ` +
          (`(needed to create, run and delete the image template). Grant it 'Contributor' (or ` +
            `a role with those actions) there: `) +
          (`az role assignment create --assignee-object-id o1 --assignee-principal-type ` +
            `ServicePrincipal --role "Contributor" --scope ${rg('rg')}`),
      );
      assert.match(
        refusal({ clientId: 'c1' }, ['a/b/write'], rg('rg'), 'Contributor', 'x'),
        /principal \(client id c1\) .*az role assignment create --assignee c1 --role/,
      );
      const gallery = DEF.replace(/\/images\/win11$/, '');
      const [galleryNeed] = aibNeeds(
        outline({ distribute: [{ type: 'SharedImage', runOutputName: 'a', galleryImageId: DEF }] }),
      );
      assert.strictEqual(
        identityGapMessage(
          { id: UAI, principalId: 'p1' },
          ['Microsoft.Compute/galleries/read'],
          galleryNeed,
        ),
        `Image Builder's identity aib (principal p1) holds no role assignment that allows ` +
          `'Microsoft.Compute/galleries/read' on ${gallery} (the target gallery); ` +
          (`the build fails there unless a group it belongs to grants it. Grant it 'Reader' ` +
            `(or a custom role with that action): `) +
          (`az role assignment create --assignee-object-id p1 --assignee-principal-type ` +
            `ServicePrincipal --role "Reader" --scope ${gallery}`),
      );
    },
  );

  it(
    'asks the permissions API at the right level, once per scope; reads role definitions ' + 'once',
    async () => {
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
    },
  );
});
