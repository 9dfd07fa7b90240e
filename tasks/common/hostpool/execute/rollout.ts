/**
 * `action: rollout`: lease, token, the plan's batches in order (the canary, `canaryWait`, then the
 * rest), then the lease released and a token the task made deleted. State lives in tags, so a run
 * killed anywhere is finished by the next run of the plan it reads (no extra host, no host drained
 * twice). A cancel stops at once and leaves the pool serving: VMs being created finish in Azure and
 * the next run counts them, drained hosts stay drained (their users were told), the lease is
 * released.
 */
import { GraphClient } from '../../azure/graph';
import { formatDuration } from '../../core/duration';
import { poll } from '../../core/poll';
import { BatchTimes, UpdateHostPoolResult } from '../result';
import { RolloutPlan } from '../rolloutPlan';
import { HOST_INDEX_TAG, REPLACES_TAG } from '../tags';
import { extensionBodies, newVmBody } from '../vmSpec';
import { computerName, ExecContext, withSignal } from './context';
import { BatchFailedError, BatchSettings, runBatch, RunBatchResult } from './batch';
import { HeldLease, LeaseHolder, takeLease } from './lease';
import { afterRows, beforeRows, renderSummary } from './summary';
import { createdTokenCleanup, ensureToken } from './token';

/** The settings executeRollout uses (UpdateHostPoolParams' names). */
export interface RolloutSettings extends BatchSettings {
  canaryWaitMs: number;
}

export interface ExecuteRolloutOptions {
  ctx: ExecContext;
  /** The plan (rolloutPlan.ts), with its resume state; it replaces at least one host. */
  plan: RolloutPlan;
  settings: RolloutSettings;
  /** This run: URL, job id and attempt (the lease's holder). */
  holder: Omit<LeaseHolder, 'target'>;
  /** Secret: the new VMs' admin password (only in their osProfile). */
  adminPassword: string;
  graph: () => GraphClient;
  /** How long the lease holds without renewal (default 30 minutes; renewed at each poll). */
  leaseTtlMs?: number;
  /** Time a cleanup after a cancel may take (default 5 s: the agent kills soon after). */
  cleanupMs?: number;
}

/** Rough length of a rollout, for the registration token's lifetime. */
function expectedMs(plan: RolloutPlan, s: RolloutSettings): number {
  const perBatch = 20 * 60_000 + s.healthTimeoutMs + s.drainTimeoutMs;
  return plan.batches.length * perBatch + s.canaryWaitMs;
}

/** Runs the plan's batches; returns the result (rolloutState Failed when a batch was put back). */
export async function executeRollout(o: ExecuteRolloutOptions): Promise<UpdateHostPoolResult> {
  const { ctx, plan, settings } = o;
  const target = plan.target.versionId;
  // The highest index the plan uses is written with the lease, before any VM is made.
  const hostIndex = Math.max(plan.highestIndex, plan.pool.hostIndex);
  const cleanupMs = o.cleanupMs ?? 5000;
  const { lease } = await takeLease({
    ctx,
    holder: { ...o.holder, target },
    ttlMs: o.leaseTtlMs ?? 30 * 60_000,
    alsoTags: { [HOST_INDEX_TAG]: String(hostIndex) },
    releaseInterrupted: (taken) => releaseAfter(ctx, taken, cleanupMs),
  });
  const heartbeat = () => lease.renewIfDue();
  const done: RunBatchResult[] = [];
  let failure: BatchFailedError | undefined;
  try {
    const { token } = await ensureToken({ ctx, expectedMs: expectedMs(plan, settings) });
    await finishRemovals(ctx, plan);
    const exclusionTag = plan.pool.scalingPlan?.exclusionTag;
    for (const batch of plan.batches) {
      ctx.run.log.progress(
        Math.round((100 * (batch.number - 1)) / plan.batches.length),
        `Batch ${batch.number} of ${plan.batches.length}`,
      );
      const bodies = batch.create.map((host) => ({
        vmId:
          host.existing?.id ??
          `/subscriptions/${plan.pool.subscriptionId}/resourceGroups/${host.resourceGroup}` +
            `/providers/Microsoft.Compute/virtualMachines/${host.name}`,
        index: host.index,
        existing: !!host.existing,
        vm: newVmBody({
          template: plan.template,
          host,
          imageVersionId: target,
          adminUser: plan.adminUser,
          adminPassword: o.adminPassword,
          runUrl: o.holder.run,
        }),
        extensions: extensionBodies({
          location: plan.template.location,
          hostPoolName: plan.pool.name,
          join: plan.join,
          registrationToken: token,
          dscModulesUrl: plan.template.dscModulesUrl,
        }),
      }));
      try {
        done.push(
          await runBatch({
            ctx,
            batch,
            of: plan.batches.length,
            settings,
            bodies,
            target,
            runUrl: o.holder.run,
            exclusionTag,
            graph: o.graph,
            heartbeat,
            hostIndex,
          }),
        );
      } catch (err) {
        if (!(err instanceof BatchFailedError)) throw err;
        failure = err;
        break;
      }
      if (batch.canary && settings.canaryWaitMs > 0 && batch.number < plan.batches.length)
        await canaryWait(ctx, settings.canaryWaitMs, heartbeat);
    }
  } catch (err) {
    await releaseAfter(ctx, lease, cleanupMs);
    throw err;
  }
  await lease.release(ctx, createdTokenCleanup);
  ctx.run.log.progress(100, 'Rollout done');
  return result(o, done, failure);
}

/**
 * An error or cancel: the lease is released (with a short signal of its own when cancelled); the
 * token stays, as VMs still being created register with it.
 */
async function releaseAfter(ctx: ExecContext, lease: HeldLease, cleanupMs: number) {
  const cleanup = ctx.signal.aborted ? withSignal(ctx, AbortSignal.timeout(cleanupMs)) : ctx;
  try {
    await lease.release(cleanup);
  } catch (err) {
    ctx.run.log.warn(
      `Could not release the lease (${err instanceof Error ? err.message : String(err)}); ` +
        'a rerun of this job takes it back, another run may take it once it expires.',
    );
  }
}

/**
 * Session hosts whose VM an earlier run deleted before it was killed (the VM goes first): a new
 * host names it in its replaces tag. Removed from the pool now.
 */
async function finishRemovals(ctx: ExecContext, plan: RolloutPlan): Promise<void> {
  const replaced = new Set(
    [...plan.kept, ...plan.pool.hosts]
      .map((h) => h.vm?.tags[REPLACES_TAG]?.toLowerCase())
      .filter((n): n is string => !!n),
  );
  for (const h of plan.withoutVm) {
    if (!replaced.has(computerName(h.name).toLowerCase())) continue;
    await ctx.avd.sessionHosts.delete(ctx.pool.resourceGroup, ctx.pool.name, h.name, {
      force: true,
      abortSignal: ctx.signal,
    });
    ctx.run.log.info(`${h.name}: its VM was removed by an earlier run; removed from the pool.`);
  }
}

async function canaryWait(ctx: ExecContext, ms: number, heartbeat: () => Promise<void>) {
  ctx.run.log.info(`Canary batch done; waiting canaryWait (${formatDuration(ms)}).`);
  await poll({
    read: heartbeat,
    done: (_v, elapsedMs) => elapsedMs >= ms,
    intervalMs: Math.min(ctx.pollIntervalMs, ms),
    timeoutMs: ms,
    signal: ctx.signal,
    clock: ctx.clock,
  });
}

function result(
  o: ExecuteRolloutOptions,
  done: RunBatchResult[],
  failure: BatchFailedError | undefined,
): UpdateHostPoolResult {
  const { ctx, plan } = o;
  const leftDrained = done.flatMap((d) => d.leftDrained);
  const rolloutState = failure ? 'Failed' : leftDrained.length ? 'PartiallyCompleted' : 'Completed';
  const batches: BatchTimes[] = done.map((d) => d.times);
  const hostsAdded = done.flatMap((d) => d.added);
  const hostsRemoved = done.flatMap((d) => d.removed);
  const message = failure
    ? `Batch ${done.length + 1} failed and was put back: ${failure.message}`
    : leftDrained.length
      ? `Rollout partly done: ${leftDrained.map((l) => l.host).join(', ')} stay drained with ` +
        'sessions (forceLogOff never); the next run finishes them.'
      : `Rollout done: ${hostsAdded.length} host(s) on ${plan.target.version}, ` +
        `${hostsRemoved.length} removed.`;
  const r: UpdateHostPoolResult = {
    rolloutState,
    hostsAdded,
    hostsRemoved,
    hostsKept: plan.kept.map((h) => h.name),
    imageVersionId: plan.target.versionId,
    before: beforeRows(plan),
    after: afterRows(plan, hostsAdded, hostsRemoved),
    batches,
    result: failure ? 'Failed' : ctx.run.result(),
    message,
  };
  r.summary = renderSummary(r, {
    pool: plan.pool.name,
    devicesLeft: done.flatMap((d) => d.devicesLeft),
    leftDrained,
    warnings: ctx.run.warnings,
  });
  return r;
}
