/**
 * Reads the pool's session hosts with their user session counts (one list for the whole pool) and
 * their VMs (one list per resource group), matched by the session host's `properties.resourceId`
 * (a host's name is its computer name, which need not be its VM's name), with the image each VM
 * runs and its power state. Also finds VMs an earlier run made for a rollout that never registered
 * as session hosts.
 */
import type { VirtualMachine } from '@azure/arm-compute';
import { AzureContext } from '../../azure/clients';
import { getOrUndefined } from '../../azure/notFound';
import { parseGalleryId, parseResourceId } from '../../azure/resourceIds';
import { computeClient, desktopVirtualizationClient } from '../../azure/sdkClients';
import { sessionHostName } from '../model';
import { HostState, VmState } from '../state';
import { TARGET_TAG } from '../tags';
import { separateParts } from '../vmParts';

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

  // One VM list per resource group gives every host's VM and a rollout's unregistered ones.
  const groups = new Map<string, { subscriptionId: string; resourceGroup: string }>();
  const addGroup = (subscriptionId: string, resourceGroup: string) =>
    groups.set(`${subscriptionId}/${resourceGroup}`.toLowerCase(), {
      subscriptionId,
      resourceGroup,
    });
  for (const g of o.vmResourceGroups) addGroup(o.subscriptionId, g);
  for (const h of listed) {
    const p = h.resourceId ? parseResourceId(h.resourceId) : undefined;
    if (p) addGroup(p.subscriptionId, p.resourceGroup);
  }
  const inGroups = new Map<string, VirtualMachine>();
  for (const g of groups.values())
    for (const vm of (await listVms(o.azure, g, o.signal)) ?? [])
      if (vm.id) inGroups.set(vm.id.toLowerCase(), vm);

  const vms = new Map<string, VirtualMachine>();
  const hosts: HostState[] = [];
  const hostVms = listed.map((h) => inGroups.get(h.resourceId?.toLowerCase() ?? ''));
  // The power state comes from an instance view, read only for hosts that are not Available: an
  // Available host's agent heartbeats, so its VM runs. A few reads at a time.
  const unsure = listed.flatMap((h, i) => (hostVms[i] && h.status !== 'Available' ? [i] : []));
  for (let k = 0; k < unsure.length; k += VM_READS_AT_ONCE)
    await Promise.all(
      unsure.slice(k, k + VM_READS_AT_ONCE).map(async (i) => {
        hostVms[i] = await withInstanceView(o.azure, hostVms[i]!, o.signal);
      }),
    );
  for (const [i, h] of listed.entries()) {
    const name = sessionHostName({ name: h.name ?? '' });
    const vm = hostVms[i];
    if (vm?.id) vms.set(vm.id.toLowerCase(), vm);
    hosts.push({
      name,
      status: h.status,
      allowNewSession: h.allowNewSession ?? true,
      sessions: sessions.get(name.toLowerCase()) ?? 0,
      vm: vm ? vmState(vm, h.status === 'Available' ? 'PowerState/running' : undefined) : undefined,
    });
  }

  const unregistered: VmState[] = [];
  for (const [id, vm] of inGroups)
    if (vm.tags?.[TARGET_TAG] && !vms.has(id)) unregistered.push(vmState(vm));
  return { hosts, unregistered, vms };
}

/** The VMs of a resource group; undefined when the group does not exist. */
function listVms(
  azure: AzureContext,
  g: { subscriptionId: string; resourceGroup: string },
  signal: AbortSignal,
): Promise<VirtualMachine[] | undefined> {
  return getOrUndefined(async () => {
    const out: VirtualMachine[] = [];
    const compute = computeClient(azure, g.subscriptionId);
    for await (const vm of compute.virtualMachines.list(g.resourceGroup, { abortSignal: signal }))
      out.push(vm);
    return out;
  });
}

/** The VM with its instance view (power state, Hyper-V generation); as it was when gone since. */
export async function withInstanceView(
  azure: AzureContext,
  vm: VirtualMachine,
  signal: AbortSignal,
): Promise<VirtualMachine> {
  const p = parseResourceId(vm.id ?? '');
  if (!p) return vm;
  const view = await getOrUndefined(() =>
    computeClient(azure, p.subscriptionId).virtualMachines.instanceView(
      p.resourceGroup,
      p.levels[0][1],
      { abortSignal: signal },
    ),
  );
  return view ? { ...vm, instanceView: view } : vm;
}

/** `knownPower`: the power state when known otherwise (an Available host's VM runs). */
export function vmState(vm: VirtualMachine, knownPower?: string): VmState {
  const p = parseResourceId(vm.id ?? '')!;
  const power =
    vm.instanceView?.statuses?.find((s) => s.code?.startsWith('PowerState/'))?.code ?? knownPower;
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
    parts: separateParts(vm),
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
