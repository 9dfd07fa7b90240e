/**
 * One batch: its new hosts made and through the health gate, its old hosts drained, their users
 * given the drain time, then removed. With `maxUnavailable` 0 (the default) the old hosts are
 * drained only once the new ones are Available, so capacity never drops; with n > 0 up to n old
 * hosts are drained while the new ones are made (their removal still waits for the gate, so a
 * failed batch can be put back). A new host that fails to be made or fails the gate puts the batch
 * back and throws BatchFailedError.
 */
import { GraphClient } from '../../azure/graph';
import { errorMessage } from '../../core/errors';
import { BatchTimes } from '../result';
import { PlannedBatch } from '../rolloutPlan';
import { DRAINED_TAG } from '../tags';
import { ExecContext, vmRef } from './context';
import { createHosts, NewHostBodies } from './create';
import { DrainedHost, drainHosts, OldHost } from './drain';
import { HealthGateError, waitHealthy } from './health';
import { OldHostsAction, removeHost } from './remove';
import { rollbackBatch } from './rollback';
import { ForceLogOff, waitSessionsEnd, WaitSessionsResult } from './sessions';

/** The rollout's settings a batch uses (UpdateHostPoolParams' names). */
export interface BatchSettings {
  maxUnavailable: number;
  healthTimeoutMs: number;
  drainTimeoutMs: number;
  logOffMessage: string;
  logOffWarningMs: number;
  forceLogOff: ForceLogOff;
  oldHosts: OldHostsAction;
  removeDeviceRecords: boolean;
}

export interface RunBatchOptions {
  ctx: ExecContext;
  batch: PlannedBatch;
  /** Batches in the rollout (for the log). */
  of: number;
  settings: BatchSettings;
  /** The new VMs' bodies (vmSpec, with the token), one per planned new host, same order. */
  bodies: NewHostBodies[];
  target: string;
  runUrl: string;
  exclusionTag?: string;
  graph: () => GraphClient;
  /** The lease's renewal, called at each poll. */
  heartbeat: () => Promise<void>;
  /** The pool's `gip.hostIndex` as written with the lease. */
  hostIndex?: number;
}

export interface RunBatchResult {
  times: BatchTimes;
  /** New hosts serving (their session host names). */
  added: string[];
  /** Old hosts removed. */
  removed: string[];
  /** Old hosts left drained with sessions (`forceLogOff: never`). */
  leftDrained: WaitSessionsResult['leftDrained'];
  /** Device records to remove by hand (computer names). */
  devicesLeft: string[];
  /** VMs made by this run (the rest were made by an earlier one). */
  created: string[];
}

/**
 * A batch that failed before its old hosts went (a new VM not made, or the health gate) and was
 * put back; the message names the host and why.
 */
export class BatchFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchFailedError';
  }
}

const iso = (ctx: ExecContext) => new Date(ctx.clock.now()).toISOString();

/** Runs one batch to its end, or puts it back and throws BatchFailedError. */
export async function runBatch(o: RunBatchOptions): Promise<RunBatchResult> {
  const { ctx, batch, settings } = o;
  const old: OldHost[] = batch.old;
  const times: BatchTimes = {
    number: batch.number,
    canary: batch.canary,
    oldHosts: old.map((h) => h.name),
    newHosts: batch.create.map((h) => h.name),
    started: iso(ctx),
  };
  ctx.run.log.group(
    `Batch ${batch.number} of ${o.of}${batch.canary ? ' (canary)' : ''}: ` +
      `${old.map((h) => h.name).join(', ')} -> ${batch.create.map((h) => h.name).join(', ')}`,
  );
  try {
    // Hosts an earlier run drained are drained already; maxUnavailable lets more go early.
    const wasDrained = old.filter((h) => h.vm?.tags[DRAINED_TAG]);
    const spare = Math.max(0, settings.maxUnavailable - wasDrained.length);
    const early = [...wasDrained, ...old.filter((h) => !h.vm?.tags[DRAINED_TAG]).slice(0, spare)];
    const late = old.filter((h) => !early.includes(h));

    const earlyStop = new AbortController();
    const earlyCtx = { ...ctx, signal: AbortSignal.any([ctx.signal, earlyStop.signal]) };
    const earlyWork = early.length ? drainAndWait(o, earlyCtx, early) : Promise.resolve(undefined);
    // A failure of the early drain surfaces when awaited below, not as an unhandled rejection.
    earlyWork.catch(() => undefined);

    const vmIds = o.bodies.map((b) => b.vmId);
    let created: string[] = [];
    try {
      const toCreate = o.bodies.filter((_b, i) => !batch.create[i].sessionHost);
      created = (
        await createHosts({
          ctx,
          hosts: toCreate,
          target: o.target,
          runUrl: o.runUrl,
          hostIndex: o.hostIndex,
        })
      ).created;
      await waitHealthy({
        ctx,
        vmIds,
        timeoutMs: settings.healthTimeoutMs,
        heartbeat: o.heartbeat,
      });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      const message =
        err instanceof HealthGateError
          ? err.message
          : `Creating the batch's new hosts failed: ${errorMessage(err)}`;
      earlyStop.abort();
      await earlyWork.catch(() => undefined);
      ctx.run.log.error(message);
      await rollbackBatch({
        ctx,
        newHosts: vmIds.map((vmId) => ({ vmId })),
        oldHosts: old,
        exclusionTag: o.exclusionTag,
      });
      throw new BatchFailedError(message);
    }
    times.available = iso(ctx);
    const added = batch.create.map((h) => h.name);

    const waited = await earlyWork;
    const rest = late.length ? await drainAndWait(o, ctx, late) : undefined;
    times.drained = iso(ctx);
    const leftDrained = [...(waited?.leftDrained ?? []), ...(rest?.leftDrained ?? [])];
    const keep = new Set(leftDrained.map((l) => l.host));
    const results = await Promise.all(
      old
        .filter((h) => !keep.has(h.name))
        .map(async (h) => ({
          name: h.name,
          r: await removeHost({
            ctx,
            sessionHost: h.name,
            vmId: h.vm?.id,
            imageVersionId: h.vm?.imageVersionId,
            oldHosts: settings.oldHosts,
            removeDeviceRecords: settings.removeDeviceRecords,
            graph: o.graph,
            vm: h.vm,
          }),
        })),
    );
    times.removed = iso(ctx);
    times.ended = times.removed;
    return {
      times,
      added,
      removed: results.map((x) => x.name),
      leftDrained,
      devicesLeft: results.flatMap((x) => x.r.devicesLeft),
      created: created.map((id) => vmRef(id).name),
    };
  } finally {
    ctx.run.log.endGroup();
  }
}

async function drainAndWait(
  o: RunBatchOptions,
  ctx: ExecContext,
  hosts: OldHost[],
): Promise<WaitSessionsResult & { drained: DrainedHost[] }> {
  const drained: DrainedHost[] = await drainHosts({ ctx, hosts, exclusionTag: o.exclusionTag });
  const waited = await waitSessionsEnd({
    ctx,
    hosts: drained,
    drainTimeoutMs: o.settings.drainTimeoutMs,
    logOffWarningMs: o.settings.logOffWarningMs,
    logOffMessage: o.settings.logOffMessage,
    forceLogOff: o.settings.forceLogOff,
    heartbeat: o.heartbeat,
  });
  return { ...waited, drained };
}
