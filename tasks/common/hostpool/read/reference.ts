/**
 * The reference host: the pool's newest session host VM (by its `timeCreated`), read with its
 * instance view, its extensions and, when its NIC or OS disk is not described in the VM body, that
 * NIC and disk.
 */
import type { VirtualMachine } from '@azure/arm-compute';
import { ArmClient } from '../../azure/armClient';
import { AzureContext } from '../../azure/clients';
import { getOrUndefined } from '../../azure/notFound';
import { parseResourceId } from '../../azure/resourceIds';
import { computeClient } from '../../azure/sdkClients';
import { templateFromVm, VmExtras } from '../referenceTemplate';
import { HostState, HostTemplate } from '../state';
import { withInstanceView } from './hosts';

export const NETWORK_API = '2024-05-01';

/** The pool's newest host with a VM (by VM creation time, then name); undefined when none. */
export function newestHost(hosts: readonly HostState[]): HostState | undefined {
  return hosts
    .filter((h) => h.vm)
    .sort(
      (a, b) =>
        (b.vm!.timeCreated?.getTime() ?? 0) - (a.vm!.timeCreated?.getTime() ?? 0) ||
        b.vm!.name.localeCompare(a.vm!.name),
    )[0];
}

/** Options of {@link readReferenceTemplate}. */
export interface ReadReferenceOptions {
  azure: AzureContext;
  vm: VirtualMachine;
  /** Zones the pool's hosts use. */
  poolZones: string[];
  signal: AbortSignal;
}

export async function readReferenceTemplate(o: ReadReferenceOptions): Promise<HostTemplate> {
  // Its Hyper-V generation is in the instance view, which a VM list does not give.
  const vm = o.vm.instanceView?.hyperVGeneration
    ? o.vm
    : await withInstanceView(o.azure, o.vm, o.signal);
  const p = parseResourceId(vm.id ?? '')!;
  const compute = computeClient(o.azure, p.subscriptionId);
  const listed = await compute.virtualMachineExtensions.list(p.resourceGroup, vm.name!, {
    abortSignal: o.signal,
  });
  const extras: VmExtras = {};
  const nicRef =
    vm.networkProfile?.networkInterfaces?.find((n) => n.primary) ??
    vm.networkProfile?.networkInterfaces?.[0];
  if (!vm.networkProfile?.networkInterfaceConfigurations?.length && nicRef?.id) {
    const nic = await new ArmClient(o.azure).get<{
      properties?: {
        enableAcceleratedNetworking?: boolean;
        ipConfigurations?: { properties?: { subnet?: { id?: string } } }[];
      };
    }>(nicRef.id, NETWORK_API, o.signal);
    extras.subnetId = nic.properties?.ipConfigurations?.[0]?.properties?.subnet?.id;
    extras.acceleratedNetworking = nic.properties?.enableAcceleratedNetworking;
  }
  const osDisk = vm.storageProfile?.osDisk;
  const diskId = osDisk?.managedDisk?.id;
  if (diskId && (!osDisk?.managedDisk?.storageAccountType || !osDisk.diskSizeGB)) {
    const d = parseResourceId(diskId);
    const disk = d
      ? await getOrUndefined(() =>
          computeClient(o.azure, d.subscriptionId).disks.get(d.resourceGroup, d.levels[0][1], {
            abortSignal: o.signal,
          }),
        )
      : undefined;
    extras.osDiskType = disk?.sku?.name;
    extras.osDiskSizeGB = disk?.diskSizeGB;
  }
  return templateFromVm({
    vm: vm,
    extensions: listed.value ?? [],
    extras,
    poolZones: o.poolZones,
  });
}
