/**
 * Azure RBAC as Resource Manager evaluates it, for pre-flight checks: an action is allowed when one
 * permission block of a role allows it (`*` wildcards, case-insensitive) and that block does not
 * exclude it (notActions). Two views: what another principal (Image Builder's identity) holds, read
 * from its role assignments at or above a scope; and what the caller itself may do, from the
 * permissions API, which also counts group memberships.
 */
import {
  AuthorizationManagementClient,
  Permission,
  RoleDefinition,
} from '@azure/arm-authorization';
import { getOrUndefined } from './notFound';
import { assignmentsOf } from './roleAssignments';

/**
 * `*` matches any characters; a whole segment `/*` + `/` may also match nothing (Managed Identity
 * Operator's `userAssignedIdentities/*` + `/assign/action` is what grants
 * `userAssignedIdentities/assign/action`).
 */
export function actionMatches(pattern: string, action: string): boolean {
  const part = (p: string) =>
    p
      .split('*')
      .map((x) => x.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*');
  return new RegExp(`^${pattern.split('/*/').map(part).join('\\/(?:.*\\/)?')}$`, 'i').test(action);
}

/** Whether one of the permission blocks allows the action (a data action with `data`). */
export function allows(blocks: Permission[], action: string, data = false): boolean {
  return blocks.some((p) => {
    const allow = (data ? p.dataActions : p.actions) ?? [];
    const deny = (data ? p.notDataActions : p.notActions) ?? [];
    return (
      allow.some((x) => actionMatches(x, action)) && !deny.some((x) => actionMatches(x, action))
    );
  });
}

export interface AssignedRole {
  roleDefinitionId: string;
  scope: string;
  definition?: RoleDefinition;
}

/**
 * Reads role assignments and role definitions, each definition once. `principalId` is an object id.
 * Assignments through a group the principal belongs to are not seen (callers warn rather than
 * fail).
 */
export class RbacReader {
  private readonly definitions = new Map<string, Promise<RoleDefinition | undefined>>();
  private readonly roles = new Map<string, Promise<AssignedRole[]>>();

  constructor(
    private readonly auth: AuthorizationManagementClient,
    private readonly signal?: AbortSignal,
  ) {}

  /**
   * Role assignments of the principal made at the scope or above it, with their role definitions;
   * each scope read once.
   */
  rolesAt(principalId: string, scope: string): Promise<AssignedRole[]> {
    const key = `${principalId}|${scope}`.toLowerCase();
    let r = this.roles.get(key);
    if (!r) {
      r = this.readRoles(principalId, scope);
      this.roles.set(key, r);
    }
    return r;
  }

  private async readRoles(principalId: string, scope: string): Promise<AssignedRole[]> {
    const out: AssignedRole[] = [];
    for (const ra of await assignmentsOf(this.auth, principalId, scope, this.signal)) {
      if (!ra.roleDefinitionId) continue;
      out.push({
        roleDefinitionId: ra.roleDefinitionId,
        scope: ra.scope ?? scope,
        definition: await this.definition(ra.roleDefinitionId),
      });
    }
    return out;
  }

  /** Whether the principal's own role assignments at or above the scope allow the action. */
  async holds(principalId: string, action: string, scope: string, data = false): Promise<boolean> {
    const roles = await this.rolesAt(principalId, scope);
    return allows(
      roles.flatMap((r) => r.definition?.permissions ?? []),
      action,
      data,
    );
  }

  definition(roleDefinitionId: string): Promise<RoleDefinition | undefined> {
    const key = roleDefinitionId.toLowerCase();
    let d = this.definitions.get(key);
    if (!d) {
      d = getOrUndefined(() =>
        this.auth.roleDefinitions.getById(roleDefinitionId, { abortSignal: this.signal }),
      );
      this.definitions.set(key, d);
    }
    return d;
  }
}

/**
 * What the caller (the service connection) may do at a resource group or a resource, through the
 * permissions API; each scope read once. Undefined for scopes the API does not answer for (a
 * subscription, a malformed id).
 */
export class CallerPermissions {
  private readonly cache = new Map<string, Promise<Permission[] | undefined>>();

  constructor(
    private readonly auth: AuthorizationManagementClient,
    private readonly signal?: AbortSignal,
  ) {}

  at(scope: string): Promise<Permission[] | undefined> {
    const key = scope.toLowerCase();
    let p = this.cache.get(key);
    if (!p) {
      p = this.read(scope);
      this.cache.set(key, p);
    }
    return p;
  }

  private async read(scope: string): Promise<Permission[] | undefined> {
    const m =
      /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)(?:\/providers\/([^/]+)\/(.+))?$/i.exec(
        scope.replace(/\/+$/, ''),
      );
    if (!m) return undefined;
    const [, group, namespace, rest] = m;
    const out: Permission[] = [];
    if (!namespace) {
      for await (const p of this.auth.permissions.listForResourceGroup(group, {
        abortSignal: this.signal,
      }))
        out.push(p);
      return out;
    }
    const parts = rest.split('/');
    if (parts.length % 2 !== 0) return undefined;
    const name = parts.pop()!;
    const type = parts.pop()!;
    const parent = parts.join('/');
    for await (const p of this.auth.permissions.listForResource(
      group,
      namespace,
      parent,
      type,
      name,
      { abortSignal: this.signal },
    ))
      out.push(p);
    return out;
  }
}
