/**
 * Reads the host pool: the pool itself (stable api-version through the SDK; Personal pools
 * refused), its management type (the one preview call a Standard pool gets: an Automated pool
 * takes automated/'s path), its scaling plan's exclusion tag, and its rollout tags.
 */
import type { DesktopVirtualizationAPIClient } from '@azure/arm-desktopvirtualization';
import { ArmClient } from '../../azure/armClient';
import { AzureContext } from '../../azure/clients';
import { getOrUndefined } from '../../azure/notFound';
import { desktopVirtualizationClient } from '../../azure/sdkClients';
import { InputError } from '../../core/errors';
import { HostPoolRef } from '../params';
import { PoolState, ScalingPlanRef } from '../state';
import {
  HOST_INDEX_TAG,
  LEASE_TAG,
  parseHostIndex,
  parseLease,
  TOKEN_CREATED,
  TOKEN_TAG,
} from '../tags';

/** The preview api-version that has `managementType` (absent = Standard). */
export const AVD_PREVIEW_API = '2024-08-08-preview';

/** `managementType` (preview api-version only); any value but Automated, or none, is Standard. */
export type ManagementType = 'Standard' | 'Automated';

/**
 * The pool as read, without its hosts (read/hosts.ts adds them), and how it is managed: an
 * Automated pool was made with a session host configuration and is updated by Azure (automated/).
 */
export type PoolRead = Omit<PoolState, 'hosts' | 'unregistered'> & {
  managementType: ManagementType;
};

/** Options of {@link readPool}. */
export interface ReadPoolOptions {
  azure: AzureContext;
  ref: HostPoolRef;
  signal: AbortSignal;
}

export async function readPool(o: ReadPoolOptions): Promise<PoolRead> {
  const subscriptionId = o.ref.subscriptionId ?? o.azure.subscriptionId;
  const avd = desktopVirtualizationClient(o.azure, subscriptionId);
  const pool = await getOrUndefined(() =>
    avd.hostPools.get(o.ref.resourceGroup, o.ref.name, { abortSignal: o.signal }),
  );
  if (!pool?.id)
    throw new InputError(
      'hostPool',
      `no host pool '${o.ref.name}' in resource group '${o.ref.resourceGroup}' ` +
        `(subscription ${subscriptionId})`,
      'the name and resource group, or the resource id, of an existing host pool',
    );
  if (/^personal$/i.test(pool.hostPoolType))
    throw new InputError(
      'hostPool',
      `'${pool.name}' is a Personal host pool: each personal desktop holds its user's own state, ` +
        'so its hosts are not replaced by a new image',
      'a Pooled host pool',
    );
  const managementType = await managementTypeOf(o.azure, pool.id, o.signal);
  const tags = pool.tags ?? {};
  return {
    id: pool.id,
    managementType,
    subscriptionId,
    resourceGroup: o.ref.resourceGroup,
    name: pool.name ?? o.ref.name,
    location: pool.location,
    hostPoolType: pool.hostPoolType,
    tags,
    vmTemplate: pool.vmTemplate,
    scalingPlan: await scalingPlanOf(avd, o.ref, o.signal),
    hostIndex: parseHostIndex(tags[HOST_INDEX_TAG]),
    lease: parseLease(tags[LEASE_TAG]),
    tokenCreated: tags[TOKEN_TAG] === TOKEN_CREATED,
  };
}

/** Pools made with a session host configuration are updated by Azure itself; absent = Standard. */
async function managementTypeOf(
  azure: AzureContext,
  poolId: string,
  signal: AbortSignal,
): Promise<ManagementType> {
  const preview = await new ArmClient(azure).get<{ properties?: { managementType?: string } }>(
    poolId,
    AVD_PREVIEW_API,
    signal,
  );
  return /^automated$/i.test(preview.properties?.managementType ?? '') ? 'Automated' : 'Standard';
}

/** The scaling plan that lists the pool (an exclusion tag keeps autoscale off drained hosts). */
async function scalingPlanOf(
  avd: DesktopVirtualizationAPIClient,
  ref: HostPoolRef,
  signal: AbortSignal,
): Promise<ScalingPlanRef | undefined> {
  const plans: ScalingPlanRef[] = [];
  for await (const p of avd.scalingPlans.listByHostPool(ref.resourceGroup, ref.name, {
    abortSignal: signal,
  }))
    if (p.id)
      plans.push({ id: p.id, name: p.name ?? p.id, exclusionTag: p.exclusionTag || undefined });
  return plans.find((p) => p.exclusionTag) ?? plans[0];
}
