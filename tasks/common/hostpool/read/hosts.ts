/**
 * Reads the pool's session hosts with their user session counts (one list for the whole pool) and
 * their VMs, matched by the session host's `properties.resourceId` (a host's name is its computer
 * name, which need not be its VM's name), with the image each VM runs and its power state. Also
 * finds VMs an earlier run made for a rollout that never registered as session hosts.
 */
import type { VirtualMachine } from '@azure/arm-compute';
import { AzureContext } from '../../azure/clients';
import { getOrUndefined } from '../../azure/notFound';
import { parseGalleryId, parseResourceId } from '../../azure/resourceIds';
import { computeClient, desktopVirtualizationClient } from '../../azure/sdkClients';
import { sessionHostName } from '../model';
import { HostState, VmState } from '../state';
import { TARGET_TAG } from '../tags';

const VM_READS_AT_ONCE = 8;

/** Options of {@link readHosts}. */
export interface ReadHostsOptions {
  azure: AzureContext;
  subscriptionId: string;
  resourceGroup: string;
  poolName: string;
  /** Resource groups where a rollout's unregistered VMs may be (besides the hosts' own). */
  vmResourceGroups: string[];
  signal: AbortSignal;
}

/** Result of {@link readHosts}. */
export interface HostsRead {
  hosts: HostState[];
  /** VMs tagged gip.rollout.target that are no session host of the pool. */
  unregistered: VmState[];
  /** The raw VM of each host, by lower-cased VM id (for the reference template). */
  vms: Map<string, VirtualMachine>;
}

export async function readHosts(o: ReadHostsOptions): Promise<HostsRead> {
  const avd = desktopVirtualizationClient(o.azure, o.subscriptionId);
  const opts = { abortSignal: o.signal };
  const sessions = new Map<string, number>();
  for await (const s of avd.userSessions.listByHostPool(o.resourceGroup, o.poolName, opts)) {
    // The id names the host (`.../sessionHosts/{host}/userSessions/{n}`); the name may be `{n}`.
    const fromId = /\/sessionHosts\/([^/]+)\/userSessions\//i.exec(s.id ?? '')?.[1];
    const host = decodeURIComponent(fromId ?? (s.name ?? '').split('/')[1] ?? '').toLowerCase();
    sessions.set(host, (sessions.get(host) ?? 0) + 1);
  }
  const listed = [];
  for await (const h of avd.sessionHosts.list(o.resourceGroup, o.poolName, opts)) listed.push(h);

  const vms = new Map<string, VirtualMachine>();
  const hosts: HostState[] = [];
  // A few VM reads at a time: a 40-host pool is read in seconds, well under ARM's read limits.
  const read: (VirtualMachine | undefined)[] = [];
  for (let i = 0; i < listed.length; i += VM_READS_AT_ONCE)
    read.push(
      ...(await Promise.all(
        listed.slice(i, i + VM_READS_AT_ONCE).map((h) => readVm(o.azure, h.resourceId, o.signal)),
      )),
    );
  for (const [i, h] of listed.entries()) {
    const name = sessionHostName({ name: h.name ?? '' });
    const vm = read[i];
    if (vm?.id) vms.set(vm.id.toLowerCase(), vm);
    hosts.push({
      name,
      status: h.status,
      allowNewSession: h.allowNewSession ?? true,
      sessions: sessions.get(name.toLowerCase()) ?? 0,
      vm: vm ? vmState(vm) : undefined,
    });
  }

  const known = new Set([...vms.keys()]);
  const groups = new Set(
    [...o.vmResourceGroups, ...hosts.map((h) => h.vm?.resourceGroup ?? '')]
      .filter(Boolean)
      .map((g) => g.toLowerCase()),
  );
  const unregistered: VmState[] = [];
  const compute = computeClient(o.azure, o.subscriptionId);
  for (const group of groups) {
    const list = await getOrUndefined(async () => {
      const out: VirtualMachine[] = [];
      for await (const vm of compute.virtualMachines.list(group, opts)) out.push(vm);
      return out;
    });
    for (const vm of list ?? [])
      if (vm.id && vm.tags?.[TARGET_TAG] && !known.has(vm.id.toLowerCase()))
        unregistered.push(vmState(vm));
  }
  return { hosts, unregistered, vms };
}

/** A host's VM with its instance view (power state, Hyper-V generation); undefined when gone. */
async function readVm(
  azure: AzureContext,
  id: string | undefined,
  signal: AbortSignal,
): Promise<VirtualMachine | undefined> {
  const p = id ? parseResourceId(id) : undefined;
  if (!p) return undefined;
  const compute = computeClient(azure, p.subscriptionId);
  return getOrUndefined(() =>
    compute.virtualMachines.get(p.resourceGroup, p.levels[0][1], {
      expand: 'instanceView',
      abortSignal: signal,
    }),
  );
}

export function vmState(vm: VirtualMachine): VmState {
  const p = parseResourceId(vm.id ?? '')!;
  const power = vm.instanceView?.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code;
  return {
    id: vm.id!,
    subscriptionId: p.subscriptionId,
    resourceGroup: p.resourceGroup,
    name: vm.name ?? p.levels[0][1],
    location: vm.location,
    zones: vm.zones ?? [],
    timeCreated: vm.timeCreated ? new Date(vm.timeCreated) : undefined,
    imageId: vm.storageProfile?.imageReference?.id,
    imageVersionId: imageVersionOf(
      vm.storageProfile?.imageReference?.id,
      vm.storageProfile?.imageReference?.exactVersion,
    ),
    powerState: power,
    tags: vm.tags ?? {},
  };
}

/**
 * The gallery image version a VM runs: its image reference when it names a version, else the
 * definition with the `exactVersion` Azure resolved at creation.
 */
export function imageVersionOf(
  id: string | undefined,
  exactVersion: string | undefined,
): string | undefined {
  const g = id ? parseGalleryId(id) : undefined;
  if (!g?.definition) return undefined;
  if (g.version) return id!.replace(/\/+$/, '');
  return exactVersion ? `${id!.replace(/\/+$/, '')}/versions/${exactVersion}` : undefined;
}
