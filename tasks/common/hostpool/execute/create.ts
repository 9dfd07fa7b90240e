/**
 * Creating a batch's new session host VMs: the pool's `gip.hostIndex` first (so a name is never
 * used twice, even by a run that dies next), then each VM (PUT, long-running) and its extensions in
 * order (the join, then the AVD agent's DSC, which registers the host with the token). The VMs of a
 * batch are created side by side. A VM that already exists for the target (an earlier run made it)
 * is not created again; only its missing extensions are added: a resumed run never makes an extra
 * VM. Cancelling stops waiting at once: what Azure accepted goes on there and the next run counts
 * it.
 */
import type { VirtualMachine, VirtualMachineExtension } from '@azure/arm-compute';
import { formatDuration } from '../../core/duration';
import { poll } from '../../core/poll';
import { HOST_INDEX_TAG, parseHostIndex, RUN_TAG, TARGET_TAG } from '../tags';
import { COMPUTE_API, extensionRestBody, vmRestBody } from '../../azure/computeBodies';
import { ExecContext, getVm, readPoolTags, updatePoolTags, vmRef } from './context';

/** How long a VM an earlier run started may still take to be made. */
const SETTLE_TIMEOUT_MS = 30 * 60_000;

/** One new host's VM as the plan and vmSpec give it. */
export interface NewHostBodies {
  /** The VM's id (resource group and name of the new VM). */
  vmId: string;
  /** Its name's index: `gip.hostIndex` is raised to it before the VM is made. */
  index: number;
  /** The VM body (vmSpec); the target and run tags are added here. */
  vm: VirtualMachine;
  /**
   * What the plan knows: true = an earlier run made the VM (only missing extensions are added);
   * false = it does not exist (created without a read first); undefined = read to find out.
   */
  existing?: boolean;
  /** Extensions in the order they are applied (join first, AVD agent DSC last). */
  extensions: { name: string; body: VirtualMachineExtension }[];
}

export interface CreateHostsOptions {
  ctx: ExecContext;
  hosts: NewHostBodies[];
  /** The target image version id (tag `gip.rollout.target`). */
  target: string;
  /** This run's URL (tag `gip.rollout.run`). */
  runUrl: string;
  /** The pool's `gip.hostIndex` as this run wrote it (no read or write when not exceeded). */
  hostIndex?: number;
}

export interface CreateHostsResult {
  /** VM ids created by this call. */
  created: string[];
  /** VM ids an earlier run made for the target, found and completed (missing extensions added). */
  resumed: string[];
}

/** Raises the pool's `gip.hostIndex` to `index` when it is lower (no write otherwise). */
export async function raiseHostIndex(ctx: ExecContext, index: number): Promise<void> {
  const tags = await readPoolTags(ctx);
  if (parseHostIndex(tags[HOST_INDEX_TAG]) >= index) return;
  await updatePoolTags(ctx, { [HOST_INDEX_TAG]: String(index) });
}

/** Creates the batch's VMs (or completes those an earlier run made). */
export async function createHosts(o: CreateHostsOptions): Promise<CreateHostsResult> {
  const { ctx } = o;
  if (o.hosts.length === 0) return { created: [], resumed: [] };
  const highest = Math.max(...o.hosts.map((h) => h.index));
  if (o.hostIndex === undefined || highest > o.hostIndex) await raiseHostIndex(ctx, highest);
  const result: CreateHostsResult = { created: [], resumed: [] };
  await Promise.all(
    o.hosts.map(async (host) => {
      const made = await createHost(o, host);
      (made ? result.created : result.resumed).push(host.vmId);
    }),
  );
  return result;
}

/**
 * Waits while a VM an earlier run started is still being made (Azure refuses an extension on a VM
 * with an operation in progress); one that failed to be made fails its batch.
 */
async function settled(ctx: ExecContext, vmId: string, vm: VirtualMachine): Promise<void> {
  const state = (v: VirtualMachine | undefined) => v?.provisioningState ?? 'Succeeded';
  const r = await poll({
    read: () => (state(vm) === 'Succeeded' ? Promise.resolve(vm) : getVm(ctx, vmId)),
    done: (v) => /^(Succeeded|Failed|Canceled)$/i.test(state(v)),
    intervalMs: ctx.pollIntervalMs,
    timeoutMs: SETTLE_TIMEOUT_MS,
    signal: ctx.signal,
    clock: ctx.clock,
  });
  if (!r.value || state(r.value) !== 'Succeeded')
    throw new Error(
      `${vmRef(vmId).name}: the VM an earlier run started is ${
        r.value ? `${state(r.value)}` : 'gone'
      }${r.done ? '' : ` after ${formatDuration(SETTLE_TIMEOUT_MS)}`}.`,
    );
}

/** True when this call created the VM, false when it existed for the target already. */
async function createHost(o: CreateHostsOptions, host: NewHostBodies): Promise<boolean> {
  const { ctx } = o;
  const { resourceGroup, name } = vmRef(host.vmId);
  const existing = host.existing === false ? undefined : await getVm(ctx, host.vmId);
  if (existing && existing.tags?.[TARGET_TAG]?.toLowerCase() !== o.target.toLowerCase())
    throw new Error(
      `A VM named ${name} already exists in ${resourceGroup} and was not made for ` +
        `${o.target} (its ${TARGET_TAG} tag: ${existing.tags?.[TARGET_TAG] ?? 'none'}); ` +
        `the task never reuses or overwrites it. Raise the pool's ${HOST_INDEX_TAG} tag above ` +
        `its index, or remove that VM.`,
    );
  if (existing) {
    ctx.run.log.info(`${name}: made by an earlier run for this image; completing it.`);
    await settled(ctx, host.vmId, existing);
  } else {
    ctx.run.log.info(`${name}: creating the VM.`);
    await ctx.arm.apply(
      'PUT',
      host.vmId,
      COMPUTE_API,
      vmRestBody({
        ...host.vm,
        tags: { ...host.vm.tags, [TARGET_TAG]: o.target, [RUN_TAG]: o.runUrl },
      }),
      ctx.signal,
    );
  }
  const have = existing
    ? new Set(
        (
          await ctx.compute.virtualMachineExtensions.list(resourceGroup, name, {
            abortSignal: ctx.signal,
          })
        ).value?.map((e) => e.name?.toLowerCase()),
      )
    : new Set<string | undefined>();
  for (const ext of host.extensions) {
    if (have.has(ext.name.toLowerCase())) continue;
    ctx.run.log.info(`${name}: adding extension ${ext.name}.`);
    await ctx.arm.apply(
      'PUT',
      `${host.vmId}/extensions/${ext.name}`,
      COMPUTE_API,
      extensionRestBody(ext.body),
      ctx.signal,
    );
  }
  return !existing;
}
