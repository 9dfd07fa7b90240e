// Microsoft.Authorization: role definitions (built-in by real name and GUID, custom ones as
// resources), role assignments (PUT/GET/DELETE/list with $filter atScope() / principalId eq /
// assignedTo), and the caller's permissions at a resource group or resource scope.
import { randomUUID } from 'crypto';
import { validateRequestBody } from '../arm/bodyValidation';
import { ArmError, armErrors } from '../arm/errors';
import type { ArmRequest, ResourceTypeDef, SimModule } from '../arm/framework';
import { clone, paged, removeResource } from '../arm/helpers';
import { isAncestorOrSelf, normalisePath } from '../arm/paths';
import {
  ROLE_ASSIGNMENT_TYPE,
  ROLE_DEFINITION_TYPE,
  roleGuidOf,
  RoleDefinitionView,
  scopeOfAssignmentId,
} from '../arm/rbac';
import type { StoredResource } from '../arm/store';
import { subscriptionOf } from '../arm/subscriptions';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function scopeFrom(raw: string | undefined): string {
  return raw ? normalisePath(decodeURIComponent(raw)) : '/';
}

/**
 * Where a role definition id lives when read at a scope: the scope's subscription for scopes inside
 * one.
 */
function definitionPrefix(scope: string): string {
  const sub = subscriptionOf(scope);
  return sub ? `/subscriptions/${sub}` : '';
}

function roleDefinitionView(d: RoleDefinitionView, scope: string): unknown {
  if (d.resource) {
    const r = clone(d.resource);
    r.properties = { type: 'CustomRole', ...r.properties };
    return r;
  }
  return {
    id: `${definitionPrefix(scope)}/providers/Microsoft.Authorization/roleDefinitions/${d.guid}`,
    name: d.guid,
    type: ROLE_DEFINITION_TYPE,
    properties: {
      roleName: d.roleName,
      type: d.type,
      description: d.description,
      assignableScopes: d.assignableScopes,
      permissions: d.permissions,
      createdOn: '2015-02-02T21:55:09.8806423Z',
      updatedOn: '2024-01-01T00:00:00.0000000Z',
      createdBy: null,
      updatedBy: null,
    },
  };
}

function roleDefinitionNotFound(guid: string): ArmError {
  return new ArmError(
    404,
    'RoleDefinitionDoesNotExist',
    `The specified role definition with ID '${guid}' does not exist.`,
  );
}

function requireScopeExists(req: ArmRequest, scope: string): void {
  const m = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)/i.exec(scope);
  if (m && !req.sim.store.has(m[0]))
    throw armErrors.resourceGroupNotFound(decodeURIComponent(m[1]));
}

const roleDefinitions: ResourceTypeDef = {
  type: ROLE_DEFINITION_TYPE,
  apiVersions: ['2022-04-01', '2022-05-01-preview'],
  requiresLocation: false,
  provisioningState: false,
};

const roleAssignments: ResourceTypeDef = {
  type: ROLE_ASSIGNMENT_TYPE,
  apiVersions: ['2022-04-01', '2020-10-01-preview'],
  requiresLocation: false,
  provisioningState: false,
  patch: false,
  requiredOnPut: ['properties.roleDefinitionId', 'properties.principalId'],
  beforePut(req, existing) {
    const name = req.level!.name!;
    if (!GUID.test(name))
      throw new ArmError(
        400,
        'InvalidRoleAssignmentId',
        `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
      );
    const p = req.body.properties;
    const guid = roleGuidOf(String(p.roleDefinitionId));
    if (!req.sim.rbac.roleDefinition(guid))
      throw new ArmError(
        400,
        'RoleDefinitionDoesNotExist',
        `The specified role definition with ID '${guid}' does not exist.`,
      );
    if (!p.principalType && !req.sim.directory.principalExists(String(p.principalId))) {
      throw new ArmError(
        400,
        'PrincipalNotFound',
        `Principal ${String(p.principalId).replace(/-/g, '')} does not exist in the ` +
          `directory ${req.sim.info.tenantId}. Check that you have the correct principal ID. ` +
          `If you are creating this principal and then immediately assigning a role, this ` +
          `error might be related to a replication delay. In this case, set the role ` +
          `assignment principalType property to a value, such as ServicePrincipal, User, or ` +
          `Group.  See https://aka.ms/docs-principaltype`,
      );
    }
    const scope = scopeOfAssignmentId(req.level!.id);
    if (existing) {
      const e = existing.properties ?? {};
      if (
        String(e.principalId).toLowerCase() !== String(p.principalId).toLowerCase() ||
        roleGuidOf(String(e.roleDefinitionId)) !== guid
      ) {
        throw new ArmError(
          409,
          'RoleAssignmentUpdateNotPermitted',
          'Tenant ID, application ID, principal ID, and scope are not allowed to be updated.',
        );
      }
      return;
    }
    const duplicate = req.sim.store
      .list({ type: ROLE_ASSIGNMENT_TYPE })
      .find(
        (a) =>
          String(a.properties?.principalId).toLowerCase() === String(p.principalId).toLowerCase() &&
          roleGuidOf(String(a.properties?.roleDefinitionId)) === guid &&
          normalisePath(String(a.properties?.scope ?? scopeOfAssignmentId(a.id))).toLowerCase() ===
            scope.toLowerCase(),
      );
    if (duplicate) {
      throw new ArmError(409, 'RoleAssignmentExists', 'The role assignment already exists.', {
        details: [
          {
            code: 'RoleAssignmentExists',
            message: `The ID of the existing role assignment is ${duplicate.name}.`,
          },
        ],
      });
    }
  },
  build(req, existing) {
    const p = req.body.properties;
    const now = new Date().toISOString();
    const principalType =
      p.principalType ??
      (req.sim.directory.managedIdentity({ objectId: String(p.principalId) }) ||
      req.sim.directory.principalExists(String(p.principalId))
        ? 'ServicePrincipal'
        : 'User');
    const properties: any = {
      roleDefinitionId: String(p.roleDefinitionId),
      principalId: String(p.principalId),
      principalType,
      scope: scopeOfAssignmentId(req.level!.id),
      condition: p.condition ?? null,
      conditionVersion: p.conditionVersion ?? null,
      createdOn: existing?.properties?.createdOn ?? now,
      updatedOn: now,
      createdBy: existing?.properties?.createdBy ?? req.caller.objectId,
      updatedBy: req.caller.objectId,
      delegatedManagedIdentityResourceId: p.delegatedManagedIdentityResourceId ?? null,
      description: p.description ?? null,
    };
    // A new assignment takes effect after the scenario's propagation delay; a PUT of the same
    // content changes nothing.
    if (!existing) req.sim.rbac.propagate(req.level!.id);
    return {
      id: existing?.id ?? req.level!.id,
      name: existing?.name ?? req.level!.name!,
      type: ROLE_ASSIGNMENT_TYPE,
      properties,
    };
  },
  onDeleted(r, sim) {
    sim.rbac.forget(r.id);
  },
  seed(r) {
    r.properties = {
      principalType: 'ServicePrincipal',
      scope: scopeOfAssignmentId(r.id),
      ...(r.properties ?? {}),
    };
    return r;
  },
  list(req, parentId) {
    const scope = parentId === '/' ? '/' : normalisePath(parentId);
    const filter = req.query.get('$filter');
    let atScope = false;
    let principal: string | undefined;
    for (const clause of (filter ?? '')
      .split(/\s+and\s+/i)
      .map((c) => c.trim())
      .filter(Boolean)) {
      let m: RegExpExecArray | null;
      if (/^atScope\(\)$/i.test(clause)) atScope = true;
      else if (
        (m = /^principalId\s+eq\s+'([^']+)'$/i.exec(clause)) ||
        (m = /^assignedTo\('([^']+)'\)$/i.exec(clause))
      )
        principal = m[1].toLowerCase();
      else
        throw new ArmError(
          400,
          'UnsupportedQuery',
          `The filter '${filter}' is not supported. Supported filters: atScope(), ` +
            `principalId eq '{id}', assignedTo('{id}').`,
        );
    }
    return req.sim.store.list({ type: ROLE_ASSIGNMENT_TYPE }).filter((a) => {
      const aScope = String(a.properties?.scope ?? scopeOfAssignmentId(a.id));
      const aboveOrAt = isAncestorOrSelf(aScope, scope);
      if (atScope ? !aboveOrAt : !(aboveOrAt || isAncestorOrSelf(scope, aScope))) return false;
      return (
        principal === undefined || String(a.properties?.principalId).toLowerCase() === principal
      );
    });
  },
};

export const authorizationModule: SimModule = {
  name: 'authorization',
  register(r) {
    r.type(roleDefinitions);
    r.type(roleAssignments);

    // Role definitions at any scope; built-in roles are not stored, so these are routes rather than
    // generic handlers.
    const defPattern =
      /^(.*?)\/providers\/Microsoft\.Authorization\/roleDefinitions(?:\/([^/]+))?$/i;
    r.route({
      method: 'GET',
      pattern: defPattern,
      authorize: (_req, m) => ({
        action: 'Microsoft.Authorization/roleDefinitions/read',
        scope: scopeFrom(m[1]),
      }),
      handle: (req, m) => {
        const scope = scopeFrom(m[1]);
        requireScopeExists(req, scope);
        if (m[2]) {
          const d = req.sim.rbac.roleDefinition(decodeURIComponent(m[2]));
          if (!d) throw roleDefinitionNotFound(decodeURIComponent(m[2]));
          return { status: 200, body: roleDefinitionView(d, scope) };
        }
        const filter = req.query.get('$filter');
        let roleName: string | undefined;
        let type: string | undefined;
        for (const clause of (filter ?? '')
          .split(/\s+and\s+/i)
          .map((c) => c.trim())
          .filter(Boolean)) {
          let f: RegExpExecArray | null;
          if ((f = /^roleName\s+eq\s+'([^']*)'$/i.exec(clause))) roleName = f[1];
          else if ((f = /^type\s+eq\s+'([^']*)'$/i.exec(clause))) type = f[1];
          else
            throw new ArmError(
              400,
              'UnsupportedQuery',
              `The filter '${filter}' is not supported. Supported filters: roleName eq ` +
                `'{name}', type eq 'BuiltInRole'|'CustomRole'.`,
            );
        }
        const defs = req.sim.rbac
          .roleDefinitions()
          .filter(
            (d) =>
              (roleName === undefined || d.roleName.toLowerCase() === roleName.toLowerCase()) &&
              (type === undefined || d.type.toLowerCase() === type.toLowerCase()) &&
              (d.type === 'BuiltInRole' ||
                d.assignableScopes.some(
                  (s) => isAncestorOrSelf(s, scope) || isAncestorOrSelf(scope, s),
                )),
          );
        return paged(
          req,
          defs.map((d) => roleDefinitionView(d, scope)),
        );
      },
    });
    r.route({
      method: 'PUT',
      pattern: defPattern,
      authorize: (_req, m) => ({
        action: 'Microsoft.Authorization/roleDefinitions/write',
        scope: scopeFrom(m[1]),
      }),
      handle: (req, m) => {
        const scope = scopeFrom(m[1]);
        const guid = decodeURIComponent(m[2] ?? '');
        requireScopeExists(req, scope);
        if (!GUID.test(guid))
          throw new ArmError(
            400,
            'InvalidRoleDefinitionId',
            `The role definition ID '${guid}' is not valid. The role definition ID must be a GUID.`,
          );
        validateRequestBody({ req, def: roleDefinitions, operation: 'PUT' });
        const current = req.sim.rbac.roleDefinition(guid);
        if (current?.type === 'BuiltInRole')
          throw new ArmError(
            400,
            'RoleDefinitionIsBuiltIn',
            `The role definition '${guid}' is a built-in role and cannot be changed.`,
          );
        const p = req.body.properties ?? {};
        if (!p.roleName) throw armErrors.missingRequiredProperty('properties.roleName');
        if (!Array.isArray(p.assignableScopes) || p.assignableScopes.length === 0) {
          throw new ArmError(
            400,
            'InvalidAssignableScopes',
            'The role definition must have at least one assignable scope.',
          );
        }
        const sameName = req.sim.rbac
          .roleDefinitions()
          .find(
            (d) =>
              d.roleName.toLowerCase() === String(p.roleName).toLowerCase() &&
              d.guid !== guid.toLowerCase(),
          );
        if (sameName)
          throw new ArmError(
            409,
            'RoleDefinitionWithSameNameExists',
            'A custom role with the same name already exists in this directory. Use a ' +
              'different name.',
          );
        const now = new Date().toISOString();
        const doc: StoredResource = {
          id:
            current?.resource?.id ??
            `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization` +
              `/roleDefinitions/${guid}`,
          name: guid,
          type: ROLE_DEFINITION_TYPE,
          properties: {
            roleName: p.roleName,
            description: p.description ?? '',
            type: 'CustomRole',
            permissions: (p.permissions ?? []).map((x: any) => ({
              actions: x.actions ?? [],
              notActions: x.notActions ?? [],
              dataActions: x.dataActions ?? [],
              notDataActions: x.notDataActions ?? [],
            })),
            assignableScopes: p.assignableScopes,
            createdOn: current?.resource?.properties?.createdOn ?? now,
            updatedOn: now,
            createdBy: current?.resource?.properties?.createdBy ?? req.caller.objectId,
            updatedBy: req.caller.objectId,
          },
        };
        const stored = req.sim.store.put(doc);
        return { status: current ? 200 : 201, body: clone(stored) };
      },
    });
    r.route({
      method: 'DELETE',
      pattern: defPattern,
      authorize: (_req, m) => ({
        action: 'Microsoft.Authorization/roleDefinitions/delete',
        scope: scopeFrom(m[1]),
      }),
      handle: (req, m) => {
        const d = m[2] ? req.sim.rbac.roleDefinition(decodeURIComponent(m[2])) : undefined;
        if (!d?.resource) return { status: 204 };
        const inUse = req.sim.store
          .list({ type: ROLE_ASSIGNMENT_TYPE })
          .some((a) => roleGuidOf(String(a.properties?.roleDefinitionId)) === d.guid);
        if (inUse)
          throw new ArmError(
            409,
            'RoleDefinitionHasAssignments',
            'There are existing role assignments referencing role (code: ' +
              'RoleDefinitionHasAssignments).',
          );
        removeResource(req.sim, d.resource.id);
        return { status: 200, body: clone(d.resource) };
      },
    });

    // DELETE answers the deleted assignment (200) as the service does; the generic handler would
    // answer no body.
    r.route({
      method: 'DELETE',
      pattern: /^(.*?)\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/i,
      authorize: (_req, m) => ({
        action: 'Microsoft.Authorization/roleAssignments/delete',
        scope: scopeFrom(m[1]),
      }),
      handle: (req, m) => {
        const scope = scopeFrom(m[1]);
        const id =
          `${scope === '/' ? '' : scope}/providers/Microsoft.Authorization/roleAssignments/` +
          `${decodeURIComponent(m[2])}`;
        const existing = req.sim.store.get(id);
        if (!existing) return { status: 204 };
        removeResource(req.sim, existing.id);
        return { status: 200, body: clone(existing) };
      },
    });

    // What the caller may do at a resource group or resource (Microsoft.Authorization/permissions).
    r.route({
      method: 'GET',
      pattern: new RegExp(
        '^(\\/subscriptions\\/[^/]+\\/resourceGroups\\/[^/]+(?:\\/.*)?)\\/providers\\' +
          '/Microsoft\\.A' +
          'uthorization\\/permissions$',
        'i',
      ),
      handle: (req, m) => {
        const scope = scopeFrom(m[1]);
        requireScopeExists(req, scope);
        // Without RBAC enforcement everyone may do everything, and the answer says so.
        const perms = req.sim.rbac.enforced
          ? req.sim.rbac.permissionsAt(req.caller.objectId, scope)
          : [{ actions: ['*'], notActions: [], dataActions: ['*'], notDataActions: [] }];
        return paged(
          req,
          perms.map((p) => ({
            actions: p.actions,
            notActions: p.notActions,
            dataActions: p.dataActions,
            notDataActions: p.notDataActions,
          })),
        );
      },
    });
  },
};

/** A role assignment document as the scenario or a test writes it. */
export function roleAssignmentResource(
  scope: string,
  roleGuid: string,
  principalId: string,
  subscriptionId: string,
  name: string = randomUUID(),
): StoredResource {
  const s = normalisePath(scope);
  return {
    id: `${s === '/' ? '' : s}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    type: ROLE_ASSIGNMENT_TYPE,
    properties: {
      roleDefinitionId:
        `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/` +
        `${roleGuid}`,
      principalId,
      principalType: 'ServicePrincipal',
      scope: s,
    },
  };
}
