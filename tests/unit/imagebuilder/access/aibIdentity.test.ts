import * as assert from 'assert';
import { derivedGuid } from '../../../../tasks/common/core/derivedGuid';
import {
  customRoleName,
  identityOfFile,
  OwnIdentityPlan,
  ownIdentityName,
  planCommands,
} from '../../../../tasks/common/imagebuilder/access/aibIdentity';
import { rg, SUB, UAI } from '../support';

describe("imagebuilder: Image Builder's identity", () => {
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

  it('prints the az commands that set up the own identity, the principal once it exists', () => {
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
});
