// Virtual machine scale sets (ComputeRP 2024-07-01), as consumers of gallery images: scenario-made
// and read-only, like the VMs of computeImages.ts. GET, list by resource group and by subscription
// come from the framework; the stored document is shown as given, so
// `properties.virtualMachineProfile.storageProfile.imageReference.id` is what an image-usage scan
// reads.
import { randomUUID } from 'crypto';
import { ArmError } from '../arm/errors';
import type { ResourceTypeDef } from '../arm/framework';

export const SCALE_SET_TYPE = 'Microsoft.Compute/virtualMachineScaleSets';

const scaleSetDef: ResourceTypeDef = {
  type: SCALE_SET_TYPE,
  apiVersions: ['2024-07-01', '2024-03-01'],
  patch: false,
  beforePut() {
    throw new ArmError(
      400,
      'InvalidResourceType',
      'The simulator does not implement creating or updating virtual machine scale sets; ' +
        "create them in the scenario's resources.",
    );
  },
  beforeDelete() {
    throw new ArmError(
      400,
      'InvalidResourceType',
      'The simulator does not implement deleting virtual machine scale sets; they live as ' +
        "long as the scenario's resources.",
    );
  },
  seed(r) {
    r.properties = r.properties ?? {};
    r.properties.uniqueId ??= randomUUID();
    r.properties.orchestrationMode ??= 'Uniform';
    r.properties.timeCreated ??= new Date().toISOString();
    return r;
  },
};

export function scaleSetTypes(): ResourceTypeDef[] {
  return [scaleSetDef];
}
