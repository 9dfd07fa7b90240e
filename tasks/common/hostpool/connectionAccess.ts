/**
 * Whether the service connection may make a rollout's writes, asked of the permissions API before
 * the first one (the lease): a right found missing half-way would leave new hosts made and old
 * ones drained. One message per scope and role, as BuildImage's and AttachGalleryToDevCenter's
 * pre-flights give.
 */
import { CallerNeed, connectionLacks } from '../azure/callerCheck';
import { AzureContext } from '../azure/clients';
import { Logger } from '../core/logger';
import { UpdateHostPoolParams } from './params';
import { RolloutPlan } from './rolloutPlan';

/** Options of {@link rolloutRefusals}. */
export interface RolloutAccessOptions {
  azure: AzureContext;
  plan: RolloutPlan;
  params: UpdateHostPoolParams;
  log: Logger;
  signal: AbortSignal;
}

const DV = 'Microsoft.DesktopVirtualization/hostPools';

/** Result: one message per missing role (with its `az` command); empty when all is allowed. */
export async function rolloutRefusals(o: RolloutAccessOptions): Promise<string[]> {
  const { plan, params } = o;
  const old = plan.batches.flatMap((b) => b.old);
  if (old.length === 0) return [];
  const pool = plan.pool.id;
  const subscription = `/subscriptions/${plan.pool.subscriptionId}`;
  const vmGroup = `${subscription}/resourceGroups/${plan.vmResourceGroup}`;
  const needs: CallerNeed[] = [
    { action: `${DV}/write`, scope: pool, why: 'hold the lease and renew the token' },
    { action: `${DV}/retrieveRegistrationToken/action`, scope: pool, why: 'register new hosts' },
    { action: `${DV}/sessionHosts/write`, scope: pool, why: 'drain old hosts' },
    { action: `${DV}/sessionHosts/delete`, scope: pool, why: 'remove old hosts' },
    { action: 'Microsoft.Compute/virtualMachines/write', scope: vmGroup, why: 'create VMs' },
    {
      action: 'Microsoft.Compute/virtualMachines/extensions/write',
      scope: vmGroup,
      why: 'install the AVD agent and join',
    },
  ];
  if (plan.template.subnetId)
    needs.push({
      action: 'Microsoft.Network/virtualNetworks/subnets/join/action',
      scope: plan.template.subnetId,
      why: 'put new NICs in the subnet',
    });
  if (old.some((h) => h.sessions > 0)) {
    needs.push({
      action: `${DV}/sessionHosts/userSessions/sendMessage/action`,
      scope: pool,
      why: 'warn signed-in users',
    });
    if (params.forceLogOff !== 'never')
      needs.push({
        action: `${DV}/sessionHosts/userSessions/delete`,
        scope: pool,
        why: 'sign users out',
      });
  }
  for (const h of old) {
    const group = `/subscriptions/${h.vm!.subscriptionId}/resourceGroups/${h.vm!.resourceGroup}`;
    const retire =
      plan.oldHosts === 'deallocate'
        ? ['Microsoft.Compute/virtualMachines/deallocate/action']
        : [
            'Microsoft.Compute/virtualMachines/delete',
            'Microsoft.Compute/disks/delete',
            'Microsoft.Network/networkInterfaces/delete',
          ];
    for (const action of retire) needs.push({ action, scope: group, why: 'retire old hosts' });
  }
  return connectionLacks({
    azure: o.azure,
    subscriptionId: plan.pool.subscriptionId,
    needs,
    log: o.log,
    signal: o.signal,
  });
}
