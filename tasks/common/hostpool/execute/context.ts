/**
 * What every step of a rollout shares: the pool, the SDK clients, the clock all waits run on, and
 * the tag writes (pool and VM) that keep a rollout's state in Azure. A tag has no ETag, so a tag
 * write is a read, a merge and a PATCH of the whole set: two writers at the same moment can lose
 * one another's change (the lease reads its write back for that reason).
 */
import type { ComputeManagementClient, VirtualMachine } from '@azure/arm-compute';
import { DesktopVirtualizationAPIClient, HostPoolPatch } from '@azure/arm-desktopvirtualization';
import { ArmClient } from '../../azure/armClient';
import { describeArmError } from '../../azure/armErrors';
import { AzureContext } from '../../azure/clients';
import { COMPUTE_API } from '../../azure/computeBodies';
import { computeClient } from '../../azure/sdkClients';
import { getOrUndefined } from '../../azure/notFound';
import { parseResourceId } from '../../azure/resourceIds';
import { Clock, systemClock } from '../../core/clock';
import { Logger } from '../../core/logger';
import { PipelineInfo } from '../../core/pipelineInfo';
import { RunContext } from '../../core/runContext';

/** The host pool a rollout works on. */
export interface PoolRef {
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** A rollout's run: the shared run context plus the pool, its clients and its clock. */
export interface ExecContext {
  /** Log and warnings (warnings make the run SucceededWithIssues). */
  run: RunContext;
  /**
   * Cancels every call and wait. Usually `run.signal`; cleanup after a cancel runs with a short
   * signal of its own (see withSignal).
   */
  signal: AbortSignal;
  pool: PoolRef;
  avd: DesktopVirtualizationAPIClient;
  /** Compute in the pool's subscription (VMs may sit in another resource group). */
  compute: ComputeManagementClient;
  /** For what no SDK here covers (NICs: Microsoft.Network has no SDK in this extension). */
  arm: ArmClient;
  /** Every wait runs on it; tests drive it. */
  clock: Clock;
  /** Wait between polls (`pollInterval`), and between polls of a long-running operation. */
  pollIntervalMs: number;
}

export type Tags = Record<string, string>;

export interface CreateExecContextOptions {
  azure: AzureContext;
  run: RunContext;
  pool: PoolRef;
  pollIntervalMs: number;
  /** Default: the system clock. */
  clock?: Clock;
}

/** The clients of a rollout on the pool's subscription. */
export function createExecContext(o: CreateExecContextOptions): ExecContext {
  const sub = o.pool.subscriptionId;
  return {
    run: o.run,
    signal: o.run.signal,
    pool: o.pool,
    avd: new DesktopVirtualizationAPIClient(o.azure.credential, sub, o.azure.clientOptions),
    compute: computeClient(o.azure, sub),
    arm: new ArmClient(o.azure, { pollIntervalMs: o.pollIntervalMs }),
    clock: o.clock ?? systemClock,
    pollIntervalMs: o.pollIntervalMs,
  };
}

export interface RolloutContextOptions {
  azure: AzureContext;
  log: Logger;
  signal: AbortSignal;
  pipeline: PipelineInfo;
  pool: PoolRef;
  pollIntervalMs: number;
}

/** A rollout's context as the dispatcher makes it: a fresh RunContext, the system clock. */
export function rolloutContext(o: RolloutContextOptions): ExecContext {
  const run = new RunContext({
    log: o.log,
    signal: o.signal,
    pipeline: o.pipeline,
    describeError: describeArmError,
  });
  return createExecContext({ azure: o.azure, run, pool: o.pool, pollIntervalMs: o.pollIntervalMs });
}

/** The lease holder of this pipeline job: run URL, System.JobId (else stage/job), attempt. */
export function leaseHolderOf(p: PipelineInfo): { run: string; job: string; attempt: number } {
  return {
    run: p.runUrl,
    job: p.jobId || [p.stageName, p.jobName].filter(Boolean).join('/'),
    attempt: p.jobAttempt,
  };
}

/** The same context with another signal (cleanup after a cancel: release the lease). */
export function withSignal(ctx: ExecContext, signal: AbortSignal): ExecContext {
  return { ...ctx, signal };
}

/** Resource group and name of a VM id. */
export function vmRef(vmId: string): { resourceGroup: string; name: string } {
  const p = parseResourceId(vmId);
  if (!p || p.levels.length !== 1)
    throw new Error(`'${vmId}' is not a virtual machine resource id.`);
  return { resourceGroup: p.resourceGroup, name: p.levels[0][1] };
}

/** Options of every long-running SDK call. */
export function lro(ctx: ExecContext): { abortSignal: AbortSignal; updateIntervalInMs: number } {
  return { abortSignal: ctx.signal, updateIntervalInMs: ctx.pollIntervalMs };
}

/** `tags` with `changes` applied (undefined removes a tag); undefined when nothing changes. */
export function mergeTags(
  tags: Tags,
  changes: Record<string, string | undefined>,
): Tags | undefined {
  const next: Tags = { ...tags };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  const same =
    Object.keys(next).length === Object.keys(tags).length &&
    Object.entries(next).every(([k, v]) => tags[k] === v);
  return same ? undefined : next;
}

/** The pool's tags as they are now. */
export async function readPoolTags(ctx: ExecContext): Promise<Tags> {
  const pool = await ctx.avd.hostPools.get(ctx.pool.resourceGroup, ctx.pool.name, {
    abortSignal: ctx.signal,
  });
  return pool.tags ?? {};
}

/**
 * Applies tag changes to the pool (merge into `current`, read here when not given; PATCH; no write
 * when nothing changes and `also` is empty). `also`: more of the pool to PATCH in the same request
 * (registrationInfo). Returns the tags as the PATCH answered them.
 */
export async function updatePoolTags(
  ctx: ExecContext,
  changes: Record<string, string | undefined>,
  o: { current?: Tags; also?: Omit<HostPoolPatch, 'tags'> } = {},
): Promise<Tags> {
  const tags = o.current ?? (await readPoolTags(ctx));
  const next = mergeTags(tags, changes);
  if (!next && !o.also) return tags;
  const pool = await ctx.avd.hostPools.update(ctx.pool.resourceGroup, ctx.pool.name, {
    hostPool: { ...o.also, ...(next ? { tags: next } : {}) },
    abortSignal: ctx.signal,
  });
  return pool.tags ?? next ?? tags;
}

/** A VM, or undefined when it does not exist. */
export async function getVm(ctx: ExecContext, vmId: string): Promise<VirtualMachine | undefined> {
  const { resourceGroup, name } = vmRef(vmId);
  return getOrUndefined(() =>
    ctx.compute.virtualMachines.get(resourceGroup, name, { abortSignal: ctx.signal }),
  );
}

/**
 * Applies tag changes to a VM whose tags are `tags` (as this run read them); no write when nothing
 * changes. A PATCH's `tags` replace the VM's, so the VM's tags are then the ones returned (not read
 * back: a tag write costs the PATCH and its operation's polls only). Undefined when nothing was
 * written.
 */
export async function updateVmTags(
  ctx: ExecContext,
  vmId: string,
  tags: Tags,
  changes: Record<string, string | undefined>,
): Promise<Tags | undefined> {
  const next = mergeTags(tags, changes);
  if (!next) return undefined;
  await ctx.arm.apply('PATCH', vmId, COMPUTE_API, { tags: next }, ctx.signal);
  return next;
}

/** Computer name of a session host (`pool/host.contoso.com` -> `host`). */
export function computerName(sessionHostName: string): string {
  return (sessionHostName.split('/').pop() ?? sessionHostName).split('.')[0];
}

/** A session host's own name (`pool/host.contoso.com` -> `host.contoso.com`). */
export function hostName(sessionHostName: string): string {
  return sessionHostName.split('/').pop() ?? sessionHostName;
}

export function sameId(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}
