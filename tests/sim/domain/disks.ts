// Managed disks (DiskRP 2024-03-02): made by a PUT or, as a VM's OS disk, by the VM
// (virtualMachines.ts). A disk attached to a VM (`managedBy`) can't be deleted. PUT, PATCH and
// DELETE are long-running as DiskRP answers them (202 with Azure-AsyncOperation and Location).
import { randomUUID } from 'crypto';
import { ArmError } from '../arm/errors';
import type { ResourceTypeDef } from '../arm/framework';
import type { StoredResource } from '../arm/store';

export const DISK_TYPE = 'Microsoft.Compute/disks';

const STYLE = {
  header: 'both' as const,
  status: 202 as const,
  asyncSegment: 'DiskOperations',
  retryAfterSeconds: 5,
};

/** Fields DiskRP fills in (a PUT, a scenario disk or a VM's OS disk). */
export function completeDisk(d: StoredResource): StoredResource {
  const p = (d.properties ??= {});
  d.sku ??= { name: 'Standard_LRS', tier: 'Standard' };
  p.creationData ??= { createOption: 'Empty' };
  p.diskSizeGB ??= 127;
  p.diskSizeBytes ??= Number(p.diskSizeGB) * 1024 ** 3;
  p.uniqueId ??= randomUUID();
  p.timeCreated ??= new Date().toISOString();
  p.diskState ??= d.managedBy ? 'Attached' : 'Unattached';
  p.encryption ??= { type: 'EncryptionAtRestWithPlatformKey' };
  p.networkAccessPolicy ??= 'AllowAll';
  p.publicNetworkAccess ??= 'Enabled';
  return d;
}

/** A disk no VM uses any more (the VM was deleted with `deleteOption: Detach`). */
export function detachDisk(d: StoredResource): void {
  delete d.managedBy;
  d.properties.diskState = 'Unattached';
}

const diskDef: ResourceTypeDef = {
  type: DISK_TYPE,
  apiVersions: ['2024-03-02', '2023-10-02'],
  lro: {
    put: { ...STYLE, durationMs: 5_000 },
    patch: { ...STYLE, durationMs: 5_000 },
    delete: { ...STYLE, durationMs: 5_000 },
  },
  onStored(d) {
    completeDisk(d);
  },
  beforeDelete(req, d) {
    if (d.managedBy && req.sim.store.has(d.managedBy)) {
      throw new ArmError(
        409,
        'OperationNotAllowed',
        `Disk ${d.name} is attached to VM ${d.managedBy}.`,
      );
    }
  },
};

export function diskTypes(): ResourceTypeDef[] {
  return [diskDef];
}
