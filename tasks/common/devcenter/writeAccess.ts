/**
 * Whether the service connection may make the dev center writes the plan holds (permissions API,
 * before the first write): add the identity, attach the gallery, write the dev box definition.
 */
import { CallerNeed, connectionLacks } from '../azure/callerCheck';
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
  return connectionLacks({
    azure: run.azure,
    subscriptionId: run.devCenterSubscription,
    needs,
    log: run.log,
    signal: run.signal,
  });
}
