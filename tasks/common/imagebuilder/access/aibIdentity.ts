/**
 * Image Builder's user-assigned identity: the `managedIdentity` input, else the identity a template
 * file names, else the task's own. The task's own identity lives in the template's resource group
 * under a name derived from the subscription and the group, so every run (and every pipeline)
 * building there finds the one made before; it is durable and never deleted by the task. It holds a
 * custom role with only the actions Image Builder needs (aibNeeds.ts), assigned at the resource
 * groups of this build's targets, plus the built-in roles Microsoft asks for (Contributor on a
 * given staging group, Managed Identity Operator on the build VM's identities). Planning reads
 * only; `ensureOwnIdentity` writes what the plan says is missing, each write idempotent (same
 * names, existing ones recognised).
 */
import { createHash } from 'crypto';
import { AuthorizationManagementClient, RoleDefinition } from '@azure/arm-authorization';
import { ManagedServiceIdentityClient } from '@azure/arm-msi';
import { AzureContext } from '../../azure/clients';
import { getOrUndefined } from '../../azure/notFound';
import { allows, RbacReader } from '../../azure/rbacCheck';
import { assignCommand, ensureRoleAssignment, objectIdAssignee } from '../../azure/roleAssignments';
import { derivedGuid } from '../../core/derivedGuid';
import { InputError } from '../../core/errors';
import { Logger } from '../../core/logger';
import { PlanItem } from '../../core/plan';
import { parseResourceId, typeOf } from '../../azure/resourceIds';
import { BUILT_IN, CUSTOM_ROLE_ACTIONS, customRoleScopes, GrantRole, Need } from './aibNeeds';
import { ArmValue } from '../template/templateFile/armExpressions';

export interface Identity {
  id: string;
  principalId?: string;
  clientId?: string;
}

/**
 * Stands for the principal of an identity a build would create (validate, wait, cancel create
 * nothing).
 */
export const PENDING_PRINCIPAL = '<principal id of the identity the first build creates>';

const OWN_IDENTITY_TAGS = {
  'gip.managedBy': 'BuildImage',
  'gip.purpose': 'Image Builder identity',
};

export type IdentityChoice =
  | { own: false; id: string; from: 'managedIdentity' | 'templateFile'; found: Identity }
  | { own: true; id: string; name: string; resourceGroup: string; found?: Identity };

/** `gip-aib-<hash>`: one per subscription and resource group. */
export function ownIdentityName(subscriptionId: string, resourceGroup: string): string {
  const hash = createHash('sha256').update(`${subscriptionId}/${resourceGroup}`.toLowerCase());
  return `gip-aib-${hash.digest('hex').slice(0, 12)}`;
}

/**
 * Role names are unique in a tenant: the identity's name (its hash names the subscription and
 * group) makes it so.
 */
export function customRoleName(identityName: string): string {
  return `BuildImage Image Builder (${identityName})`;
}

/** The identity id a template file names (`identity.userAssignedIdentities`), if any. */
export function identityOfFile(identity: ArmValue | undefined): string | undefined {
  if (identity === undefined || identity === null) return undefined;
  const uai =
    typeof identity === 'object' && !Array.isArray(identity)
      ? identity.userAssignedIdentities
      : undefined;
  const ids = uai && typeof uai === 'object' && !Array.isArray(uai) ? Object.keys(uai) : [];
  if (ids.length !== 1 || !isIdentityId(ids[0])) {
    throw new InputError(
      'templateFile',
      `identity: Image Builder runs as exactly one user-assigned identity, given by its ` +
        `resource id in identity.userAssignedIdentities (found ` +
        `${ids.length ? ids.join(', ') : 'none'})`,
      'one identity there, or leave identity out of the file (the managedIdentity input, ' +
        "or the task's own identity, is used then)",
    );
  }
  return ids[0];
}

function isIdentityId(id: string): boolean {
  const p = parseResourceId(id);
  return !!p && typeOf(p).toLowerCase() === 'microsoft.managedidentity/userassignedidentities';
}

/** Which identity Image Builder runs as; reads only. A given identity must exist. */
export async function chooseIdentity(
  azure: AzureContext,
  given: { value?: string; fileIdentity?: string },
  resourceGroup: string,
  signal: AbortSignal,
): Promise<IdentityChoice> {
  const value = given.value ?? given.fileIdentity;
  const from = given.value ? 'managedIdentity' : 'templateFile';
  const id = value
    ? value.startsWith('/')
      ? value
      : `/subscriptions/${azure.subscriptionId}/resourceGroups/${resourceGroup}/providers` +
        `/Microsoft.ManagedIdentity/userAssignedIdentities/${value}`
    : `/subscriptions/${azure.subscriptionId}/resourceGroups/${resourceGroup}/providers` +
      `/Microsoft.ManagedIdentity/userAssignedIdentities/` +
      `${ownIdentityName(azure.subscriptionId, resourceGroup)}`;
  const p = parseResourceId(id)!;
  const msi = new ManagedServiceIdentityClient(
    azure.credential,
    p.subscriptionId,
    azure.clientOptions,
  );
  const got = await getOrUndefined(() =>
    msi.userAssignedIdentities.get(p.resourceGroup, p.levels[0][1], { abortSignal: signal }),
  );
  const found = got
    ? { id: got.id ?? id, principalId: got.principalId, clientId: got.clientId }
    : undefined;
  if (!value) return { own: true, id, name: p.levels[0][1], resourceGroup: p.resourceGroup, found };
  if (!found) {
    throw new InputError(
      from,
      `the user-assigned identity ${id} does not exist (or the service connection can't read it)`,
      `an existing identity (az identity create -g ${p.resourceGroup} -n ` +
        `${p.levels[0][1]}, then grant it rights on the distribution targets), or leave ` +
        `managedIdentity empty to let the task use its own`,
    );
  }
  return { own: false, id, from, found };
}

export interface RoleGrant {
  role: GrantRole;
  /** Display name of the role, for logs and az commands. */
  roleName: string;
  roleDefinitionId: string;
  scope: string;
  what: string;
}

/**
 * What the task writes for its own identity; empty lists (and no flags) when everything is in
 * place.
 */
export interface OwnIdentityPlan {
  identity: {
    id: string;
    name: string;
    resourceGroup: string;
    location: string;
    create: boolean;
    principalId?: string;
    clientId?: string;
  };
  role: {
    guid: string;
    name: string;
    scope: string;
    assignableScopes: string[];
    write: 'create' | 'update' | undefined;
    /** What an existing role lacks (`action …`, `assignable scope …`): why it is updated. */
    lacks: string[];
  };
  grants: RoleGrant[];
}

export interface PlanOwnIdentityOptions {
  azure: AzureContext;
  /** The task's own identity, as chooseIdentity found it (or not). */
  choice: Extract<IdentityChoice, { own: true }>;
  /** What Image Builder needs for this build (aibNeeds.ts). */
  needs: Need[];
  /** Where the identity is created when it is missing. */
  location: string;
  /** Reads the role assignments the identity holds already. */
  rbac: RbacReader;
  signal: AbortSignal;
}

/**
 * Reads what exists of the own identity, its role and its assignments, and lists the writes that
 * would complete them for these needs. An existing role found by name (e.g. made by the `az`
 * commands this task prints) is used under its own GUID.
 */
export async function planOwnIdentity(o: PlanOwnIdentityOptions): Promise<OwnIdentityPlan> {
  const { azure, choice, needs, rbac, signal } = o;
  const auth = new AuthorizationManagementClient(
    azure.credential,
    azure.subscriptionId,
    azure.clientOptions,
  );
  const groupId = `/subscriptions/${azure.subscriptionId}/resourceGroups/${choice.resourceGroup}`;
  const roleName = customRoleName(choice.name);
  let existing: RoleDefinition | undefined;
  for await (const d of auth.roleDefinitions.list(groupId, {
    filter: `roleName eq '${roleName}'`,
    abortSignal: signal,
  }))
    existing ??= d;
  const guid = existing?.name ?? derivedGuid('gip.aib.role', choice.id);
  const has = (list: string[] | undefined, x: string) =>
    (list ?? []).some((s) => s.toLowerCase() === x.toLowerCase());
  const held = existing?.assignableScopes ?? [];
  const scopes = [...held];
  for (const s of [groupId, ...customRoleScopes(needs)]) if (!has(scopes, s)) scopes.push(s);
  const lacks = existing
    ? [
        ...CUSTOM_ROLE_ACTIONS.filter((a) => !allows(existing?.permissions ?? [], a)).map(
          (a) => `action ${a}`,
        ),
        ...scopes.slice(held.length).map((s) => `assignable scope ${s}`),
      ]
    : [];
  const write = !existing ? 'create' : lacks.length ? 'update' : undefined;

  const customId =
    `/subscriptions/${azure.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions` +
    `/${guid}`;
  const grants: RoleGrant[] = [];
  const principal = choice.found?.principalId;
  for (const n of needs) {
    const roleDefinitionId =
      n.grant.role === 'custom'
        ? customId
        : `/subscriptions/${azure.subscriptionId}/providers/Microsoft.Authorization` +
          `/roleDefinitions/${BUILT_IN[n.grant.role]}`;
    const same = grants.find(
      (g) =>
        g.roleDefinitionId === roleDefinitionId &&
        g.scope.toLowerCase() === n.grant.scope.toLowerCase(),
    );
    if (same) {
      same.what = `${same.what}, ${n.what}`;
      continue;
    }
    if (principal) {
      const held = await Promise.all(
        n.actions.map((a) => rbac.holds(principal, a, n.scope, n.data)),
      );
      if (held.every(Boolean)) continue;
      // Assigned already, and the role update above completes it.
      const assigned = (await rbac.rolesAt(principal, n.grant.scope)).some(
        (r) =>
          r.roleDefinitionId.split('/').pop()!.toLowerCase() ===
          roleDefinitionId.split('/').pop()!.toLowerCase(),
      );
      if (assigned) continue;
    }
    grants.push({
      role: n.grant.role,
      roleName: n.grant.role === 'custom' ? roleName : n.grant.role,
      roleDefinitionId,
      scope: n.grant.scope,
      what: n.what,
    });
  }
  return {
    identity: {
      id: choice.id,
      name: choice.name,
      resourceGroup: choice.resourceGroup,
      location: o.location,
      create: !choice.found,
      principalId: principal,
      clientId: choice.found?.clientId,
    },
    role: { guid, name: roleName, scope: groupId, assignableScopes: scopes, write, lacks },
    grants,
  };
}

export function planIsComplete(plan: OwnIdentityPlan): boolean {
  return !plan.identity.create && !plan.role.write && plan.grants.length === 0;
}

/** The role definition body the task writes (and prints as `az role definition create` JSON). */
function roleBody(plan: OwnIdentityPlan): RoleDefinition {
  return {
    roleName: plan.role.name,
    description:
      `Image Builder identity ${plan.identity.name} of the BuildImage task: read the source ` +
      `image, write gallery image versions and managed images, join a private build's ` +
      `subnet. Nothing else.`,
    roleType: 'CustomRole',
    permissions: [
      { actions: CUSTOM_ROLE_ACTIONS, notActions: [], dataActions: [], notDataActions: [] },
    ],
    assignableScopes: plan.role.assignableScopes,
  };
}

/**
 * The `az` commands that make the same writes, for a principal that may (run once, then run the
 * pipeline again).
 */
export function planCommands(plan: OwnIdentityPlan): string[] {
  const i = plan.identity;
  const out: string[] = [];
  if (i.create) {
    const tags = Object.entries(OWN_IDENTITY_TAGS).map(([k, v]) => `${k}="${v}"`);
    out.push(
      `az identity create -g ${i.resourceGroup} -n ${i.name} -l ${i.location} ` +
        `--tags ${tags.join(' ')}`,
    );
  }
  if (plan.role.write) {
    const body = roleBody(plan);
    const json = JSON.stringify({
      Name: body.roleName,
      IsCustom: true,
      Description: body.description,
      Actions: CUSTOM_ROLE_ACTIONS,
      NotActions: [],
      AssignableScopes: body.assignableScopes,
    });
    out.push(`az role definition ${plan.role.write} --role-definition '${json}'`);
  }
  const assignee = objectIdAssignee(
    i.principalId ?? `$(az identity show --ids ${i.id} --query principalId -o tsv)`,
  );
  for (const g of plan.grants) out.push(assignCommand(assignee, g.roleName, g.scope));
  return out;
}

/** The plan's writes as plan items, in the order ensureOwnIdentity makes them. */
export function ownIdentityItems(plan: OwnIdentityPlan): PlanItem[] {
  const { identity: i, role } = plan;
  const items: PlanItem[] = [];
  if (i.create)
    items.push({
      action: 'create',
      target: `identity ${i.name} in ${i.resourceGroup}`,
      reason:
        "missing: no managedIdentity is given, so Image Builder runs as the task's own " +
        '(kept for later builds)',
    });
  if (role.write) {
    items.push({
      action: role.write,
      target: `custom role '${role.name}'`,
      reason: role.write === 'create' ? 'missing' : 'lacks what this build needs',
      details: [
        ...(role.write === 'create'
          ? [`only the ${CUSTOM_ROLE_ACTIONS.length} actions Image Builder needs`]
          : role.lacks.map((l) => `adds ${l}`)),
        `assignable at ${role.assignableScopes.join(', ')}`,
      ],
    });
  }
  for (const g of plan.grants)
    items.push({
      action: 'create',
      target: `role '${g.roleName}' for ${i.name} on ${g.scope}`,
      reason: `for ${g.what}`,
    });
  return items;
}

/** Carries the plan out; returns the identity. Every write is named in the log. */
export async function ensureOwnIdentity(
  azure: AzureContext,
  plan: OwnIdentityPlan,
  log: Logger,
  signal: AbortSignal,
): Promise<Identity> {
  const i = plan.identity;
  let principalId = i.principalId;
  let clientId = i.clientId;
  if (i.create) {
    const msi = new ManagedServiceIdentityClient(
      azure.credential,
      azure.subscriptionId,
      azure.clientOptions,
    );
    log.info(
      `Creating Image Builder identity ${i.name} in ${i.resourceGroup} (the task's own; ` +
        `later runs reuse it)...`,
    );
    const made = await msi.userAssignedIdentities.createOrUpdate(
      i.resourceGroup,
      i.name,
      { location: i.location, tags: OWN_IDENTITY_TAGS },
      { abortSignal: signal },
    );
    principalId = made.principalId;
    clientId = made.clientId;
  }
  if (!principalId)
    throw new Error(
      `The identity ${i.id} has no principal id; Azure did not finish creating it. Run the ` +
        `pipeline again.`,
    );
  const auth = new AuthorizationManagementClient(
    azure.credential,
    azure.subscriptionId,
    azure.clientOptions,
  );
  if (plan.role.write) {
    log.info(
      `${plan.role.write === 'create' ? 'Creating' : 'Updating'} custom role ` +
        `'${plan.role.name}' (assignable at ${plan.role.assignableScopes.join(', ')})...`,
    );
    await auth.roleDefinitions.createOrUpdate(plan.role.scope, plan.role.guid, roleBody(plan), {
      abortSignal: signal,
    });
  }
  for (const g of plan.grants) {
    const { created } = await ensureRoleAssignment({
      auth,
      scope: g.scope,
      principalId,
      roleDefinitionId: g.roleDefinitionId,
      description: `BuildImage: Image Builder identity ${i.name}, for ${g.what}`,
      signal,
      log,
    });
    if (created) log.info(`Granted identity ${i.name} '${g.roleName}' on ${g.scope} (${g.what}).`);
  }
  return { id: i.id, principalId, clientId };
}
