/**
 * Who the service connection signs in as, for messages that name the principal and `az` commands
 * that grant it a role: the client id from the connection, the object id from its Resource Manager
 * token (`oid` claim), which the connection itself does not carry.
 */
import { AzureContext } from './clients';
import { armScope } from './connection';
import { Assignee, objectIdAssignee } from './roleAssignments';

export interface ConnectionPrincipal {
  clientId?: string;
  objectId?: string;
}

export async function connectionPrincipal(
  azure: AzureContext,
  signal?: AbortSignal,
): Promise<ConnectionPrincipal> {
  let objectId: string | undefined;
  let appId: string | undefined;
  try {
    const token = await azure.credential.getToken(armScope(azure.connection), {
      abortSignal: signal,
    });
    const payload = token?.token.split('.')[1];
    if (payload) {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        oid?: string;
        appid?: string;
        azp?: string;
      };
      objectId = claims.oid;
      appId = claims.appid ?? claims.azp;
    }
  } catch {
    // The name is for the message only; the checks themselves do not need it.
  }
  return { clientId: azure.connection.clientId ?? appId, objectId };
}

/** "the service connection's principal (client id x, object id y)" */
export function describeConnection(p: ConnectionPrincipal): string {
  const ids = [p.clientId && `client id ${p.clientId}`, p.objectId && `object id ${p.objectId}`]
    .filter(Boolean)
    .join(', ');
  return `the service connection's principal${ids ? ` (${ids})` : ''}`;
}

/**
 * The connection's principal for an `az role assignment create`: by object id, else by client id.
 */
export function connectionAssignee(p: ConnectionPrincipal): Assignee {
  return p.objectId
    ? objectIdAssignee(p.objectId)
    : { clientId: p.clientId ?? '<client id of the service connection>' };
}
