// Azure RBAC as Resource Manager applies it: a principal may perform an action at a scope when a
// role assignment at that scope or an ancestor grants it (actions minus notActions of one
// permission block, `*` wildcards, case-insensitive). Assignments and custom role definitions are
// resources in the store.
import { armErrors } from './errors';
import { builtInRole, builtInRoles, RolePermission } from './builtInRoles';
import { isAncestorOrSelf } from './paths';
import type { ResourceStore, StoredResource } from './store';

export const ROLE_ASSIGNMENT_TYPE = 'Microsoft.Authorization/roleAssignments';
export const ROLE_DEFINITION_TYPE = 'Microsoft.Authorization/roleDefinitions';

/** Who makes a request: the object id and application (client) id from the access token. */
export interface Principal {
  objectId: string;
  appId: string;
}

export interface RoleDefinitionView {
  guid: string;
  roleName: string;
  type: 'BuiltInRole' | 'CustomRole';
  description: string;
  permissions: RolePermission[];
  assignableScopes: string[];
  /** The stored resource of a custom role. */
  resource?: StoredResource;
}

// `*` matches any characters; a whole segment `/*/` also matches nothing, as Azure reads it
// (Managed Identity Operator's `userAssignedIdentities/*/assign/action` grants
// `userAssignedIdentities/assign/action`).
function wildcardRegex(pattern: string): RegExp {
  const part = (x: string) =>
    x
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
  return new RegExp('^' + pattern.split('/*/').map(part).join('/(?:.*/)?') + '$', 'i');
}

export function actionMatches(pattern: string, action: string): boolean {
  return wildcardRegex(pattern).test(action);
}

export function roleGuidOf(roleDefinitionId: string): string {
  return roleDefinitionId.split('/').filter(Boolean).pop()!.toLowerCase();
}

/** One authorization ARM made for a request's caller (enforced or not), as the state dump lists. */
export interface AuthorizationCheck {
  principalId: string;
  action: string;
  scope: string;
  allowed: boolean;
}

export class Rbac {
  /** Lower-cased assignment id -> real time (ms) from which a propagating assignment counts. */
  private readonly effectiveFrom = new Map<string, number>();
  /** Every check of a caller's action, in order: what a task really needs (least privilege). */
  readonly checks: AuthorizationCheck[] = [];

  constructor(
    private readonly store: ResourceStore,
    readonly enforced: boolean,
    /**
     * Real milliseconds an assignment made through the API takes to take effect (scenario
     * rbacPropagationSeconds, scaled).
     */
    private readonly propagationMs = 0,
  ) {}

  /**
   * An assignment made through the API counts only once propagated, as in Azure (scenario ones
   * count at once).
   */
  propagate(assignmentId: string): void {
    if (this.propagationMs > 0)
      this.effectiveFrom.set(assignmentId.toLowerCase(), Date.now() + this.propagationMs);
  }

  forget(assignmentId: string): void {
    this.effectiveFrom.delete(assignmentId.toLowerCase());
  }

  /**
   * Role assignments that have taken effect: what authorization, permissions and subscription
   * visibility see.
   */
  effectiveAssignments(): StoredResource[] {
    const now = Date.now();
    return this.store
      .list({ type: ROLE_ASSIGNMENT_TYPE })
      .filter((a) => (this.effectiveFrom.get(a.id.toLowerCase()) ?? 0) <= now);
  }

  roleDefinition(guidOrId: string): RoleDefinitionView | undefined {
    const guid = roleGuidOf(guidOrId);
    const b = builtInRole(guid);
    if (b)
      return {
        guid: b.guid,
        roleName: b.roleName,
        type: 'BuiltInRole',
        description: b.description,
        permissions: b.permissions,
        assignableScopes: ['/'],
      };
    const custom = this.store
      .list({ type: ROLE_DEFINITION_TYPE })
      .find((r) => r.name.toLowerCase() === guid);
    return custom ? this.customView(custom) : undefined;
  }

  roleDefinitions(): RoleDefinitionView[] {
    const out: RoleDefinitionView[] = builtInRoles().map((b) => ({
      guid: b.guid,
      roleName: b.roleName,
      type: 'BuiltInRole' as const,
      description: b.description,
      permissions: b.permissions,
      assignableScopes: ['/'],
    }));
    for (const r of this.store.list({ type: ROLE_DEFINITION_TYPE })) out.push(this.customView(r));
    return out;
  }

  private customView(r: StoredResource): RoleDefinitionView {
    const p = r.properties ?? {};
    return {
      guid: r.name.toLowerCase(),
      roleName: p.roleName ?? r.name,
      type: 'CustomRole',
      description: p.description ?? '',
      permissions: (p.permissions ?? []).map((x: any) => ({
        actions: x.actions ?? [],
        notActions: x.notActions ?? [],
        dataActions: x.dataActions ?? [],
        notDataActions: x.notDataActions ?? [],
      })),
      assignableScopes: p.assignableScopes ?? [],
      resource: r,
    };
  }

  /**
   * Effective role assignments of a principal that apply at a scope (made at it or an ancestor).
   */
  assignmentsFor(principalId: string, scope: string): StoredResource[] {
    return this.effectiveAssignments().filter(
      (a) =>
        String(a.properties?.principalId ?? '').toLowerCase() === principalId.toLowerCase() &&
        isAncestorOrSelf(String(a.properties?.scope ?? scopeOfAssignmentId(a.id)), scope),
    );
  }

  /** The permission blocks a principal holds at a scope. */
  permissionsAt(principalId: string, scope: string): RolePermission[] {
    const out: RolePermission[] = [];
    for (const a of this.assignmentsFor(principalId, scope)) {
      const def = this.roleDefinition(String(a.properties?.roleDefinitionId ?? ''));
      if (def) out.push(...def.permissions);
    }
    return out;
  }

  /**
   * Whether a principal holds an action (or, with dataAction, a data action) at a scope. Ignores
   * `enforced`.
   */
  holds(
    principalId: string,
    action: string,
    scope: string,
    opts: { dataAction?: boolean } = {},
  ): boolean {
    return this.permissionsAt(principalId, scope).some((p) => {
      const allow = opts.dataAction ? p.dataActions : p.actions;
      const deny = opts.dataAction ? p.notDataActions : p.notActions;
      return (
        allow.some((x) => actionMatches(x, action)) && !deny.some((x) => actionMatches(x, action))
      );
    });
  }

  /** Whether the principal may act: always true when the scenario does not enforce RBAC. */
  isAllowed(
    principalId: string,
    action: string,
    scope: string,
    opts: { dataAction?: boolean } = {},
  ): boolean {
    return !this.enforced || this.holds(principalId, action, scope, opts);
  }

  /** Throws Azure's AuthorizationFailed when the caller may not perform `action` over `scope`. */
  require(caller: Principal, action: string, scope: string): void {
    if (!this.checked(caller, action, scope))
      throw armErrors.authorizationFailed(caller.appId, caller.objectId, action, scope);
  }

  private checked(caller: Principal, action: string, scope: string): boolean {
    const held = this.holds(caller.objectId, action, scope);
    this.checks.push({ principalId: caller.objectId, action, scope, allowed: held });
    return held || !this.enforced;
  }

  /**
   * For a write that references another resource (e.g. assigning a user-assigned identity needs
   * Microsoft.ManagedIdentity/userAssignedIdentities/assign/action on it):
   * LinkedAuthorizationFailed.
   */
  requireLinked(
    caller: Principal,
    request: { action: string; scope: string },
    linked: { action: string; scope: string },
  ): void {
    if (!this.checked(caller, linked.action, linked.scope)) {
      throw armErrors.linkedAuthorizationFailed(
        caller.appId,
        caller.objectId,
        request.action,
        request.scope,
        linked.action,
        linked.scope,
      );
    }
  }
}

/**
 * "/x/providers/Microsoft.Authorization/roleAssignments/{name}" -> "/x" ("/" for a root
 * assignment).
 */
export function scopeOfAssignmentId(id: string): string {
  const i = id.toLowerCase().lastIndexOf('/providers/microsoft.authorization/roleassignments/');
  return i <= 0 ? '/' : id.slice(0, i);
}
