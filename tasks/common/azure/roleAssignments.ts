/**
 * Role assignments, the one place that makes them and the one place that prints the `az` command
 * that makes them. `ensureRoleAssignment` reads before it writes, so a run with nothing to do
 * writes nothing; what it writes has a name derived from scope, principal and role, so reruns and
 * parallel runs make the same one.
 */
import type { AuthorizationManagementClient, RoleAssignment } from '@azure/arm-authorization';
import { Clock } from '../core/clock';
import { derivedGuid } from '../core/derivedGuid';
import { Logger } from '../core/logger';
import { retry } from '../core/poll';

/** The principal types `az role assignment create --assignee-principal-type` and the API accept. */
export type PrincipalType = 'ServicePrincipal' | 'User' | 'Group' | 'ForeignGroup';

/** Whom a printed `az role assignment create` grants. */
export type Assignee =
  /**
   * By object id, with its type when known (a wrong one fails the assignment, so none when
   * unknown). The object id may be a shell expression, e.g. `$(az identity show ... --query
   * principalId -o tsv)` for an identity the commands printed before it create.
   */
  | { objectId: string; principalType?: PrincipalType }
  /** By client (application) id, when the object id is unknown: az looks the principal up. */
  | { clientId: string };

/**
 * A service principal by object id (managed identities and app registrations are service
 * principals).
 */
export function objectIdAssignee(objectId: string): Assignee {
  return { objectId, principalType: 'ServicePrincipal' };
}

/** The `az` command that grants `role` (its display name) at `scope`. */
export function assignCommand(assignee: Assignee, role: string, scope: string): string {
  const who =
    'clientId' in assignee
      ? `--assignee ${assignee.clientId}`
      : `--assignee-object-id ` +
        `${assignee.objectId}` +
        `${assignee.principalType ? ` --assignee-principal-type ${assignee.principalType}` : ''}`;
  return `az role assignment create ${who} --role "${role}" --scope ${scope}`;
}

/**
 * The principal's role assignments made at the scope or above it (ARM's `atScope()`; none below
 * it).
 */
export async function assignmentsOf(
  auth: AuthorizationManagementClient,
  principalId: string,
  scope: string,
  signal?: AbortSignal,
): Promise<RoleAssignment[]> {
  const out: RoleAssignment[] = [];
  for await (const ra of auth.roleAssignments.listForScope(scope, {
    filter: `atScope() and principalId eq '${principalId}'`,
    abortSignal: signal,
  }))
    out.push(ra);
  return out;
}

export interface RoleAssignmentOptions {
  /**
   * Reads and writes the assignment; its subscription does not matter (assignments are addressed by
   * scope).
   */
  auth: AuthorizationManagementClient;
  /** Where the role is granted: a subscription, resource group or resource id. */
  scope: string;
  /** Object id of the principal granted the role. */
  principalId: string;
  /**
   * Full id of the role definition:
   * `/subscriptions/<s>/providers/Microsoft.Authorization/roleDefinitions/<guid>`.
   */
  roleDefinitionId: string;
  /**
   * Default ServicePrincipal (managed identities, app registrations). Given a type, ARM does not
   * look a new principal up in a directory that may not have it yet.
   */
  principalType?: PrincipalType;
  /** Shown with the assignment in the portal: who made it, and for what. */
  description?: string;
  signal: AbortSignal;
  /** Told why the task waits before trying again (info) and what it found (debug). */
  log?: Logger;
  /** Drives the waits in tests. */
  clock?: Clock;
}

export interface RoleAssignmentResult {
  /**
   * False when the principal already held the role exactly at the scope (found, or made meanwhile
   * by another run).
   */
  created: boolean;
  /**
   * Name (a GUID) of the assignment that grants it: the existing one's when it could be read, else
   * the derived one.
   */
  name: string;
  /** Its resource id, when Azure said it. */
  id?: string;
}

/** Tries in all while a new principal or custom role replicates: waits of 2, 4, 6, 8, 10 s. */
const REPLICATION_ATTEMPTS = 6;
/**
 * Codes of a principal (or custom role) just made that has not reached where assignments are
 * checked.
 */
const REPLICATING = new Set(['PrincipalNotFound', 'RoleDefinitionDoesNotExist']);

/**
 * Grants the role to the principal at the scope unless an assignment of that role for that
 * principal is there already (under any name: one made by a printed `az` command has a random one).
 * One inherited from above the scope does not count: the caller asked for this scope.
 */
export async function ensureRoleAssignment(
  o: RoleAssignmentOptions,
): Promise<RoleAssignmentResult> {
  const name = derivedGuid(o.scope, o.principalId, guidOf(o.roleDefinitionId));
  const found = await roleAssignmentAt(o);
  if (found) {
    o.log?.debug(
      `Role assignment ${found.name} already grants ${o.principalId} role ` +
        `${guidOf(o.roleDefinitionId)} on ${o.scope}.`,
    );
    return { created: false, name: found.name ?? name, id: found.id };
  }
  const body = {
    roleDefinitionId: o.roleDefinitionId,
    principalId: o.principalId,
    principalType: o.principalType ?? 'ServicePrincipal',
    description: o.description,
  };
  try {
    const made = await retry({
      run: () => o.auth.roleAssignments.create(o.scope, name, body, { abortSignal: o.signal }),
      retryable: (err) => REPLICATING.has(codeOf(err) ?? ''),
      attempts: REPLICATION_ATTEMPTS,
      delayMs: (attempt) => Math.min(2_000 * attempt, 10_000),
      onRetry: (err, _attempt, delayMs) => {
        const what =
          codeOf(err) === 'PrincipalNotFound'
            ? `the principal ${o.principalId}`
            : `the role ${guidOf(o.roleDefinitionId)}`;
        o.log?.info(
          `Azure does not know ${what} yet where role assignments are checked (it was just ` +
            `made); trying again in ${delayMs / 1000}s.`,
        );
      },
      signal: o.signal,
      clock: o.clock,
    });
    return { created: true, name: made.name ?? name, id: made.id };
  } catch (err) {
    // Another run made it between our read and our write.
    if (codeOf(err) !== 'RoleAssignmentExists') throw err;
    const raced = await roleAssignmentAt(o);
    return { created: false, name: raced?.name ?? name, id: raced?.id };
  }
}

/**
 * The principal's assignment of the role made exactly at the scope, if any (what
 * ensureRoleAssignment would find).
 */
export async function roleAssignmentAt(
  o: Pick<RoleAssignmentOptions, 'auth' | 'scope' | 'principalId' | 'roleDefinitionId' | 'signal'>,
): Promise<RoleAssignment | undefined> {
  const scope = trimmed(o.scope);
  const role = guidOf(o.roleDefinitionId);
  return (await assignmentsOf(o.auth, o.principalId, o.scope, o.signal)).find(
    (ra) => trimmed(ra.scope ?? '') === scope && guidOf(ra.roleDefinitionId ?? '') === role,
  );
}

/** The role's GUID: ids of one role differ in their prefix (subscription or none) but not in it. */
function guidOf(roleDefinitionId: string): string {
  return roleDefinitionId.split('/').pop()!.toLowerCase();
}

function trimmed(scope: string): string {
  return scope.replace(/\/+$/, '').toLowerCase();
}

function codeOf(err: unknown): string | undefined {
  return (err as { code?: string } | undefined)?.code;
}
