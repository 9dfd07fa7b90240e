/**
 * The NICs and managed disks a VM does not delete with itself (`deleteOption` other than Delete:
 * a VM made by a portal or template before VM-managed parts): removing such a host deletes them
 * after its VM. Read once with the VM; a rollout does not change them.
 */
import type { VirtualMachine } from '@azure/arm-compute';

export interface VmParts {
  nics: string[];
  disks: string[];
}

export function separateParts(vm: VirtualMachine): VmParts {
  return {
    nics: (vm.networkProfile?.networkInterfaces ?? [])
      .filter((n) => n.id && n.deleteOption !== 'Delete')
      .map((n) => n.id as string),
    disks: [vm.storageProfile?.osDisk, ...(vm.storageProfile?.dataDisks ?? [])]
      .filter((d) => d?.managedDisk?.id && d.deleteOption !== 'Delete')
      .map((d) => d?.managedDisk?.id as string),
  };
}
