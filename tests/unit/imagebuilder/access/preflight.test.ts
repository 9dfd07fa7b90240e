import * as assert from 'assert';
import type { AuthorizationManagementClient } from '@azure/arm-authorization';
import { refusal } from '../../../../tasks/common/azure/callerCheck';
import {
  actionMatches,
  allows,
  CallerPermissions,
  RbacReader,
} from '../../../../tasks/common/azure/rbacCheck';
import { derivedGuid } from '../../../../tasks/common/core/derivedGuid';
import { InputReader } from '../../../../tasks/common/core/inputReader';
import { PipelineInfo } from '../../../../tasks/common/core/pipelineInfo';
import { aibNeeds, customRoleScopes } from '../../../../tasks/common/imagebuilder/access/aibNeeds';
import {
  customRoleName,
  identityOfFile,
  OwnIdentityPlan,
  ownIdentityName,
  planCommands,
} from '../../../../tasks/common/imagebuilder/access/aibIdentity';
import { readBuildParams } from '../../../../tasks/common/imagebuilder/inputs/params';
import { identityGapMessage } from '../../../../tasks/common/imagebuilder/access/preflight';
import type { TemplateDocument } from '../../../../tasks/common/imagebuilder/template/compose';

const SUB = '00000000-0000-0000-0000-000000000001';
const rg = (name: string) => `/subscriptions/${SUB}/resourceGroups/${name}`;
const DEF = `${rg('rg-gal')}/providers/Microsoft.Compute/galleries/gal/images/win11`;
const UAI = `${rg('rg')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/aib`;

function doc(properties: Partial<TemplateDocument['properties']>): TemplateDocument {
  return {
    location: 'westeurope',
    tags: {},
    identity: { type: 'UserAssigned', userAssignedIdentities: { [UAI]: {} } },
    properties: { source: { type: 'PlatformImage' }, customize: [], distribute: [], ...properties },
  };
}

/** An AuthorizationManagementClient that answers from tables and records what it was asked. */
function fakeAuth(
  opts: {
    assignments?: Record<string, { roleDefinitionId: string; scope: string }[]>;
    definitions?: Record<string, string[]>;
    permissions?: string[];
  } = {},
) {
  const calls: string[] = [];
  const pages = <T>(items: T[]) =>
    (async function* () {
      yield* items;
    })();
  const auth = {
    roleAssignments: {
      listForScope: (scope: string, o: { filter: string }) => {
        calls.push(`assignments ${scope} ${o.filter}`);
        return pages(opts.assignments?.[scope] ?? []);
      },
    },
    roleDefinitions: {
      getById: async (id: string) => {
        calls.push(`definition ${id}`);
        return { permissions: [{ actions: opts.definitions?.[id] ?? [] }] };
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

describe('imagebuilder: identity and pre-flight', () => {
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
    'reads what Image Builder needs from the template: source, gallery and managed image ' +
      'targets, vnet, build VM identities, staging group',
    () => {
      const source =
        `${rg('rg-src')}/providers/Microsoft.Compute/galleries/base/images/ws` + `/versions/1.0.0`;
      const subnet =
        `${rg('rg-net')}/providers/Microsoft.Network/virtualNetworks/vnet/subnets` + `/build`;
      const vmIdentity =
        `${rg('rg-ids')}/providers/Microsoft.ManagedIdentity` + `/userAssignedIdentities/build-vm`;
      const needs = aibNeeds(
        doc({
          source: { type: 'SharedImageVersion', imageVersionId: source },
          distribute: [
            { type: 'SharedImage', runOutputName: 'a', galleryImageId: `${DEF}/versions/2.0.0` },
            {
              type: 'SharedImage',
              runOutputName: 'b',
              galleryImageId: DEF.replace('win11', 'win10'),
            },
            {
              type: 'ManagedImage',
              runOutputName: 'c',
              imageId: `${rg('rg')}/providers/Microsoft.Compute/images/golden`,
            },
            { type: 'VHD', runOutputName: 'd' },
          ],
          vmProfile: { vnetConfig: { subnetId: subnet }, userAssignedIdentities: [vmIdentity] },
          stagingResourceGroup: rg('rg-staging'),
        }),
      );
      const gallery = DEF.replace(/\/images\/win11$/, '');
      assert.deepStrictEqual(
        needs.map((n) => [n.scope, n.grant.role, n.grant.scope]),
        [
          [source.replace(/\/images\/.*$/, ''), 'custom', rg('rg-src')],
          [source, 'custom', rg('rg-src')],
          [gallery, 'custom', rg('rg-gal')],
          [DEF, 'custom', rg('rg-gal')],
          [DEF.replace('win11', 'win10'), 'custom', rg('rg-gal')],
          [rg('rg'), 'custom', rg('rg')],
          [subnet.replace(/\/subnets\/build$/, ''), 'custom', rg('rg-net')],
          [subnet, 'custom', rg('rg-net')],
          [vmIdentity, 'Managed Identity Operator', vmIdentity],
          [rg('rg-staging'), 'Contributor', rg('rg-staging')],
        ],
      );
      assert.deepStrictEqual(needs[3].actions, [
        'Microsoft.Compute/galleries/images/read',
        'Microsoft.Compute/galleries/images/versions/read',
        'Microsoft.Compute/galleries/images/versions/write',
      ]);
      assert.deepStrictEqual(needs[5].actions, [
        'Microsoft.Compute/images/write',
        'Microsoft.Compute/images/read',
        'Microsoft.Compute/images/delete',
      ]);
      assert.deepStrictEqual(customRoleScopes(needs), [
        rg('rg-src'),
        rg('rg-gal'),
        rg('rg'),
        rg('rg-net'),
      ]);
      assert.deepStrictEqual(
        aibNeeds(doc({ distribute: [{ type: 'VHD', runOutputName: 'v' }] })),
        [],
        'a VHD and a marketplace source need nothing of the identity',
      );
    },
  );

  it("names the task's own identity, role and assignments deterministically", () => {
    assert.strictEqual(
      ownIdentityName(SUB, 'rg-img'),
      ownIdentityName(SUB.toUpperCase(), 'RG-IMG'),
    );
    assert.match(ownIdentityName(SUB, 'rg-img'), /^gip-aib-[0-9a-f]{12}$/);
    assert.notStrictEqual(ownIdentityName(SUB, 'rg-img'), ownIdentityName(SUB, 'rg-other'));
    assert.strictEqual(
      customRoleName('gip-aib-0123456789ab'),
      'BuildImage Image Builder (gip-aib-0123456789ab)',
    );
    assert.match(
      derivedGuid('a', 'b'),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    assert.strictEqual(derivedGuid('a', 'b'), derivedGuid('A', 'B'));
  });

  it('prints the az commands that set up the own identity, with the principal once it exists', () => {
    const id =
      `${rg('rg')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities` +
      `/gip-aib-0123456789ab`;
    const plan: OwnIdentityPlan = {
      identity: {
        id,
        name: 'gip-aib-0123456789ab',
        resourceGroup: 'rg',
        location: 'westeurope',
        create: true,
      },
      role: {
        guid: derivedGuid('x'),
        name: 'BuildImage Image Builder (gip-aib-0123456789ab)',
        scope: rg('rg'),
        assignableScopes: [rg('rg'), rg('rg-gal')],
        write: 'create',
        lacks: [],
      },
      grants: [
        {
          role: 'custom',
          roleName: 'BuildImage Image Builder (gip-aib-0123456789ab)',
          roleDefinitionId: 'x',
          scope: rg('rg-gal'),
          what: 'the target gallery',
        },
        {
          role: 'Contributor',
          roleName: 'Contributor',
          roleDefinitionId: 'y',
          scope: rg('rg-staging'),
          what: 'the staging resource group',
        },
      ],
    };
    const [identity, role, a1, a2] = planCommands(plan);
    assert.strictEqual(
      identity,
      'az identity create -g rg -n gip-aib-0123456789ab -l westeurope --tags ' +
        'gip.managedBy="BuildImage" gip.purpose="Image Builder identity"',
    );
    const json = JSON.parse(/^az role definition create --role-definition '(.*)'$/.exec(role)![1]);
    assert.strictEqual(json.Name, 'BuildImage Image Builder (gip-aib-0123456789ab)');
    assert.deepStrictEqual(json.AssignableScopes, [rg('rg'), rg('rg-gal')]);
    assert.ok(json.Actions.every((a: string) => !a.includes('*')));
    assert.strictEqual(
      a1,
      `az role assignment create --assignee-object-id $(az identity show --ids ${id} ` +
        `--query principalId -o tsv) --assignee-principal-type ServicePrincipal --role ` +
        `"BuildImage Image Builder (gip-aib-0123456789ab)" --scope ${rg('rg-gal')}`,
    );
    assert.match(
      a2,
      /--role "Contributor" --scope \/subscriptions\/[^ ]+\/resourceGroups\/rg-staging$/,
    );
    const existing = planCommands({
      ...plan,
      identity: {
        ...plan.identity,
        create: false,
        principalId: '11111111-2222-4333-8444-555555555555',
      },
      role: { ...plan.role, write: undefined },
    });
    assert.deepStrictEqual(
      existing.map((c) => c.split(' --role ')[0]),
      [
        'az role assignment create --assignee-object-id ' +
          '11111111-2222-4333-8444-555555555555 --assignee-principal-type ServicePrincipal',
        'az role assignment create --assignee-object-id ' +
          '11111111-2222-4333-8444-555555555555 --assignee-principal-type ServicePrincipal',
      ],
    );
  });

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
        doc({ distribute: [{ type: 'SharedImage', runOutputName: 'a', galleryImageId: DEF }] }),
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

  it("a template file's identity: exactly one user-assigned identity id, or none", () => {
    assert.strictEqual(
      identityOfFile({ type: 'UserAssigned', userAssignedIdentities: { [UAI]: {} } }),
      UAI,
    );
    assert.strictEqual(identityOfFile(undefined), undefined);
    assert.throws(
      () =>
        identityOfFile({
          type: 'UserAssigned',
          userAssignedIdentities: { [UAI]: {}, [`${UAI}2`]: {} },
        }),
      /Input 'templateFile': identity: Image Builder runs as exactly one user-assigned identity/,
    );
    assert.throws(() => identityOfFile({ type: 'SystemAssigned' }), /found none/);
  });

  it('managedIdentity is optional; a given one is still checked', () => {
    const reader = (values: Record<string, string>) =>
      new InputReader({ get: (n) => values[n], secret: () => undefined });
    const pipeline = { defaultWorkingDirectory: '/src', buildNumber: '1' } as PipelineInfo;
    const base = {
      location: 'westeurope',
      resourceGroup: 'rg',
      sourceImage: 'a:b:c',
      galleryImageDefinitionId: DEF,
    };
    assert.strictEqual(readBuildParams(reader(base), pipeline).identity, undefined);
    assert.strictEqual(
      readBuildParams(reader({ ...base, managedIdentity: 'aib' }), pipeline).identity,
      'aib',
    );
    assert.throws(
      () =>
        readBuildParams(
          reader({ ...base, managedIdentity: `${rg('rg')}/providers/Microsoft.Compute/images/x` }),
          pipeline,
        ),
      /Input 'managedIdentity': .* is not the resource id of a user-assigned identity/,
    );
  });

  it('asks the permissions API at the right level, once per scope; reads role definitions once', async () => {
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
