import * as assert from 'assert';
import { refusal } from '../../../tasks/common/azure/callerCheck';

const rg = (name: string) =>
  `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/${name}`;

describe("azure: the connection's refusals", () => {
  it('a refusal names the principal, the actions, the scope, the role and the command', () => {
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
  });
});
