// Microsoft.ManagedIdentity/userAssignedIdentities: created synchronously with a generated
// principalId and clientId (kept across updates). The MSI endpoint serves tokens for them; RBAC
// treats the principalId like any principal.
import { randomUUID } from 'crypto';
import type { ResourceTypeDef, SimModule, SimServices } from '../arm/framework';
import { buildResource } from '../arm/helpers';
import type { StoredResource } from '../arm/store';
import { USER_ASSIGNED_IDENTITY_TYPE } from '../entra/directory';

function withIdentityIds(
  r: StoredResource,
  sim: SimServices,
  existing?: StoredResource,
): StoredResource {
  const p = r.properties ?? {};
  r.properties = {
    ...(p.isolationScope !== undefined ? { isolationScope: p.isolationScope } : {}),
    tenantId: existing?.properties?.tenantId ?? p.tenantId ?? sim.info.tenantId,
    principalId: existing?.properties?.principalId ?? p.principalId ?? randomUUID(),
    clientId: existing?.properties?.clientId ?? p.clientId ?? randomUUID(),
  };
  return r;
}

const userAssignedIdentities: ResourceTypeDef = {
  type: USER_ASSIGNED_IDENTITY_TYPE,
  apiVersions: ['2024-11-30', '2023-01-31', '2018-11-30'],
  requiredOnPut: ['location'],
  provisioningState: false,
  build: (req, existing) =>
    withIdentityIds(buildResource(req, userAssignedIdentities, existing), req.sim, existing),
  seed: (r, sim) => withIdentityIds(r, sim),
};

export const identitiesModule: SimModule = {
  name: 'managed identities',
  register(r) {
    r.type(userAssignedIdentities);
  },
};
