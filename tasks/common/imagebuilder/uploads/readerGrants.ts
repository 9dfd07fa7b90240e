/**
 * Who may read the uploads: Storage Blob Data Reader on the artifacts container, granted (on the
 * task's own account), listed for a dry run, or checked (on a given account, from the principal's
 * own role assignments).
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { RbacReader } from '../../azure/rbacCheck';
import {
  assignCommand,
  ensureRoleAssignment,
  objectIdAssignee,
  roleAssignmentAt,
} from '../../azure/roleAssignments';
import { Logger } from '../../core/logger';
import { PlanItem } from '../../core/plan';

const BLOB_DATA_READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';
const AIB_IDENTITY = "Image Builder's identity";

export const BLOB_READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';

export interface GrantReaderOptions {
  auth: AuthorizationManagementClient;
  /** The artifacts container. */
  scope: string;
  principalId: string;
  /** Who the principal is, in words; Image Builder's identity by default. */
  who?: string;
  log: Logger;
  signal: AbortSignal;
}

/** Grants Storage Blob Data Reader on the artifacts container (kept when it is there). */
export async function grantReader(o: GrantReaderOptions): Promise<void> {
  const { scope, log, who = AIB_IDENTITY } = o;
  const { created } = await ensureRoleAssignment({
    auth: o.auth,
    scope,
    principalId: o.principalId,
    roleDefinitionId: readerRoleId(scope),
    description: `BuildImage: ${who} reads the build artifacts`,
    signal: o.signal,
    log,
  });
  if (created) log.info(`Granted ${who} Storage Blob Data Reader on the artifacts container.`);
}

/**
 * The Storage Blob Data Reader grant a dry run lists instead of making (grantReader): kept when the
 * principal holds it there already. Image Builder's is the same item for the archive and the local
 * files, which share the container. A principal not made yet (the task's own identity before its
 * first build) holds nothing.
 */
export async function readerItem(o: {
  auth: AuthorizationManagementClient;
  scope: string;
  principalId?: string;
  signal: AbortSignal;
  who?: string;
  reason?: string;
}): Promise<PlanItem> {
  const target = `role 'Storage Blob Data Reader' for ${o.who ?? AIB_IDENTITY} on ${o.scope}`;
  const held =
    o.principalId &&
    GUID.test(o.principalId) &&
    (await roleAssignmentAt({
      auth: o.auth,
      scope: o.scope,
      principalId: o.principalId,
      roleDefinitionId: readerRoleId(o.scope),
      signal: o.signal,
    }));
  return held
    ? { action: 'keep', target, reason: 'granted already' }
    : { action: 'create', target, reason: o.reason ?? 'to download what the task uploads there' };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readerRoleId(scope: string): string {
  return (
    `${scope.split('/').slice(0, 3).join('/')}/providers/Microsoft.Authorization` +
    `/roleDefinitions/${BLOB_DATA_READER}`
  );
}

/** The `az` command that lets a service principal read the blobs of the container at `scope`. */
export function readerCommand(principalId: string, scope: string): string {
  return assignCommand(objectIdAssignee(principalId), 'Storage Blob Data Reader', scope);
}

/**
 * Whether the principal's own role assignments let it read blobs at the scope (rbacCheck.ts
 * evaluates them).
 */
export function canRead(
  auth: AuthorizationManagementClient,
  scope: string,
  principalId: string,
  signal: AbortSignal,
): Promise<boolean> {
  return new RbacReader(auth, signal).holds(principalId, BLOB_READ, scope, true);
}
