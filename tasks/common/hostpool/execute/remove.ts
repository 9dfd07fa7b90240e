/**
 * Removing an old host: its VM first (deleted with its VM-managed NIC and disks, then any NIC or
 * disk that was not VM-managed; or deallocated and tagged `gip.rollout.retired`), then the session
 * host from the pool. In that order a run killed in between leaves a session host whose VM is gone
 * or retired, which the next run sees and finishes. Its Entra device record is deleted through
 * Microsoft Graph with `removeDeviceRecords`, else named for the summary.
 */
import type { VirtualMachine } from '@azure/arm-compute';
import { GraphClient } from '../../azure/graph';
import { parseResourceId } from '../../azure/resourceIds';
import { errorMessage } from '../../core/errors';
import { formatRetired, RETIRED_TAG } from '../tags';
import { separateParts, VmParts } from '../vmParts';
import { computerName, ExecContext, getVm, lro, Tags, updateVmTags, vmRef } from './context';

const NETWORK_API = '2024-05-01';

export type OldHostsAction = 'delete' | 'deallocate';

export interface RemoveHostOptions {
  ctx: ExecContext;
  /** The session host's own name. */
  sessionHost: string;
  /** Its VM id; undefined when the VM is already gone. */
  vmId?: string;
  /** The image version the host ran (for the retired tag). */
  imageVersionId?: string;
  oldHosts: OldHostsAction;
  /** Delete the host's Entra device records (Device.ReadWrite.All); else list them. */
  removeDeviceRecords: boolean;
  /** Graph, for device records; made on first use. */
  graph: () => GraphClient;
  /** The VM as this run knows it (tags as last written, parts as read): spares a read. */
  vm?: KnownVm;
}

/** What removing a VM needs to know of it. */
export interface KnownVm {
  tags: Tags;
  parts: VmParts;
}

export interface RemoveHostResult {
  /** What happened to the VM. */
  vm: 'deleted' | 'deallocated' | 'absent';
  /** Device records deleted (display names). */
  devicesDeleted: string[];
  /** Device records left for someone to remove (the computer name, when not asked to delete). */
  devicesLeft: string[];
}

/** Removes one old host: VM, then session host, then (optionally) its device record. */
export async function removeHost(o: RemoveHostOptions): Promise<RemoveHostResult> {
  const { ctx } = o;
  const vm = o.vm ?? (o.vmId ? knownVm(await getVm(ctx, o.vmId)) : undefined);
  let what: RemoveHostResult['vm'] = 'absent';
  if (vm && o.vmId) {
    if (o.oldHosts === 'deallocate') {
      await retire(ctx, o.vmId, vm, o.imageVersionId);
      what = 'deallocated';
    } else {
      await deleteVm(ctx, o.vmId, vm.parts);
      what = 'deleted';
    }
  }
  await ctx.avd.sessionHosts.delete(ctx.pool.resourceGroup, ctx.pool.name, o.sessionHost, {
    force: true,
    abortSignal: ctx.signal,
  });
  ctx.run.log.info(
    `${o.sessionHost}: removed from the pool${what === 'absent' ? '' : `, VM ${what}`}.`,
  );
  const name = computerName(o.sessionHost);
  if (!o.removeDeviceRecords) return { vm: what, devicesDeleted: [], devicesLeft: [name] };
  try {
    const graph = o.graph();
    const devices = await graph.devicesByDisplayName(name, ctx.signal);
    for (const d of devices) await graph.deleteDevice(d.id, ctx.signal);
    if (devices.length) ctx.run.log.info(`${name}: Entra device record deleted.`);
    return { vm: what, devicesDeleted: devices.map((d) => d.displayName), devicesLeft: [] };
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    // The host is replaced; only its record is left, for someone with the permission.
    ctx.run.warn(`${name}: its Entra device record was not deleted: ${errorMessage(err)}`);
    return { vm: what, devicesDeleted: [], devicesLeft: [name] };
  }
}

/** Deallocates the VM and tags it retired (tag first, so a kill leaves it findable). */
async function retire(
  ctx: ExecContext,
  vmId: string,
  vm: KnownVm,
  imageVersionId: string | undefined,
): Promise<void> {
  const { resourceGroup, name } = vmRef(vmId);
  await updateVmTags(ctx, vmId, vm.tags, {
    [RETIRED_TAG]:
      vm.tags[RETIRED_TAG] ?? formatRetired(new Date(ctx.clock.now()), imageVersionId ?? 'unknown'),
  });
  await ctx.compute.virtualMachines.deallocate(resourceGroup, name, lro(ctx));
}

/**
 * Deletes a VM; its NICs and disks go with it when VM-managed (`deleteOption: Delete`), and are
 * deleted here afterwards otherwise.
 */
export async function deleteVm(ctx: ExecContext, vmId: string, parts: VmParts): Promise<void> {
  const { resourceGroup, name } = vmRef(vmId);
  await ctx.compute.virtualMachines.delete(resourceGroup, name, lro(ctx));
  for (const nic of parts.nics) await ctx.arm.delete(nic, NETWORK_API, ctx.signal);
  for (const disk of parts.disks) {
    const p = parseResourceId(disk);
    if (p) await ctx.compute.disks.delete(p.resourceGroup, p.levels[0][1], lro(ctx));
  }
}

function knownVm(vm: VirtualMachine | undefined): KnownVm | undefined {
  return vm && { tags: vm.tags ?? {}, parts: separateParts(vm) };
}
