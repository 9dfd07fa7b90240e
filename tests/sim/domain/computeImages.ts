// Managed images (Microsoft.Compute/images, ComputeRP 2024-07-01 Images_*) and what an image source
// VM offers them (`sourceTraits`). Virtual machines themselves live in virtualMachines.ts.
import { ArmError } from '../arm/errors';
import type { ResourceTypeDef } from '../arm/framework';
import { buildResource } from '../arm/helpers';
import { sameId } from '../arm/paths';
import type { StoredResource } from '../arm/store';
import { randomUUID } from 'crypto';

export const IMAGE_TYPE = 'Microsoft.Compute/images';
export const VM_TYPE = 'Microsoft.Compute/virtualMachines';

const CRP = {
  header: 'Azure-AsyncOperation' as const,
  asyncSegment: 'operations',
  retryAfterSeconds: 10,
};

/** Hyper-V generation and OS type of a managed image or VM (as far as its document says). */
export function sourceTraits(r: StoredResource): { generation?: string; osType?: string } {
  if (sameId(r.type, IMAGE_TYPE)) {
    return {
      generation: r.properties?.hyperVGeneration ?? 'V1',
      osType: r.properties?.storageProfile?.osDisk?.osType,
    };
  }
  if (sameId(r.type, VM_TYPE)) {
    const p = r.properties ?? {};
    return {
      generation: p.instanceView?.hyperVGeneration ?? p.hyperVGeneration,
      osType: p.storageProfile?.osDisk?.osType,
    };
  }
  return {};
}

const imageDef: ResourceTypeDef = {
  type: IMAGE_TYPE,
  apiVersions: ['2024-07-01', '2024-03-01', '2023-09-01'],
  lro: {
    put: { ...CRP, durationMs: 60_000 },
    patch: { ...CRP, durationMs: 10_000 },
    delete: { ...CRP, header: 'both', status: 202, durationMs: 20_000 },
  },
  build(req, existing) {
    const doc = buildResource(req, imageDef, existing);
    const p = doc.properties;
    const vmId = p.sourceVirtualMachine?.id;
    if (vmId !== undefined) {
      const vm = req.sim.store.get(vmId);
      if (!vm || !sameId(vm.type, VM_TYPE)) {
        throw new ArmError(
          404,
          'NotFound',
          `The Resource '${VM_TYPE}/${String(vmId).split('/').pop()}' under resource group ` +
            `'${String(vmId).split('/')[4] ?? ''}' was not found.`,
          { target: 'sourceVirtualMachine' },
        );
      }
      req.sim.rbac.requireLinked(
        req.caller,
        { action: `${IMAGE_TYPE}/write`, scope: doc.id },
        { action: `${VM_TYPE}/read`, scope: vm.id },
      );
      const os = vm.properties?.storageProfile?.osDisk ?? {};
      p.storageProfile = {
        osDisk: {
          osType: os.osType ?? 'Windows',
          osState: 'Generalized',
          caching: 'ReadWrite',
          managedDisk: {
            id:
              os.managedDisk?.id ??
              `${vm.id.split('/providers/')[0]}/providers/Microsoft.Compute/disks/` +
                `${vm.name}_OsDisk_1_${randomUUID().replace(/-/g, '')}`,
          },
          storageAccountType: os.managedDisk?.storageAccountType ?? 'Standard_LRS',
        },
        dataDisks: [],
        zoneResilient: false,
        ...(p.storageProfile ?? {}),
      };
      p.hyperVGeneration ??= sourceTraits(vm).generation ?? 'V1';
    } else if (p.storageProfile?.osDisk === undefined) {
      throw new ArmError(
        400,
        'InvalidParameter',
        "Required parameter 'storageProfile.osDisk' is missing (null).",
        { target: 'storageProfile.osDisk' },
      );
    } else {
      p.storageProfile.osDisk.osState ??= 'Generalized';
      p.storageProfile.dataDisks ??= [];
      p.hyperVGeneration ??= 'V1';
    }
    return doc;
  },
  seed(r) {
    r.properties = { hyperVGeneration: 'V1', ...(r.properties ?? {}) };
    r.properties.provisioningState = r.properties.provisioningState ?? 'Succeeded';
    return r;
  },
};

export function computeImageTypes(): ResourceTypeDef[] {
  return [imageDef];
}
