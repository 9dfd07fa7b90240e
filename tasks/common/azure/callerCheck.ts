/**
 * Whether the service connection may make the writes a task is about to make, asked of the
 * permissions API before the first write (which counts its group memberships too). Each refusal is
 * one message: the principal, the missing actions, the scope, the built-in role that grants them
 * and the `az` command that assigns it.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { Logger } from '../core/logger';
import { describeArmError, roleForAction } from './armErrors';
import { AzureContext } from './clients';
import { isNotFound } from './notFound';
import {
  connectionAssignee,
  ConnectionPrincipal,
  connectionPrincipal,
  describeConnection,
} from './principal';
import { allows, CallerPermissions } from './rbacCheck';
import { assignCommand } from './roleAssignments';

export interface CallerNeed {
  action: string;
  /** A resource group or resource id (the permissions API answers for those). */
  scope: string;
  /** A data action (blob contents), not a control-plane action. */
  data?: boolean;
  /** What the task would do with it: "create the image template". */
  why: string;
}

/**
 * One message per scope and role that is missing; empty when everything is allowed (or could not be
 * read).
 */
export async function callerRefusals(
  perms: CallerPermissions,
  principal: ConnectionPrincipal,
  needs: CallerNeed[],
  onUnreadable: (scope: string, err: unknown) => void,
): Promise<string[]> {
  const missing = new Map<
    string,
    { scope: string; role: string; actions: string[]; why: string[] }
  >();
  for (const n of needs) {
    let blocks;
    try {
      blocks = await perms.at(n.scope);
    } catch (err) {
      if (!isNotFound(err)) onUnreadable(n.scope, err);
      continue;
    }
    if (!blocks || allows(blocks, n.action, n.data)) continue;
    const role = roleForAction(n.action);
    const key = `${n.scope.toLowerCase()}|${role}`;
    const m = missing.get(key) ?? { scope: n.scope, role, actions: [], why: [] };
    if (!m.actions.includes(n.action)) m.actions.push(n.action);
    if (!m.why.includes(n.why)) m.why.push(n.why);
    missing.set(key, m);
  }
  return [...missing.values()].map((m) =>
    refusal(principal, m.actions, m.scope, m.role, m.why.join(', ')),
  );
}

/** Options of {@link connectionLacks}. */
export interface ConnectionLacksOptions {
  azure: AzureContext;
  /** The subscription whose permissions API is asked. */
  subscriptionId: string;
  needs: CallerNeed[];
  /** A scope whose permissions can't be read is left to Azure, with a warning here. */
  log: Logger;
  signal: AbortSignal;
}

/**
 * {@link callerRefusals} for the service connection itself: empty when it needs nothing, else one
 * message per scope and role it lacks.
 */
export async function connectionLacks(o: ConnectionLacksOptions): Promise<string[]> {
  if (o.needs.length === 0) return [];
  const auth = new AuthorizationManagementClient(
    o.azure.credential,
    o.subscriptionId,
    o.azure.clientOptions,
  );
  const principal = await connectionPrincipal(o.azure, o.signal);
  return callerRefusals(new CallerPermissions(auth, o.signal), principal, o.needs, (scope, err) =>
    o.log.warn(
      `Could not read what ${describeConnection(principal)} may do on ${scope}: ` +
        `${describeArmError(err)}. Azure checks it when the task gets there.`,
    ),
  );
}

export function refusal(
  principal: ConnectionPrincipal,
  actions: string[],
  scope: string,
  role: string,
  why: string,
): string {
  const who = describeConnection(principal);
  return (
    `${who[0].toUpperCase()}${who.slice(1)} may not ` +
    `${actions.map((a) => `'${a}'`).join(', ')} on ${scope} (needed to ${why}). ` +
    (`Grant it '${role}' (or a role with ` +
      `${actions.length === 1 ? 'that action' : 'those actions'}) there: ` +
      `${assignCommand(connectionAssignee(principal), role, scope)}`)
  );
}
