/**
 * Putting a failed batch back: its new hosts are removed (session host and VM with what the VM
 * manages), its old hosts serve again (new sessions allowed, the drained and exclusion tags this
 * task set removed). Batches already done stay done.
 */
import { isNotFound } from '../../azure/notFound';
import { separateParts } from '../vmParts';
import { ExecContext, getVm, hostName, vmRef } from './context';
import { OldHost, undrainHosts } from './drain';
import { deleteVm } from './remove';

/** A new host of the batch: its VM, and its session host once the agent registered it. */
export interface NewHostRef {
  vmId: string;
  /** The session host's own name, when registered. */
  sessionHost?: string;
}

export interface RollbackBatchOptions {
  ctx: ExecContext;
  newHosts: NewHostRef[];
  oldHosts: OldHost[];
  exclusionTag?: string;
}

export interface RollbackBatchResult {
  /** New VMs deleted. */
  removed: string[];
  /** Old hosts serving again. */
  restored: string[];
}

/** Removes a new host: its session host (if registered), then its VM. */
export async function removeNewHost(ctx: ExecContext, host: NewHostRef): Promise<boolean> {
  const registered = host.sessionHost ?? (await findSessionHost(ctx, host.vmId));
  if (registered)
    await ctx.avd.sessionHosts.delete(ctx.pool.resourceGroup, ctx.pool.name, registered, {
      force: true,
      abortSignal: ctx.signal,
    });
  const vm = await getVm(ctx, host.vmId);
  if (vm) await deleteVm(ctx, host.vmId, separateParts(vm));
  return !!vm || !!registered;
}

/** The session host name registered for a VM, if any (one list of the pool). */
async function findSessionHost(ctx: ExecContext, vmId: string): Promise<string | undefined> {
  try {
    for await (const h of ctx.avd.sessionHosts.list(ctx.pool.resourceGroup, ctx.pool.name, {
      abortSignal: ctx.signal,
    }))
      if (h.resourceId?.toLowerCase() === vmId.toLowerCase()) return hostName(h.name ?? '');
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return undefined;
}

/** Puts a failed batch back. */
export async function rollbackBatch(o: RollbackBatchOptions): Promise<RollbackBatchResult> {
  const { ctx } = o;
  ctx.run.log.group('Putting the batch back');
  try {
    const removed: string[] = [];
    await Promise.all(
      o.newHosts.map(async (h) => {
        if (await removeNewHost(ctx, h)) removed.push(h.vmId);
      }),
    );
    if (removed.length)
      ctx.run.log.info(
        `Removed the batch's new hosts: ${removed.map((id) => vmRef(id).name).join(', ')}.`,
      );
    const restored = await undrainHosts({
      ctx,
      hosts: o.oldHosts,
      exclusionTag: o.exclusionTag,
      reread: true,
    });
    return { removed, restored };
  } finally {
    ctx.run.log.endGroup();
  }
}
