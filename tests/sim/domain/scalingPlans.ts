// AVD scaling plans (Microsoft.DesktopVirtualization 2024-04-03): autoscale settings that name the
// host pools they apply to (`hostPoolReferences[{hostPoolArmPath, scalingPlanEnabled}]`) and an
// `exclusionTag`, the name of a VM tag that makes autoscale leave the VM alone. Autoscale itself
// (starting and stopping hosts on a schedule) is not simulated. Plans are listed by subscription,
// by group and by host pool (GET .../hostPools/{hp}/scalingPlans).
import { randomUUID } from 'crypto';
import type { ActionDef, ResourceTypeDef } from '../arm/framework';
import { clone, paged } from '../arm/helpers';
import { sameId } from '../arm/paths';

export const SCALING_PLAN_TYPE = 'Microsoft.DesktopVirtualization/scalingPlans';

const scalingPlanDef: ResourceTypeDef = {
  type: SCALING_PLAN_TYPE,
  apiVersions: ['2024-04-03', '2023-09-05', '2022-09-09'],
  provisioningState: false,
  onStored(r) {
    r.properties.objectId ??= randomUUID();
    r.properties.hostPoolType ??= 'Pooled';
    r.properties.hostPoolReferences ??= [];
    r.properties.schedules ??= [];
  },
};

/** GET .../hostPools/{hp}/scalingPlans (ScalingPlans_ListByHostPool): plans naming the pool. */
export const scalingPlansOfHostPool: ActionDef = {
  method: 'GET',
  rbacAction: `${SCALING_PLAN_TYPE}/read`,
  run: (req, pool) =>
    paged(
      req,
      req.sim.store
        .list({ type: SCALING_PLAN_TYPE })
        .filter((p) =>
          (p.properties?.hostPoolReferences ?? []).some((ref: any) =>
            sameId(String(ref?.hostPoolArmPath ?? ''), pool.id),
          ),
        )
        .map((p) => clone(p)),
    ),
};

export function scalingPlanTypes(): ResourceTypeDef[] {
  return [scalingPlanDef];
}
