// Microsoft.Resources/resourceGroups: PUT/GET/PATCH/HEAD, list, and DELETE as a long-running
// operation (202 + Location) that removes everything in the group.
import { ArmError } from '../arm/errors';
import type { ResourceTypeDef, SimModule } from '../arm/framework';
import { normaliseLocation } from '../arm/helpers';
import { RESOURCE_GROUP_TYPE } from '../arm/paths';

const resourceGroups: ResourceTypeDef = {
  type: RESOURCE_GROUP_TYPE,
  apiVersions: ['2024-11-01', '2024-07-01', '2024-03-01', '2023-07-01', '2022-09-01', '2021-04-01'],
  requiresLocation: true,
  lro: { delete: { header: 'Location', status: 202, retryAfterSeconds: 15, durationMs: 30_000 } },
  beforePut(req, existing) {
    if (!existing) return;
    if (existing.properties?.provisioningState === 'Deleting') {
      throw new ArmError(
        409,
        'ResourceGroupBeingDeleted',
        `The resource group '${existing.name}' is in deprovisioning state and cannot ` +
          `perform this operation.`,
      );
    }
    const location = normaliseLocation(String(req.body.location));
    if (location !== existing.location) {
      throw new ArmError(
        409,
        'InvalidResourceGroupLocation',
        `Invalid resource group location '${req.body.location}'. The Resource group ` +
          `already exists in location '${existing.location}'.`,
      );
    }
  },
  build(req, existing) {
    const b = req.body;
    const doc: any = {
      id: existing?.id ?? req.level!.id,
      name: existing?.name ?? req.level!.name!,
      type: RESOURCE_GROUP_TYPE,
      location: normaliseLocation(String(b.location)),
    };
    if (b.managedBy !== undefined) doc.managedBy = b.managedBy;
    if (b.tags !== undefined) doc.tags = b.tags;
    else if (existing?.tags) doc.tags = existing.tags;
    doc.properties = {};
    return doc;
  },
  view(r) {
    const out: any = { id: r.id, name: r.name, type: r.type, location: r.location };
    if (r.managedBy !== undefined) out.managedBy = r.managedBy;
    if (r.tags !== undefined) out.tags = r.tags;
    out.properties = { provisioningState: r.properties?.provisioningState ?? 'Succeeded' };
    return out;
  },
  list(req, parentId) {
    const filter = req.query.get('$filter');
    if (filter)
      throw new ArmError(
        400,
        'InvalidFilterInQueryString',
        `The $filter '${filter}' is not supported by the simulator for resource groups.`,
      );
    return req.sim.store.list({ type: RESOURCE_GROUP_TYPE, under: parentId });
  },
};

export const resourceGroupsModule: SimModule = {
  name: 'resource groups',
  register(r) {
    r.type(resourceGroups);
  },
};
