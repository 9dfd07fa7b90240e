/**
 * Whether the service connection may make the dev center writes the plan holds (permissions API,
 * before the first write): add the identity, attach the gallery, write the dev box definition.
 */
import { callerRefusals, CallerNeed } from '../azure/callerCheck';
import { describeArmError } from '../azure/armErrors';
import { connectionPrincipal, describeConnection } from '../azure/principal';
import { CallerPermissions } from '../azure/rbacCheck';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { AttachPlan } from './attach';
import { DevBoxRun } from './context';
import { DefinitionPlan } from './definition';
import { DevCenterIdentity } from './identity';

export interface WriteNeeds {
  identity: DevCenterIdentity;
  attach: AttachPlan;
  definition?: DefinitionPlan;
}

/** One message per missing role (with its `az` command); empty when all is allowed. */
export async function connectionRefusals(run: DevBoxRun, w: WriteNeeds): Promise<string[]> {
  const dc = run.devCenterId;
  const needs: CallerNeed[] = [];
  if (w.identity.add) {
    needs.push(
      { action: 'Microsoft.DevCenter/devcenters/write', scope: dc, why: 'add its identity' },
      {
        action: 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action',
        scope: w.identity.add.id,
        why: 'give the identity to the dev center',
      },
    );
  }
  if (!w.attach.attached)
    needs.push({
      action: 'Microsoft.DevCenter/devcenters/galleries/write',
      scope: dc,
      why: 'attach the gallery',
    });
  if (w.definition && w.definition.action !== 'keep')
    needs.push({
      action: 'Microsoft.DevCenter/devcenters/devboxdefinitions/write',
      scope: dc,
      why: 'write the dev box definition',
    });
  if (needs.length === 0) return [];
  const auth = new AuthorizationManagementClient(
    run.azure.credential,
    run.devCenterSubscription,
    run.azure.clientOptions,
  );
  const principal = await connectionPrincipal(run.azure, run.signal);
  return callerRefusals(new CallerPermissions(auth, run.signal), principal, needs, (scope, err) =>
    run.log.warn(
      `Could not read what ${describeConnection(principal)} may do on ${scope}: ` +
        `${describeArmError(err)}. Azure checks it when the task gets there.`,
    ),
  );
}
