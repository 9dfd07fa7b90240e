/**
 * `action: abort`: stops a rollout in progress, whoever runs it. Old hosts it drained serve again,
 * its new hosts that are not Available are removed (session host and VM), a registration token it
 * made is deleted and the lease is released. New hosts already Available stay: they serve users.
 * A run still rolling the pool finds its lease gone at its next renewal and stops.
 */
import { UpdateHostPoolResult } from '../result';
import { HostState, PoolState } from '../state';
import { LEASE_TAG, TARGET_TAG } from '../tags';
import { ExecContext, updatePoolTags } from './context';
import { undrainHosts } from './drain';
import { removeNewHost } from './rollback';
import { deleteCreatedToken } from './token';

export interface AbortRolloutOptions {
  ctx: ExecContext;
  /** The pool as read (hosts, VMs with tags, unregistered new VMs, lease, scaling plan). */
  pool: PoolState;
  /** The target image version id: the lease's when one is held, else the image input's. */
  target: string;
}

/** Puts the pool back to serving; the result names what was undone. */
export async function abortRollout(o: AbortRolloutOptions): Promise<UpdateHostPoolResult> {
  const { ctx, pool } = o;
  const target = pool.lease?.target ?? o.target;
  if (pool.lease)
    ctx.run.log.info(
      `Aborting the rollout of run ${pool.lease.run} (job ${pool.lease.job}) onto ${target}.`,
    );
  else ctx.run.log.info(`No lease on ${pool.name}: undoing what a rollout onto ${target} left.`);
  const madeForTarget = (tags: Record<string, string> | undefined) =>
    tags?.[TARGET_TAG]?.toLowerCase() === target.toLowerCase();

  const restored = await undrainHosts({
    ctx,
    hosts: pool.hosts.filter((h) => h.vm && !madeForTarget(h.vm.tags)),
    exclusionTag: pool.scalingPlan?.exclusionTag,
  });
  const notServing = pool.hosts.filter(
    (h) => h.vm && madeForTarget(h.vm.tags) && h.status !== 'Available',
  );
  const removed: string[] = [];
  for (const h of notServing) {
    await removeNewHost(ctx, { vmId: h.vm!.id, sessionHost: h.name });
    removed.push(h.name);
  }
  for (const vm of pool.unregistered.filter((v) => madeForTarget(v.tags))) {
    await removeNewHost(ctx, { vmId: vm.id });
    removed.push(vm.name);
  }
  await deleteCreatedToken({ ctx });
  await updatePoolTags(ctx, { [LEASE_TAG]: undefined });

  const onTarget = (h: HostState) => madeForTarget(h.vm?.tags) && h.status === 'Available';
  const serving = pool.hosts.filter((h) => !notServing.includes(h));
  const message =
    `Rollout aborted: ${restored.length} drained host(s) serve again` +
    `${restored.length ? ` (${restored.join(', ')})` : ''}, ${removed.length} new host(s) ` +
    `removed${removed.length ? ` (${removed.join(', ')})` : ''}; the lease is released.`;
  ctx.run.log.info(message);
  const row = (h: HostState) => ({
    name: h.name,
    imageVersionId: h.vm?.imageVersionId,
    status: h.status,
    sessions: h.sessions,
    zone: h.vm?.zones[0],
  });
  return {
    rolloutState: serving.some(onTarget) ? 'PartiallyCompleted' : 'Failed',
    hostsAdded: [],
    hostsRemoved: removed,
    hostsKept: serving.filter(onTarget).map((h) => h.name),
    imageVersionId: target,
    before: pool.hosts.map(row),
    after: serving.map(row),
    batches: [],
    result: ctx.run.result(),
    message,
  };
}
