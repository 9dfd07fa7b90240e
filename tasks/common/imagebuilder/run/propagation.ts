/**
 * A build refused for want of a role that was granted minutes ago: Azure applies new role
 * assignments within about 10 minutes, so the first build in a new resource group, whose identity
 * the task has just been granted, can fail AuthorizationFailed. Such a build is worth starting
 * again; any other failure, or one whose grants are older than that, stands.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { AzureContext } from '../../azure/clients';
import { errorMessage } from '../../core/errors';
import { Logger } from '../../core/logger';

/** How long Azure may take to apply a new role assignment, as Microsoft documents it. */
export const PROPAGATION_MS = 10 * 60_000;

const REFUSED = /AuthorizationFailed|Not authorized to access|AuthorizationPermissionMismatch/i;
/** The refused scope's subscription and resource group. */
const SCOPE =
  /(?:over scope '|access the resource: )\/subscriptions\/([^/\s']+)\/resourceGroups\/([^/\s']+)/i;

export interface PropagationOptions {
  azure: AzureContext;
  /** The principal Image Builder and the build VM run as. */
  principalId: string;
  /** The failed run's message, as Image Builder gives it. */
  message: string;
  /** Now, as the caller's clock tells it. */
  now: number;
  log: Logger;
  signal: AbortSignal;
}

/**
 * How long ago the newest role assignment of the principal around the refused scope (its resource
 * group: assignments at, above or below it) was made, when that is recent enough to be still
 * propagating; undefined when the failure is not a refusal, names no scope, or the grants are
 * older. Listing assignments the connection may not read counts as none.
 */
export async function propagatingGrantAge(o: PropagationOptions): Promise<number | undefined> {
  if (!REFUSED.test(o.message)) return undefined;
  const m = SCOPE.exec(o.message);
  if (!m) return undefined;
  const [, subscriptionId, groupName] = m;
  const group = `/subscriptions/${subscriptionId}/resourceGroups/${groupName.replace(/\.$/, '')}`;
  const auth = new AuthorizationManagementClient(
    o.azure.credential,
    subscriptionId,
    o.azure.clientOptions,
  );
  let newest = 0;
  try {
    for await (const a of auth.roleAssignments.listForScope(group, {
      filter: `principalId eq '${o.principalId}'`,
      abortSignal: o.signal,
    }))
      newest = Math.max(newest, a.createdOn?.getTime() ?? 0);
  } catch (err) {
    o.log.debug(`Reading the role assignments at ${group} failed: ${errorMessage(err)}`);
    return undefined;
  }
  const age = o.now - newest;
  return newest > 0 && age < PROPAGATION_MS ? age : undefined;
}
